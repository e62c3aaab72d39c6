package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.Doorbell;
import io.sluice.dispatch.shm.CreditQueueWriter;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.queue.FlushListener;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.nio.MappedByteBuffer;

/**
 * The listener's end of one worker's rings and doorbell: attaches the worker's start that presents its token, and
 * puts together the parts that each do one job for it:
 * <ul>
 *     <li>{@link RequestRingPublisher}: everything written into the request ring, and waking the worker;</li>
 *     <li>{@link ResponseRingAdapter}: reading the response ring, checked, into the connections;</li>
 *     <li>{@link WorkerLiveness}: whether the worker is hung ({@link #heartbeat});</li>
 *     <li>{@link WorkerCrashRecovery}: its requests once it exited ({@link #workerExited()}).</li>
 * </ul>
 * <p>
 * Threading: confined to the event loop that owns this lane of the worker ({@link LoopLanes}), which also owns the
 * lane's doorbell channel: only that loop produces into the lane's request ring and drains its response ring.
 * <p>
 * Flow control: a worker may send each response's body at most its window ahead of what the client's socket has
 * taken ({@link ResponseCredit}). Once half a window of a response is outstanding, the link asks the exchange to tell
 * it when those bytes are flushed to the socket, and then grants them back in one {@code RESPONSE_CREDIT} message
 * (queued, merged, while the request ring is full). The notice allocates nothing: the link is one
 * {@link FlushListener} for all its requests, told with the request's id (so a late notice for a slot that has moved on
 * is ignored), and the connection reuses one marker message behind the bytes. So a slow client holds at most its
 * window here, and the response ring is drained without ever waiting for a client. A worker that sends past its
 * credit is failed ({@link #failWorker(String)}).
 * <p>
 * Trust: a worker that breaks the protocol (a record that breaks the ring's layout, a trailer it must not write) is
 * failed alone ({@link #failWorker(String)}); nothing of its rings is believed before it is checked, and the listener
 * keeps its own copies of the positions it owns.
 */
final class SharedMemoryLink implements ResponsePoll.Ring, WorkerLoad
{
    private static final int DRAIN_LIMIT = 256;

    final int slot;
    private final LoopLanes host;
    private final UnsafeBuffer header;
    private final Doorbell wakeUp;
    private final RequestRingProducer requestProducer;
    private final RequestRingPublisher publisher;
    private final ResponseRingAdapter adapter;
    private final WorkerCrashRecovery recovery;
    private final WorkerLiveness liveness = new WorkerLiveness();
    private final ResponsePoll poll;
    private final FlushListener flushListener = this::onFlushed;
    private final Runnable drainTask = this::drain;
    private volatile Channel doorbell;
    private volatile WorkerWakePipe wakePipe;
    private volatile String expectedToken;
    private boolean closed;
    private boolean failed;
    private String attachedToken;
    private String usedToken;
    private int outstanding;
    private long requestCount;
    private boolean routable;

    SharedMemoryLink(final LoopLanes host, final int slot, final MappedByteBuffer mapped)
    {
        this(host, slot, mapped, MessageDescriptor.RESPONSE_WINDOW_DEFAULT);
    }

    SharedMemoryLink(
        final LoopLanes host, final int slot, final MappedByteBuffer mapped, final int responseWindow)
    {
        this.host = host;
        this.slot = slot;
        this.header = WorkerFileDescriptor.headerBuffer(mapped);
        this.wakeUp = Doorbell.listenerSide(header);
        final UnsafeBuffer requestRingBuffer = WorkerFileDescriptor.requestRingBuffer(mapped);
        final ManyToOneRingBuffer requestRing = new ManyToOneRingBuffer(requestRingBuffer);
        final PublishedRecords publishedRecords =
            new PublishedRecords(requestRing.capacity(), requestRing.producerPosition());
        this.requestProducer = new RequestRingProducer(requestRingBuffer, publishedRecords);
        final RequestSlots slots = null == host ? null : host.slots();
        this.publisher = new RequestRingPublisher(
            this, wakeUp, requestRingBuffer, requestProducer, new CreditQueueWriter(header), responseWindow);
        this.adapter = new ResponseRingAdapter(
            this, host, slots, publisher, WorkerFileDescriptor.responseRingBuffer(mapped));
        this.recovery = new WorkerCrashRecovery(
            this, host, slots, publisher, adapter, requestRingBuffer, requestProducer, publishedRecords,
            responseWindow);
        this.poll = null == host ? null : new ResponsePoll(this, (task) -> eventLoop().execute(task), host.nanoClock());
    }

    /**
     * @return the requests sent through this link that have not ended: the load {@link LoopLanes#pickLink()} weighs.
     */
    public int outstanding()
    {
        return outstanding;
    }

    /**
     * A request was assigned to this link ({@link SharedMemoryRequest#assign}).
     */
    void requestAssigned()
    {
        outstanding++;
        requestCount++;
    }

    /**
     * @return requests assigned to this link since the host started; on the loop.
     */
    long requestCount()
    {
        return requestCount;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isRoutable()
    {
        return routable;
    }

    /**
     * @param routable true when new requests may go to this lane; on the loop.
     */
    void routable(final boolean routable)
    {
        this.routable = routable;
    }

    /**
     * A request assigned to this link ended ({@link SharedMemoryRequest#release()}).
     */
    void requestEnded()
    {
        outstanding--;
    }

    /**
     * @return true while a worker is attached to this lane.
     */
    public boolean isAttached()
    {
        return null != doorbell;
    }

    /**
     * @return the doorbell channel of the attached worker, or null.
     */
    Channel doorbell()
    {
        return doorbell;
    }

    /**
     * @return the event loop that owns this lane.
     */
    EventLoop eventLoop()
    {
        return host.eventLoop();
    }

    void expectToken(final String token)
    {
        expectedToken = token;
    }

    String expectedToken()
    {
        return expectedToken;
    }

    /**
     * A token is good for one attach: while a worker is attached, or once its start's token was used, no connection
     * attaches (a new start gets a new token). On the home event loop.
     *
     * @param token the expected token, which the connection presented.
     * @return true when a connection presenting it may attach.
     */
    boolean admitsToken(final String token)
    {
        return null == doorbell && null != token && !token.equals(usedToken);
    }

    /**
     * The worker presented its token on the doorbell channel, for the first time in this start
     * ({@link #admitsToken(String)}): the per-start state (failed, kill requested) begins here.
     *
     * @param channel the doorbell channel; its event loop drains the response ring.
     */
    void attach(final Channel channel)
    {
        if (closed || !admitsToken(expectedToken))
        {
            channel.close();
            return;
        }
        doorbell = channel;
        attachedToken = expectedToken;
        usedToken = expectedToken;
        failed = false;
        liveness.attached(header.getLongVolatile(WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET));
        // written before the token: what this worker takes beyond the layout's minimum (inline request bodies)
        workerFeatures(header.getIntVolatile(WorkerFileDescriptor.WORKER_FEATURES_OFFSET));
        if (!requestProducer.check())
        {
            // it wrote its request ring's trailer before it attached
            failWorker(requestProducer.violation());
            return;
        }
        host.workerReady(slot);
        drain();
        publisher.ringWorker();
    }

    /**
     * What the attached worker takes beyond the layout's minimum, as it announced when it attached.
     *
     * @param features {@link WorkerFileDescriptor#WORKER_FEATURES_OFFSET}'s value.
     */
    void workerFeatures(final int features)
    {
        publisher.workerAttached(features);
        adapter.workerAttached(features);
    }

    /**
     * The host's timer: store the listener heartbeat, and judge the worker's liveness. A worker is stuck while it is
     * awake, requests wait unread in its ring, and its heartbeat does not change; stuck for {@code timeoutMs} of the
     * listener's own clock, counted from the first look that found it so (wall-clock steps and clock differences
     * between the processes do not matter), it is hung. A sleeping worker is idle, not hung. On the home event loop.
     *
     * @param epochMs   the wall clock, stored as the listener heartbeat.
     * @param nowMs     the host's monotonic clock.
     * @param timeoutMs the heartbeat timeout; {@code 0} never finds a worker hung.
     * @return true, once per worker, when the worker is hung and must be killed.
     */
    boolean heartbeat(final long epochMs, final long nowMs, final long timeoutMs)
    {
        if (closed)
        {
            return false;
        }
        header.putLongRelease(WorkerFileDescriptor.LISTENER_HEARTBEAT_OFFSET, epochMs);
        // no claim is open between event-loop tasks; one left by a throw is published as padding
        requestProducer.abortOpenClaim();
        if (null != doorbell && !failed && !requestProducer.check())
        {
            // found by the timer even when no request comes to claim room in the ring
            failWorker(requestProducer.violation());
        }
        if (null == doorbell || timeoutMs <= 0)
        {
            liveness.unwatched();
            return false;
        }
        return liveness.isHung(
            header.getLongVolatile(WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET),
            wakeUp.isPeerSleeping(),
            requestProducer.knownHead() < requestProducer.tail(),
            nowMs,
            timeoutMs);
    }

    /**
     * The host is closing: from now on nothing touches the mapping, which is unmapped next. On the home event loop.
     */
    void close()
    {
        closed = true;
        publisher.close();
        doorbell = null;
        final WorkerWakePipe pipe = wakePipe;
        if (null != pipe)
        {
            pipe.close();
        }
    }

    /**
     * Give the lane a wake pipe, before any worker starts: workers that announce
     * {@link WorkerFileDescriptor#FEATURE_WAKE_PIPE} are woken through it.
     *
     * @param pipe the pipe, which the link closes when it closes.
     */
    void wakePipe(final WorkerWakePipe pipe)
    {
        wakePipe = pipe;
    }

    /**
     * @return the lane's wake pipe, or null when it has none.
     */
    WorkerWakePipe wakePipe()
    {
        return wakePipe;
    }

    void detach(final Channel channel)
    {
        if (doorbell == channel)
        {
            doorbell = null;
        }
    }

    /**
     * The request was abandoned (client gone, or requestTimeout): tell the worker if it may have the head, and free
     * the slot. On the home event loop.
     *
     * @param request the slot.
     */
    void abort(final SharedMemoryRequest request)
    {
        publisher.tellAbort(request);
        request.release();
    }

    /**
     * Write a request head, stamped with the admission time; on the connection's event loop
     * ({@link RequestRingPublisher#openRequest}).
     *
     * @param request       the slot.
     * @param httpRequest   the decoded head.
     * @param contentLength of the body, -1 chunked, 0 none.
     * @return false when the head cannot be encoded at all (larger than the ring's largest message).
     */
    boolean openRequest(final SharedMemoryRequest request, final HttpRequest httpRequest, final long contentLength)
    {
        return publisher.openRequest(request, httpRequest, contentLength);
    }

    /**
     * Copy body bytes into the ring, as far as they fit ({@link RequestRingPublisher#offerBody}).
     *
     * @param request the slot.
     * @param content the chunk; its reader index advances over what was written.
     * @param last    true for the final chunk.
     * @return true when all of it (and the last flag) was written.
     */
    boolean offerBody(final SharedMemoryRequest request, final ByteBuf content, final boolean last)
    {
        return publisher.offerBody(request, content, last);
    }

    /**
     * Drain the response ring into the connections until it is empty, then set the sleeping flag and look once more.
     * On the doorbell channel's event loop. Stops for good (until the next worker attaches) once the worker failed.
     * While {@link ResponsePoll} looks, it does not arm the flag: the poll does when it stops.
     */
    public void drain()
    {
        if (closed || failed)
        {
            return;
        }
        try
        {
            while (!failed)
            {
                final int count = adapter.read(DRAIN_LIMIT);
                if (count == DRAIN_LIMIT)
                {
                    // stay awake but let the event loop serve its sockets before the next batch
                    final Channel channel = doorbell;
                    if (null != channel)
                    {
                        channel.eventLoop().execute(drainTask);
                        return;
                    }
                    continue;
                }
                if (count > 0)
                {
                    continue;
                }
                if (null != poll && poll.isPolling())
                {
                    // the poll looks again, and arms the flag when it stops
                    return;
                }
                wakeUp.arm();
                final long position = adapter.position();
                // a read that only skipped the padding at the end of the buffer returns 0 but moves the position
                if (adapter.read(DRAIN_LIMIT) == 0 && adapter.position() == position)
                {
                    return;
                }
                wakeUp.disarm();
            }
        }
        catch (final RuntimeException ex)
        {
            // the listener cannot tell a bad record from its own fault here: the worker is replaced either way, and
            // the requests it holds are settled when it exits
            failWorker("reading its response ring failed: " + ex);
        }
    }

    /**
     * Requests were sent to the worker, which is rung next: look for its answers for a while ({@link ResponsePoll}),
     * unless its budget says not to, or it already looks. On the home event loop.
     *
     * @return true when a period of looks began: call {@link #pollNow()} once the worker is rung.
     */
    boolean startPoll()
    {
        return null != poll && isAttached() && poll.start();
    }

    /**
     * After {@link #startPoll()} returned true and the worker was rung: the first look, at once. On the home event
     * loop.
     */
    void pollNow()
    {
        poll.run();
    }

    /**
     * {@inheritDoc}
     */
    public void stayAwake()
    {
        wakeUp.disarm();
    }

    /**
     * {@inheritDoc}
     */
    public int look()
    {
        if (closed || failed || !isAttached())
        {
            return -1;
        }
        try
        {
            return adapter.read(DRAIN_LIMIT);
        }
        catch (final RuntimeException ex)
        {
            failWorker("reading its response ring failed: " + ex);
            return -1;
        }
    }

    /**
     * {@inheritDoc}
     */
    public boolean hasOutstanding()
    {
        return outstanding > 0;
    }

    /**
     * @return the link's look at its response ring while requests are outstanding, or null without a host (tests).
     */
    ResponsePoll poll()
    {
        return poll;
    }

    /**
     * The worker process exited: deliver the answers it completed, answer what it may have started with 502 (or
     * write an idempotent request into the ring again, once, when its response has not begun), keep what it never read
     * for the next worker, and clear the response ring (its only producer is gone). On the doorbell's event loop.
     */
    void workerExited()
    {
        if (closed)
        {
            return;
        }
        // the worker is gone: nothing to kill any more, whatever its response ring holds
        attachedToken = null;
        try
        {
            drain();
            publisher.clearPendingCredits();
            recovery.settleInFlight();
        }
        finally
        {
            // reset even when draining or settling threw: a bad record left here would fail every replacement
            adapter.reset();
            wakeUp.reset();
            final WorkerWakePipe pipe = wakePipe;
            if (null != pipe)
            {
                // what the worker left unread would wake its replacement for nothing
                pipe.drain();
            }
            // the credit queue's positions are zeroed before the features (CreditQueueWriter.reset says why)
            publisher.workerDetached();
            // the replacement announces its own features, or none
            header.putIntVolatile(WorkerFileDescriptor.WORKER_FEATURES_OFFSET, 0);
            doorbell = null;
            liveness.exited();
            failed = false;
            publisher.retryPendingHeads();
        }
    }

    /**
     * The worker broke the protocol (a malformed record in its response ring, a body past its credit): it fails alone.
     * From now on nothing it sends reaches a client (its response ring is not read again) and no request is sent to
     * it; it is killed, by the path a hung worker takes, and when it has exited its requests are settled as for any
     * worker that died ({@link #workerExited()}: 502, or a retry of an idempotent request whose response had not
     * begun; those it never took left for its replacement) and its replacement starts on reset rings. Other workers
     * and queues are not affected. Idempotent; on the home event loop.
     *
     * @param reason what the worker did, for the log.
     */
    void failWorker(final String reason)
    {
        if (closed || failed)
        {
            return;
        }
        failed = true;
        doorbell = null;
        // the token of the worker that was attached: never the one a replacement may be starting with by now
        host.failWorker(slot, attachedToken, reason);
    }

    /**
     * @return true once {@link #failWorker(String)} was called, until the worker's replacement attaches.
     */
    boolean isFailed()
    {
        return failed;
    }

    /**
     * Ask to hear when the response bytes received so far have been taken by the client's socket; then grant them.
     * The notice comes to {@link #flushListener} with the request's id, so a late one for a slot that has moved on is
     * ignored; nothing is allocated.
     */
    void watch(final SharedMemoryRequest request)
    {
        request.credit.watch();
        request.exchange().notifyWhenFlushed(flushListener, request.requestId());
    }

    /**
     * The client's socket took the response bytes up to the request's watched mark, if the request is still the one
     * that asked and is still answered through this link: grant them as credit, and watch again when half a window
     * is already outstanding beyond them.
     *
     * @param requestId as given with the watch.
     */
    void onFlushed(final long requestId)
    {
        if (closed || failed)
        {
            return;
        }
        final SharedMemoryRequest request = host.slots().lookup(requestId, this);
        if (null != request)
        {
            flushed(request);
        }
    }

    /**
     * The client's socket took the response bytes up to the request's watched mark.
     *
     * @param request in flight on this link.
     */
    void flushed(final SharedMemoryRequest request)
    {
        final int grant = request.credit.flushed(request.credit.watchMark());
        if (grant > 0)
        {
            host.responseBytes().done(grant);
            publisher.grant(request, grant);
        }
        if (request.credit.shouldWatch())
        {
            watch(request);
        }
    }

    /**
     * A grant still waiting for room in the request ring is dropped with its request.
     *
     * @param request the slot being released.
     */
    void dropPendingCredit(final SharedMemoryRequest request)
    {
        publisher.dropPendingCredit(request);
    }

    /**
     * A body piece still waiting for room in the request ring is forgotten with its request.
     *
     * @param request the slot being released.
     */
    void dropBlockedBody(final SharedMemoryRequest request)
    {
        publisher.dropBlockedBody(request);
    }

    /**
     * The worker may have taken records: connections whose body pieces the full request ring refused offer them
     * again if it has room now ({@link RequestRingPublisher#resumeBlockedBodies()}).
     */
    void resumeBlockedBodies()
    {
        publisher.resumeBlockedBodies();
    }

    /**
     * Repair the request ring's consumer position after the worker died ({@link WorkerCrashRecovery}).
     */
    void repairConsumerPosition()
    {
        recovery.repairConsumerPosition();
    }

    /**
     * @return how many times {@link #repairConsumerPosition()} moved the head past records a dead worker took.
     */
    long ringRepairs()
    {
        return recovery.ringRepairs();
    }
}
