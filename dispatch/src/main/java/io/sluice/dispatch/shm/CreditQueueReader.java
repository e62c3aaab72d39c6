package io.sluice.dispatch.shm;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The worker's end of a lane's credit queue ({@link WorkerFileDescriptor#FEATURE_CREDIT_QUEUE}; the listener writes it
 * with a {@link CreditQueueWriter}): takes the grants written since the last look, in order, and stores the head
 * position past them.
 * <p>
 * Ordering: the tail is read with an acquire load before the entries; the head is stored with a release store after
 * they were read, so the listener never writes over an entry not yet read.
 * <p>
 * Threading: confined to the worker's duty thread.
 */
public final class CreditQueueReader
{
    /**
     * Takes one grant.
     */
    @FunctionalInterface
    public interface GrantHandler
    {
        /**
         * @param requestId   the request the credit is for (it may be complete, or unknown: ignore it then).
         * @param grantLength the bytes granted.
         */
        void onGrant(long requestId, int grantLength);
    }

    private final AtomicBuffer header;
    private long headPosition;

    /**
     * @param header the worker file's header; the queue starts at the head position stored there (0 for a worker
     *               that just attached).
     */
    public CreditQueueReader(final AtomicBuffer header)
    {
        this.header = header;
        this.headPosition = header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET);
    }

    /**
     * Take every grant written since the last look.
     *
     * @param handler told of each grant, in the order written; it may take long (the listener then finds the queue
     *                full and writes its grants into the request ring meanwhile).
     * @return the number of grants taken.
     */
    public int poll(final GrantHandler handler)
    {
        final long tail = header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET);
        if (tail == headPosition)
        {
            return 0;
        }
        if (tail < headPosition || tail - headPosition > WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY)
        {
            // not a tail this queue's writer stores: nothing to take
            return 0;
        }
        int count = 0;
        // the field, not a local: a handler may poll again (the grants it takes are not taken twice)
        while (headPosition < tail)
        {
            final int offset = CreditQueueWriter.entryOffset(headPosition);
            final long requestId = header.getLong(offset);
            final int grantLength = header.getInt(offset + WorkerFileDescriptor.CREDIT_QUEUE_GRANT_OFFSET);
            headPosition++;
            // free the entry before the handler runs: a handler that takes long holds back no grant
            header.putLongRelease(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, headPosition);
            count++;
            if (grantLength > 0)
            {
                handler.onGrant(requestId, grantLength);
            }
        }
        return count;
    }
}
