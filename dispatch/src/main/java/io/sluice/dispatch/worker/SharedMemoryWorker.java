package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.WakeProtocol;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import static io.sluice.dispatch.shm.WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET;
import static io.sluice.dispatch.shm.WorkerFileDescriptor.WORKER_SLEEPING_OFFSET;

/**
 * The worker side of the shared-memory hand-off: an {@link Agent} whose duty cycle reads the request ring and calls
 * the {@link Handler}; {@link SharedMemoryExchange} writes the answers into the response ring from any thread.
 * <p>
 * Running: {@link #run()} runs the duty cycle under Agrona's {@link AgentRunner} ({@link SharedMemoryWorkerAgent}), with
 * its error handler and {@link WorkerCounters counters}. Idle ({@link DoorbellIdleStrategy}): after a short spin it
 * sets its sleeping flag, looks at the ring once more, and blocks reading its doorbell socket, so an idle worker costs
 * no CPU. End-of-file on the doorbell means the listener is gone: the worker exits.
 * <p>
 * Delivery: a {@code REQUEST_HEAD} is taken off the ring (the ring's head position moves past it) <em>before</em> the
 * handler sees it, so the listener, reading the head position after this process died, knows exactly which requests
 * it may have started (those are answered 502 or retried when idempotent) and which it never saw (those are served by
 * the replacement worker). Every other message is taken after it was handled.
 * <p>
 * Waking the listener ({@link #publish}): records published by the duty thread share one wake-up check per read
 * batch, made at the end of the batch (a batch of answers costs a sleeping listener one wake-up). While the duty
 * thread runs handler code, which may block, it hands what it owes to a {@link PendingWakeWatcher}, which announces it
 * if the handler has not returned within about a millisecond: a finished answer never waits for whatever a handler
 * does next. Records published by other threads are announced at once.
 * <p>
 * Liveness: the duty cycle stores the epoch-ms clock in the worker heartbeat at most every
 * {@value #HEARTBEAT_INTERVAL_MS} ms, and once more before it blocks on the doorbell; the listener kills a worker that
 * is awake with requests waiting in its ring and a heartbeat that stopped. A watchdog thread exits the process when the
 * listener's heartbeat has not changed for {@link WorkerEnvironment#heartbeatTimeoutMs()}.
 * <p>
 * Queue wait: a request head carries the listener's {@link System#nanoTime()} at admission. When the queue has a
 * {@code queueWait} ({@link WorkerEnvironment#queueWaitMs()}) and the head is taken off the ring more than that long
 * after admission, the handler never sees it: the worker answers {@value #QUEUE_WAIT_STATUS} itself, and ignores the
 * request's body chunks. The worker decides when it takes the head, so the listener can never have answered a
 * request that also runs.
 * <p>
 * Flow control: an exchange sends at most {@link WorkerEnvironment#responseWindow()} response body bytes ahead of the
 * listener's {@code RESPONSE_CREDIT} messages, which this duty cycle reads from the request ring; body past that waits
 * in the exchange and goes out as credit arrives, and a handler told to wait hears {@link Handler#onWritable} on this
 * thread.
 * <p>
 * Stopping: {@link #requestStop()} (end-of-file on standard input while the listener is alive) makes the duty cycle
 * serve what is already in the ring and wait for the answers still owed, then return.
 */
public final class SharedMemoryWorker implements Agent, ControlledMessageHandler
{
    /**
     * Least interval between two heartbeats written by the duty cycle: {@value} ms.
     */
    public static final long HEARTBEAT_INTERVAL_MS = 100;

    /**
     * Exit status of a worker that gave up on a listener whose heartbeat went stale: {@value}.
     */
    public static final int EXIT_LISTENER_STALE = 3;

    /**
     * Status of the answer to a request taken off the ring after the queue's {@code queueWait}: {@value}.
     */
    public static final int QUEUE_WAIT_STATUS = 503;

    /**
     * Body of the answer to a request taken off the ring after the queue's {@code queueWait}.
     */
    public static final String QUEUE_WAIT_BODY = "service unavailable: queue wait\n";

    private static final UnsafeBuffer QUEUE_WAIT_BODY_BUFFER =
        new UnsafeBuffer(QUEUE_WAIT_BODY.getBytes(StandardCharsets.US_ASCII));
    private static final int READ_LIMIT = 64;
    private static final int PUBLISH_ATTEMPTS_PER_HEARTBEAT = 1024;
    private static final Logger LOG = Logger.getLogger(SharedMemoryWorker.class.getName());

    private final HandlerInvoker invoker;
    private final UnsafeBuffer header;
    private final ManyToOneRingBuffer requestRing;
    private final ManyToOneRingBuffer responseRing;
    private final SocketChannel doorbell;
    private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
    private final ByteBuffer sleepBuffer = ByteBuffer.allocateDirect(64);
    private final Long2ObjectHashMap<SharedMemoryExchange> exchanges = new Long2ObjectHashMap<>();
    private final WorkerCounters counters = new WorkerCounters();
    private final int maxResponseMessageLength;
    private final long queueWaitNs;
    private final int responseWindow;
    private final RequestHeadDecoder headDecoder = new RequestHeadDecoder();
    private long requestsReceived;
    private long heartbeatMs;
    private SharedMemoryExchange dispatchNext;
    private Thread dutyThread;
    private boolean wakePending;
    private boolean inHandler;
    private long batchNs;
    private PendingWakeWatcher wakeWatcher;
    private boolean startWakeWatcher = true;
    private boolean listenerGone;
    private volatile boolean stopRequested;

    SharedMemoryWorker(
        final Handler handler,
        final UnsafeBuffer header,
        final ManyToOneRingBuffer requestRing,
        final ManyToOneRingBuffer responseRing,
        final SocketChannel doorbell)
    {
        this(handler, header, requestRing, responseRing, doorbell, 0, MessageDescriptor.RESPONSE_WINDOW_DEFAULT);
    }

    SharedMemoryWorker(
        final Handler handler,
        final UnsafeBuffer header,
        final ManyToOneRingBuffer requestRing,
        final ManyToOneRingBuffer responseRing,
        final SocketChannel doorbell,
        final long queueWaitMs,
        final int responseWindow)
    {
        this.queueWaitNs = TimeUnit.MILLISECONDS.toNanos(queueWaitMs);
        this.responseWindow = responseWindow;
        this.invoker = new HandlerInvoker(handler);
        this.header = header;
        this.requestRing = requestRing;
        this.responseRing = responseRing;
        this.doorbell = doorbell;
        this.maxResponseMessageLength = responseRing.maxMsgLength();
    }

    /**
     * Attach to the rings the listener prepared in {@code env.shmDir()}, present the token, and serve until the
     * listener goes away.
     *
     * @param handler the application.
     * @param env     the worker's environment.
     * @param watch   told of the worker once it is attached, so that end-of-file on standard input asks it to finish.
     * @throws IOException when the files or the doorbell cannot be opened.
     */
    static void serve(final Handler handler, final WorkerEnvironment env, final ListenerWatch watch) throws IOException
    {
        final SharedMemoryAttachment attachment = SharedMemoryAttachment.attach(env);
        final SharedMemoryWorker worker = new SharedMemoryWorker(
            handler, attachment.header(), attachment.requestRing(), attachment.responseRing(), attachment.doorbell(),
            env.queueWaitMs(), env.responseWindow());
        if (env.heartbeatTimeoutMs() > 0)
        {
            ListenerWatch.watchHeartbeat(attachment.header(), env.heartbeatTimeoutMs());
        }
        watch.attached(worker);
        worker.run();
    }

    /**
     * Ask the duty cycle to finish: serve what is in the ring, wait for the answers still owed, then return from
     * {@link #run()}. Any thread; returns at once.
     *
     * @return false when the listener is gone (nothing to finish for): the caller should exit at once.
     */
    boolean requestStop()
    {
        if (!isListenerReachable())
        {
            return false;
        }
        stopRequested = true;
        try
        {
            // wakes the duty cycle if it blocks on the doorbell; the listener's wake-ups are not needed any more
            doorbell.shutdownInput();
        }
        catch (final IOException ignore)
        {
            // the duty cycle notices the stop at its next look
        }
        return true;
    }

    /**
     * The duty cycle on the calling thread until the listener goes away, or, after {@link #requestStop()}, until the
     * ring is drained and the answers owed are finished: a {@link SharedMemoryWorkerAgent} under Agrona's
     * {@link AgentRunner}, idling with a {@link DoorbellIdleStrategy}.
     */
    void run()
    {
        final SharedMemoryWorkerAgent agent = new SharedMemoryWorkerAgent(this);
        final AgentRunner runner = new AgentRunner(new DoorbellIdleStrategy(this), agent, counters.errors(), agent);
        try
        {
            runner.run();
        }
        finally
        {
            if (null != wakeWatcher)
            {
                wakeWatcher.stop();
            }
            LOG.fine(() -> roleName() + ": duty cycle ended: " + counters);
        }
        agent.rethrowFailure();
    }

    /**
     * The duty thread begins: records published from now on by this thread are announced per batch, and the watcher
     * of hand-offs starts.
     */
    void startDuty()
    {
        dutyThread = Thread.currentThread();
        if (startWakeWatcher)
        {
            watcher().start("sluice-wake-watcher");
        }
    }

    /**
     * End of a read batch, on the duty thread: announce what the batch published (one wake-up check per batch).
     */
    void endBatch()
    {
        if (wakePending)
        {
            wakePending = false;
            wakeListener();
        }
    }

    /**
     * @return true once {@link #requestStop()} was called.
     */
    boolean isStopRequested()
    {
        return stopRequested;
    }

    /**
     * @return true once the doorbell said the listener is gone.
     */
    boolean isListenerGone()
    {
        return listenerGone;
    }

    /**
     * @return the duty cycle's counters.
     */
    WorkerCounters counters()
    {
        return counters;
    }

    /**
     * Read the clock once (heartbeat), then take up to a batch of messages off the request ring. A request head ends
     * a read: its handler is called after the ring's head position has moved past it (see the class comment).
     *
     * @return the number of messages taken.
     */
    public int doWork()
    {
        batchNs = 0;
        final long nowMs = System.currentTimeMillis();
        if (nowMs - heartbeatMs >= HEARTBEAT_INTERVAL_MS)
        {
            heartbeat(nowMs);
            pruneCompleted();
        }
        int work = 0;
        while (work < READ_LIMIT)
        {
            work += requestRing.controlledRead(this, READ_LIMIT - work);
            final SharedMemoryExchange exchange = dispatchNext;
            if (null == exchange)
            {
                break;
            }
            dispatchNext = null;
            if (exchange.isExpired())
            {
                exchange.respond(
                    QUEUE_WAIT_STATUS, "text/plain", QUEUE_WAIT_BODY_BUFFER, 0, QUEUE_WAIT_BODY_BUFFER.capacity());
                continue;
            }
            enterHandler();
            try
            {
                invoker.onRequest(exchange);
            }
            finally
            {
                leaveHandler();
            }
            forgetIfComplete(exchange);
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-shm-worker";
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
     * Write a record into the response ring, waiting while it is full, and see that the listener hears of it.
     * <p>
     * When to wake: a record published by the duty thread is announced once for its read batch, at the end of the
     * batch; while the duty thread runs handler code, the {@link PendingWakeWatcher} announces it if the handler takes
     * longer than about a millisecond. Other threads announce every record. An announcement is a full fence and a
     * read of the listener's flag; a system call only when the listener sleeps. A full ring wakes the listener at once:
     * only it can make room.
     *
     * @param exchange  the writer, holding the encoded record.
     * @param msgTypeId type of the record.
     * @param length    of the record.
     */
    void publish(final SharedMemoryExchange exchange, final int msgTypeId, final int length)
    {
        int index;
        int attempts = 0;
        while ((index = responseRing.tryClaim(msgTypeId, length)) == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            if (attempts == 0)
            {
                // the ring is full of answers the listener has yet to drain: it must be awake to make room
                wakePending = false;
                wakeListener();
            }
            if (++attempts < 100)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
                if (attempts % PUBLISH_ATTEMPTS_PER_HEARTBEAT == 0 && Thread.currentThread() == dutyThread)
                {
                    // waiting for room is not hanging: keep the heartbeat going
                    heartbeat(System.currentTimeMillis());
                }
            }
        }
        exchange.encodeInto(responseRing.buffer(), index);
        responseRing.commit(index);
        if (Thread.currentThread() != dutyThread)
        {
            wakeListener();
        }
        else if (inHandler)
        {
            // handler code may block before it returns: the watcher announces this record if it does
            watcher().handOff(batchStartNs());
        }
        else
        {
            // within the duty cycle: one wake-up check covers the batch
            wakePending = true;
        }
    }

    /**
     * Duty thread, before it calls into the handler: what it published since the last check is handed to the
     * watcher, which announces it should the handler not return in time.
     */
    private void enterHandler()
    {
        inHandler = true;
        if (wakePending)
        {
            wakePending = false;
            watcher().handOff(batchStartNs());
        }
    }

    /**
     * @return when this read batch began, as far as hand-offs are concerned: the clock is read at the first hand-off
     * of the batch (no clock read in a batch without one, nor while idle).
     */
    private long batchStartNs()
    {
        if (0 == batchNs)
        {
            batchNs = System.nanoTime();
        }
        return batchNs;
    }

    /**
     * Duty thread, back from the handler: what the watcher has not announced is owed at the end of the batch.
     */
    private void leaveHandler()
    {
        inHandler = false;
        if (null != wakeWatcher && wakeWatcher.takeBack())
        {
            wakePending = true;
        }
    }

    /**
     * Tests: {@link #run()} does not start the watcher thread; the test {@link PendingWakeWatcher#poll polls} it.
     */
    void pollWakeWatcherByHand()
    {
        startWakeWatcher = false;
    }

    /**
     * @return the watcher of hand-offs, created on first use (a worker driven through {@link #doWork()} alone, as
     * in tests, has one whose thread is not started; a test may {@link PendingWakeWatcher#poll poll} it).
     */
    PendingWakeWatcher watcher()
    {
        if (null == wakeWatcher)
        {
            wakeWatcher = new PendingWakeWatcher(this::wakeListener);
        }
        return wakeWatcher;
    }

    private void wakeListener()
    {
        if (WakeProtocol.shouldWake(header, LISTENER_SLEEPING_OFFSET))
        {
            ringListener();
        }
    }

    /**
     * @return handler callbacks that threw so far.
     */
    long handlerFailureCount()
    {
        return invoker.failureCount();
    }

    int maxResponseMessageLength()
    {
        return maxResponseMessageLength;
    }

    /**
     * @return response body bytes an exchange may send before the listener grants credit.
     */
    int responseWindow()
    {
        return responseWindow;
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
            final SharedMemoryExchange exchange = new SharedMemoryExchange(this, buffer, index, length);
            exchange.expired();
            dispatchNext = exchange;
            return;
        }
        final SharedMemoryExchange exchange = new SharedMemoryExchange(this, buffer, index, length);
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
        if (!exchange.isResponseComplete())
        {
            enterHandler();
            try
            {
                invoker.onBody(
                    exchange, buffer, BodyChunkFlyweight.dataOffset(index),
                    BodyChunkFlyweight.chunkLength(buffer, index), last);
            }
            finally
            {
                leaveHandler();
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
            enterHandler();
            try
            {
                invoker.onAbort(exchange);
            }
            finally
            {
                leaveHandler();
            }
        }
    }

    /**
     * The listener granted more response credit for a request: the exchange sends what it held back, and the handler
     * hears {@link Handler#onWritable} if it was told to wait. Credit for a request already answered is ignored.
     */
    private void onCredit(final DirectBuffer buffer, final int index)
    {
        final SharedMemoryExchange exchange = exchanges.get(BodyChunkFlyweight.requestId(buffer, index));
        final int grantLength = BodyChunkFlyweight.chunkLength(buffer, index);
        if (null == exchange || grantLength <= 0)
        {
            return;
        }
        if (exchange.credit(grantLength))
        {
            enterHandler();
            try
            {
                invoker.onWritable(exchange);
            }
            finally
            {
                leaveHandler();
            }
        }
        forgetIfComplete(exchange);
    }

    private void forgetIfComplete(final SharedMemoryExchange exchange)
    {
        if (exchange.isResponseComplete())
        {
            exchanges.remove(exchange.requestId());
        }
    }

    /**
     * Forget exchanges answered from other threads since the last look: only the duty thread touches the map.
     */
    private void pruneCompleted()
    {
        if (exchanges.isEmpty())
        {
            return;
        }
        final Iterator<SharedMemoryExchange> iterator = exchanges.values().iterator();
        while (iterator.hasNext())
        {
            if (iterator.next().isResponseComplete())
            {
                iterator.remove();
            }
        }
    }

    /**
     * @return true when the request ring is empty and every exchange taken off it is answered.
     */
    boolean isDrained()
    {
        if (requestRing.consumerPosition() != requestRing.producerPosition())
        {
            return false;
        }
        pruneCompleted();
        return exchanges.isEmpty();
    }

    private void heartbeat(final long nowMs)
    {
        heartbeatMs = nowMs;
        header.putLongRelease(WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET, nowMs);
    }

    /**
     * Block on the doorbell until the listener rings (see {@link DoorbellIdleStrategy}): arm the sleeping flag, look at
     * the ring once more, then read the doorbell. Duty thread only.
     */
    void sleep()
    {
        // asleep is idle, not hung: the listener reads the flag; the heartbeat says when the worker last looked
        heartbeat(System.currentTimeMillis());
        WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);
        final long position = requestRing.consumerPosition();
        // a read that only skipped the padding at the end of the buffer returns 0 but moves the position
        if (doWork() > 0 || requestRing.consumerPosition() != position)
        {
            WakeProtocol.disarm(header, WORKER_SLEEPING_OFFSET);
            if (wakePending)
            {
                wakePending = false;
                wakeListener();
            }
            return;
        }
        counters.sleeps().incrementRelease();
        try
        {
            sleepBuffer.clear();
            if (doorbell.read(sleepBuffer) < 0 && !stopRequested)
            {
                listenerGone = true;
            }
        }
        catch (final IOException ex)
        {
            listenerGone = !stopRequested;
        }
        WakeProtocol.disarm(header, WORKER_SLEEPING_OFFSET);
    }

    /**
     * @return false when a byte cannot be written to the doorbell: the listener's end is closed (it died).
     */
    private boolean isListenerReachable()
    {
        synchronized (wakeByte)
        {
            try
            {
                wakeByte.clear();
                doorbell.write(wakeByte);
                return true;
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
    }

    private void ringListener()
    {
        synchronized (wakeByte)
        {
            counters.listenerWakeUps().incrementRelease();
            try
            {
                wakeByte.clear();
                doorbell.write(wakeByte);
            }
            catch (final IOException ex)
            {
                listenerGone = true;
            }
        }
    }
}
