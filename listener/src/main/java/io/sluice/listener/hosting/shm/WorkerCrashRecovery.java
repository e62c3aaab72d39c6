package io.sluice.listener.hosting.shm;

import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.ErrorReason;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.logging.Logger;

/**
 * What the listener does for one worker's requests once the worker process has exited, whatever killed it.
 * <p>
 * The worker takes a request head off the ring before it starts work on it, so the ring's consumer position tells
 * exactly which requests it may have started. Those whose head record lies below it are answered 502, except that a
 * GET, HEAD or OPTIONS without a body whose response has not begun is written into the ring again, once; the records
 * above it stay in the ring for the replacement worker. First the consumer position itself is repaired
 * ({@link #repairConsumerPosition()}): a worker killed while taking a record leaves it half zeroed, and one that broke
 * the ring's protocol is not believed at all.
 * <p>
 * Threading: confined to the host's event loop, and only while no worker is attached (the listener is then the
 * ring's only user).
 */
final class WorkerCrashRecovery
{
    private static final Logger LOG = Logger.getLogger(WorkerCrashRecovery.class.getName());
    private static final int SETTLED_FAILED = 0;
    private static final int SETTLED_RETRIED = 1;
    private static final int SETTLED_LEFT = 2;

    private final SharedMemoryLink link;
    private final LoopLanes host;
    private final RequestSlots slots;
    private final RequestRingPublisher publisher;
    private final ResponseRingAdapter adapter;
    private final AtomicBuffer ringBuffer;
    private final int requestHeadPositionIndex;
    private final RequestRingProducer requestProducer;
    private final PublishedRecords publishedRecords;
    private final int responseWindow;
    private volatile long ringRepairs;

    /**
     * @param link             the worker's link.
     * @param host             the host, told what was settled; null in tests of a link alone.
     * @param slots            the queue's request slots; null in tests of a link alone.
     * @param publisher        the writer of the request ring, which writes retried heads again.
     * @param adapter          the reader of the response ring, which answers in the worker's place.
     * @param ringBuffer       the request ring's buffer.
     * @param requestProducer  the listener's producer over it.
     * @param publishedRecords where the listener's records start.
     * @param responseWindow   the response body a worker may send ahead of the listener's credit.
     */
    WorkerCrashRecovery(
        final SharedMemoryLink link,
        final LoopLanes host,
        final RequestSlots slots,
        final RequestRingPublisher publisher,
        final ResponseRingAdapter adapter,
        final AtomicBuffer ringBuffer,
        final RequestRingProducer requestProducer,
        final PublishedRecords publishedRecords,
        final int responseWindow)
    {
        this.link = link;
        this.host = host;
        this.slots = slots;
        this.publisher = publisher;
        this.adapter = adapter;
        this.ringBuffer = ringBuffer;
        this.requestHeadPositionIndex =
            ringBuffer.capacity() - RingBufferDescriptor.TRAILER_LENGTH + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.requestProducer = requestProducer;
        this.publishedRecords = publishedRecords;
        this.responseWindow = responseWindow;
    }

    /**
     * Settle the requests the exited worker held: repair the ring's consumer position, then answer 502, retry, or
     * leave each for the replacement, and tell the host how many of each.
     */
    void settleInFlight()
    {
        repairConsumerPosition();
        final long consumed = requestProducer.knownHead();
        final int[] settled = new int[3];
        slots.forEachInFlight(
            link,
            RequestSlots.ANY_START,
            (request) ->
            {
                if (request.isHeadPending() || request.isBodyAwaited() || request.headPosition() >= consumed)
                {
                    settled[SETTLED_LEFT]++;
                    return;
                }
                final ClientExchange exchange = request.exchange();
                if (request.mayRetry() && !exchange.isHeadSent())
                {
                    settled[SETTLED_RETRIED]++;
                    host.responseBytes().done(request.retryHead(responseWindow));
                    publisher.requeueHead(request);
                }
                else
                {
                    settled[SETTLED_FAILED]++;
                    adapter.answer(
                        request, 502, "bad gateway: worker exited", ErrorReason.CONNECTION_ABANDONED_BY_WORKER);
                }
            });
        host.workerExitSettled(link.slot, settled[SETTLED_FAILED], settled[SETTLED_RETRIED], settled[SETTLED_LEFT]);
    }

    /**
     * Agrona's consumer zeroes the records it has read and then moves the head position: a worker killed between the
     * two leaves the record at the head zeroed, or only its first bytes zeroed (header first), which the next worker
     * would read as an empty ring, or as a record header in the middle of a body. Move the head to the first record
     * whose length word is still the one this listener committed, from the listener's own account of where its records
     * start ({@link PublishedRecords}), never from the ring's contents. Only while no worker is attached (the listener
     * is then the ring's only user).
     */
    void repairConsumerPosition()
    {
        final AtomicBuffer buffer = ringBuffer;
        final long head = buffer.getLongVolatile(requestHeadPositionIndex);
        final long tail = requestProducer.tail();
        final long position;
        if (requestProducer.isBroken() || !requestProducer.checkHead(head))
        {
            // it broke the ring's protocol: nothing it says about what it took is believed; every record published
            // may have been taken (its requests are answered 502, or written again when idempotent)
            position = tail;
            final long from = requestProducer.knownHead();
            LOG.warning(() -> "worker " + link.slot + " left a request ring trailer that breaks the protocol (head " +
                head + "); discarding the " + (tail - from) + " bytes from " + from + " to the tail");
        }
        else
        {
            position = publishedRecords.repair(buffer, head, tail);
            if (position != head)
            {
                final long skipped = position - head;
                LOG.warning(() -> "worker " + link.slot + " died while taking " + skipped +
                    " bytes off its request ring; moving the head past them");
            }
        }
        // the trailer holds the listener's positions again, and the free part of the buffer only zeros
        requestProducer.reset(position);
        if (position != head)
        {
            ringRepairs++;
        }
    }

    /**
     * @return how many times {@link #repairConsumerPosition()} moved the head past records a dead worker took.
     */
    long ringRepairs()
    {
        return ringRepairs;
    }
}
