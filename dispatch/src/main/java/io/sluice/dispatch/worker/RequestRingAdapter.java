package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.CreditQueueReader;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * Reads a shared-memory worker's request ring and dispatches: a {@code REQUEST_HEAD} becomes a
 * {@link SharedMemoryExchange}, handed to the handler once the read has moved the ring's head past it
 * ({@link #dispatch}, with its body when the head carried it inline); body chunks, aborts and credit go to the
 * exchange they name, and to the handler through the {@link HandlerInvoker}. Keeps the exchanges in progress (only the duty thread touches the table). Duty thread only.
 * <p>
 * Exchanges are pooled, so that a request allocates nothing: one the duty thread forgets because its response is
 * complete goes back to a free list ({@link Exchange}: once the response is complete the handler no longer uses it)
 * and takes a later request. One that was aborted is not reused: the handler may still be answering it from another
 * thread, to no effect.
 */
final class RequestRingAdapter implements ControlledMessageHandler, CreditQueueReader.GrantHandler
{
    /**
     * Most completed exchanges kept for reuse; more in progress at once are made anew and left to the collector.
     */
    static final int POOL_CAPACITY = 128;

    private static final UnsafeBuffer QUEUE_WAIT_BODY_BUFFER =
        new UnsafeBuffer(SharedMemoryWorker.QUEUE_WAIT_BODY.getBytes(StandardCharsets.US_ASCII));

    private final SharedMemoryWorker worker;
    private final UnsafeBuffer header;
    private final HandlerInvoker invoker;
    private final ResponsePublisher publisher;
    private final long queueWaitNs;
    private final Long2ObjectHashMap<SharedMemoryExchange> exchanges = new Long2ObjectHashMap<>();
    private final RequestHeadDecoder headDecoder = new RequestHeadDecoder();
    private final CreditQueueReader credits;
    private final SharedMemoryExchange[] pool = new SharedMemoryExchange[POOL_CAPACITY];
    private int pooled;
    private long requestsReceived;
    private SharedMemoryExchange dispatchNext;

    /**
     * @param worker      the exchanges' worker.
     * @param header      the worker file's header (its request counter).
     * @param invoker     calls the handler.
     * @param publisher   told when handler code runs (see {@link ResponsePublisher#enterHandler()}).
     * @param queueWaitMs the queue's {@code queueWait}; 0 never.
     */
    RequestRingAdapter(
        final SharedMemoryWorker worker,
        final UnsafeBuffer header,
        final HandlerInvoker invoker,
        final ResponsePublisher publisher,
        final long queueWaitMs)
    {
        this.worker = worker;
        this.header = header;
        this.invoker = invoker;
        this.publisher = publisher;
        this.queueWaitNs = TimeUnit.MILLISECONDS.toNanos(queueWaitMs);
        this.credits = new CreditQueueReader(header);
    }

    /**
     * Take the grants the listener wrote into the credit queue since the last look
     * ({@link io.sluice.dispatch.shm.WorkerFileDescriptor#FEATURE_CREDIT_QUEUE}).
     *
     * @return the number of grants taken.
     */
    int pollCredits()
    {
        return credits.poll(this);
    }

    /**
     * {@inheritDoc}
     */
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (msgTypeId)
        {
            case MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID ->
            {
                onHead(buffer, index, length);
                // take the head off the ring now; the handler is called once controlledRead has moved past it
                return Action.BREAK;
            }
            case MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID -> onBody(buffer, index);
            case MessageDescriptor.REQUEST_ABORT_MSG_TYPE_ID -> onAbort(buffer, index);
            case MessageDescriptor.RESPONSE_CREDIT_MSG_TYPE_ID -> onCredit(buffer, index);
            default ->
            {
                // unknown types are skipped: a newer listener may send more than this worker knows
            }
        }
        return Action.COMMIT;
    }

    /**
     * @return the exchange whose head the last read took off the ring, for {@link #dispatch}; null when none.
     */
    SharedMemoryExchange takeDispatchNext()
    {
        final SharedMemoryExchange exchange = dispatchNext;
        dispatchNext = null;
        return exchange;
    }

    /**
     * Hand a request taken off the ring to the handler, or answer it {@link SharedMemoryWorker#QUEUE_WAIT_STATUS}
     * when it was taken after its queue's {@code queueWait}. Duty thread, after the ring's head moved past it.
     *
     * @param exchange the request.
     */
    void dispatch(final SharedMemoryExchange exchange)
    {
        if (exchange.isExpired())
        {
            exchange.respond(
                SharedMemoryWorker.QUEUE_WAIT_STATUS, "text/plain", QUEUE_WAIT_BODY_BUFFER, 0,
                QUEUE_WAIT_BODY_BUFFER.capacity());
            // never registered nor handed to the handler
            release(exchange);
            return;
        }
        publisher.enterHandler();
        try
        {
            invoker.onRequest(exchange);
            final RingRequestHead request = exchange.request();
            if (request.hasInlineBody() && !exchange.isResponseComplete())
            {
                // the whole body came with the head: the handler sees it as one last chunk, as if it had streamed
                invoker.onBody(
                    exchange, request.buffer(), request.inlineBodyOffset(), request.inlineBodyLength(), true);
            }
        }
        finally
        {
            publisher.leaveHandler();
        }
        forgetIfComplete(exchange);
    }

    /**
     * @return handler callbacks that threw so far.
     */
    long handlerFailureCount()
    {
        return invoker.failureCount();
    }

    /**
     * @return true while an exchange taken off the ring is not answered yet (answers from other threads counted).
     */
    boolean hasOpenExchanges()
    {
        pruneCompleted();
        return !exchanges.isEmpty();
    }

    private void onHead(final DirectBuffer buffer, final int index, final int length)
    {
        requestsReceived++;
        header.putLongRelease(WorkerFileDescriptor.WORKER_REQUESTS_OFFSET, requestsReceived);
        if (queueWaitNs > 0 &&
            System.nanoTime() - headDecoder.wrap(buffer, index).admittedAtNs() > queueWaitNs)
        {
            // taken too late: answered here once controlledRead has moved past the head; never registered, so its
            // body chunks are ignored as for an unknown id
            final SharedMemoryExchange exchange = acquire(buffer, index, length);
            exchange.expired();
            dispatchNext = exchange;
            return;
        }
        final SharedMemoryExchange exchange = acquire(buffer, index, length);
        exchanges.put(exchange.requestId(), exchange);
        dispatchNext = exchange;
    }

    /**
     * A body chunk for an exchange still in progress. Once an exchange's response is complete it takes no more body:
     * the listener stops forwarding it too.
     */
    private void onBody(final DirectBuffer buffer, final int index)
    {
        final long requestId = BodyChunkFlyweight.requestId(buffer, index);
        final SharedMemoryExchange exchange = exchanges.get(requestId);
        if (null == exchange)
        {
            return;
        }
        final boolean last = (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0;
        // grants that came since the batch began: the handler's answer to this chunk may need them
        credits.poll(this);
        if (!exchange.isResponseComplete())
        {
            final int chunkLength = BodyChunkFlyweight.chunkLength(buffer, index);
            publisher.enterHandler();
            try
            {
                invoker.onBody(exchange, buffer, BodyChunkFlyweight.dataOffset(index), chunkLength, last);
            }
            finally
            {
                publisher.leaveHandler();
            }
            if (chunkLength > 0 && exchange.isTunnel())
            {
                // the handler has taken the bytes: the listener may send as many more
                exchange.tunnelBytesTaken(chunkLength);
            }
        }
        forgetIfComplete(exchange);
    }

    /**
     * The listener gave up on a request (the client went away, or the worker took longer than requestTimeout): the
     * handler is told, and whatever it answers from now on is dropped.
     */
    private void onAbort(final DirectBuffer buffer, final int index)
    {
        final long requestId = BodyChunkFlyweight.requestId(buffer, index);
        final SharedMemoryExchange exchange = exchanges.remove(requestId);
        if (null != exchange && !exchange.isResponseComplete())
        {
            exchange.aborted();
            publisher.enterHandler();
            try
            {
                invoker.onAbort(exchange);
            }
            finally
            {
                publisher.leaveHandler();
            }
        }
    }

    /**
     * The listener granted more response credit for a request: the exchange sends what it held back, and the handler
     * hears {@link Handler#onWritable} if it was told to wait. Credit for a request already answered is ignored.
     */
    private void onCredit(final DirectBuffer buffer, final int index)
    {
        onGrant(BodyChunkFlyweight.requestId(buffer, index), BodyChunkFlyweight.chunkLength(buffer, index));
    }

    /**
     * {@inheritDoc}
     */
    public void onGrant(final long requestId, final int grantLength)
    {
        final SharedMemoryExchange exchange = exchanges.get(requestId);
        if (null == exchange || grantLength <= 0)
        {
            return;
        }
        if (exchange.credit(grantLength))
        {
            publisher.enterHandler();
            try
            {
                invoker.onWritable(exchange);
            }
            finally
            {
                publisher.leaveHandler();
            }
        }
        forgetIfComplete(exchange);
    }

    private void forgetIfComplete(final SharedMemoryExchange exchange)
    {
        if (exchange.isResponseComplete() && exchanges.remove(exchange.requestId()) == exchange)
        {
            release(exchange);
        }
    }

    private SharedMemoryExchange acquire(final DirectBuffer buffer, final int index, final int length)
    {
        final SharedMemoryExchange exchange;
        if (pooled > 0)
        {
            exchange = pool[--pooled];
            pool[pooled] = null;
        }
        else
        {
            exchange = new SharedMemoryExchange(worker);
        }
        return exchange.reset(buffer, index, length);
    }

    /**
     * @param exchange complete and forgotten: the handler no longer uses it.
     */
    private void release(final SharedMemoryExchange exchange)
    {
        if (pooled < POOL_CAPACITY)
        {
            pool[pooled++] = exchange;
        }
    }

    /**
     * Forget exchanges answered from other threads since the last look: only the duty thread touches the map.
     */
    void pruneCompleted()
    {
        if (exchanges.isEmpty())
        {
            return;
        }
        final Iterator<SharedMemoryExchange> iterator = exchanges.values().iterator();
        while (iterator.hasNext())
        {
            final SharedMemoryExchange exchange = iterator.next();
            if (exchange.isResponseComplete())
            {
                iterator.remove();
                release(exchange);
            }
        }
    }
}
