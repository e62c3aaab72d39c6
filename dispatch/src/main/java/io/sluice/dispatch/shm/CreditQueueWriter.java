package io.sluice.dispatch.shm;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The listener's end of a lane's credit queue ({@link WorkerFileDescriptor#FEATURE_CREDIT_QUEUE}): a single-producer,
 * single-consumer queue of response credit grants in the worker file's header, which the worker reads ahead of the
 * request ring, so that a grant never waits behind the body chunks written before it.
 * <p>
 * The writer keeps its own tail position and never reads it back from the file. It reads the worker's head position
 * only to find room, and trusts it only between the head it last accepted and its own tail: a worker that stores any
 * other value loses the queue (every later grant goes into the request ring), which costs nobody but itself. A full
 * queue is back-pressure: {@link #offer} returns false and the grant goes into the request ring instead.
 * <p>
 * What it does not do: it does not make grants come sooner, only keeps them from waiting behind records already in
 * the request ring. The listener still grants only bytes the client's socket has taken, in steps of half a window;
 * so a worker echoing a body longer than its window still holds part of it back (measured with the 1 MiB echo: about
 * a quarter of the response bytes either way, and the same CPU per request within the run-to-run noise).
 * <p>
 * Ordering: the entry is written with plain stores, then the tail with a release store; the worker reads the tail with
 * an acquire load before it reads the entries, and stores its head with a release store after it has read them.
 * <p>
 * Threading: confined to the lane's event loop.
 */
public final class CreditQueueWriter
{
    private final AtomicBuffer header;
    private long tailPosition;
    private long headPosition;
    private boolean enabled;

    /**
     * @param header the worker file's header.
     */
    public CreditQueueWriter(final AtomicBuffer header)
    {
        this.header = header;
    }

    /**
     * A worker attached: use the queue when it announced {@link WorkerFileDescriptor#FEATURE_CREDIT_QUEUE}. The file's
     * positions are 0 then ({@link #reset()} zeroed them when the last worker exited; a new file starts at 0).
     *
     * @param workerFeatures the worker's features.
     */
    public void workerAttached(final int workerFeatures)
    {
        tailPosition = 0;
        headPosition = 0;
        enabled = (workerFeatures & WorkerFileDescriptor.FEATURE_CREDIT_QUEUE) != 0;
    }

    /**
     * The worker exited: the queue is unused, and its positions in the file are zeroed for the replacement: the tail,
     * then the head, both before the worker features are cleared. A replacement that read either position before it
     * was zeroed had stored its features before that read, so they are cleared after it and the queue stays off for
     * that worker; one that reads after finds both at 0.
     */
    public void reset()
    {
        enabled = false;
        tailPosition = 0;
        headPosition = 0;
        header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET, 0);
        header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, 0);
    }

    /**
     * @return true while grants may go into the queue: the worker announced it, and has kept to its rules.
     */
    public boolean isEnabled()
    {
        return enabled;
    }

    /**
     * Write one grant into the queue.
     *
     * @param requestId   the request the credit is for.
     * @param grantLength the bytes granted, &gt; 0.
     * @return true when written; false when the queue is not in use or full (write the grant into the request ring).
     */
    public boolean offer(final long requestId, final int grantLength)
    {
        if (!enabled)
        {
            return false;
        }
        final long tail = tailPosition;
        if (tail - headPosition >= WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY)
        {
            final long head = header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET);
            if (head < headPosition || head > tail)
            {
                // the worker broke the queue's rules: it gets its grants in the request ring from now on
                enabled = false;
                return false;
            }
            headPosition = head;
            if (tail - head >= WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY)
            {
                return false;
            }
        }
        final int offset = entryOffset(tail);
        header.putLong(offset, requestId);
        header.putInt(offset + WorkerFileDescriptor.CREDIT_QUEUE_GRANT_OFFSET, grantLength);
        header.putInt(offset + WorkerFileDescriptor.CREDIT_QUEUE_GRANT_OFFSET + Integer.BYTES, 0);
        tailPosition = tail + 1;
        header.putLongRelease(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET, tail + 1);
        return true;
    }

    /**
     * @param position a queue position.
     * @return the offset of its entry in the header.
     */
    public static int entryOffset(final long position)
    {
        return WorkerFileDescriptor.CREDIT_QUEUE_ENTRIES_OFFSET +
            (int)(position & (WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY - 1)) *
            WorkerFileDescriptor.CREDIT_QUEUE_ENTRY_LENGTH;
    }
}
