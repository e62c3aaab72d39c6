package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.Doorbell;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestRingReader;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.logging.Logger;

/**
 * The worker side of the shared-memory hand-off: an {@link Agent} whose duty cycle reads the request ring and calls
 * the {@link Handler} ({@link RequestRingAdapter}); {@link SharedMemoryExchange} writes the answers into the response
 * ring from any thread ({@link ResponsePublisher}).
 * <p>
 * Running: {@link #run()} runs the duty cycle under Agrona's {@link AgentRunner} ({@link SharedMemoryWorkerAgent}), with
 * its error handler and {@link WorkerCounters counters}. Idle ({@link DoorbellIdleStrategy}): after looking again,
 * yielding, for an adaptive budget, it sets its sleeping flag, looks at the ring once more, and blocks reading its
 * doorbell socket, so an idle worker costs no CPU. End-of-file on the doorbell means the listener is gone: the worker
 * exits.
 * <p>
 * Delivery: a {@code REQUEST_HEAD} is taken off the ring (the ring's head position moves past it) <em>before</em> the
 * handler sees it, so the listener, reading the head position after this process died, knows exactly which requests
 * it may have started (those are answered 502 or retried when idempotent) and which it never saw (those are served by
 * the replacement worker). Every other message is taken after it was handled.
 * <p>
 * Waking the listener ({@link ResponsePublisher}): records published by the duty thread share one wake-up check per read
 * batch, made at the end of the batch (a batch of answers costs a sleeping listener one wake-up). While the duty
 * thread runs handler code, which may block, it reads the listener's flag (after a full fence): an awake listener is
 * owed nothing; what a sleeping one is owed goes to a {@link PendingWakeWatcher}, which announces it if the handler has
 * not returned within about a millisecond: a finished answer never waits for whatever a handler does next. Records
 * published by other threads are announced at once.
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
public final class SharedMemoryWorker extends WorkerDuty implements Agent
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

    private static final int READ_LIMIT = 64;
    private static final Logger LOG = Logger.getLogger(SharedMemoryWorker.class.getName());

    private final UnsafeBuffer header;
    private final ManyToOneRingBuffer requestRing;
    private final RequestRingReader requestReader;
    private final SocketChannel doorbell;
    private final WakePipe wakePipe;
    private final Doorbell doorbellFlags;
    private final ResponsePublisher publisher;
    private final RequestRingAdapter adapter;
    private final ByteBuffer sleepBuffer = ByteBuffer.allocateDirect(64);
    private final WorkerCounters counters = new WorkerCounters();
    private final int maxResponseMessageLength;
    private final int responseWindow;
    private final BacklogPool backlogPool = new BacklogPool();
    private long heartbeatMs;
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
        this(handler, header, requestRing, responseRing, doorbell, null, queueWaitMs, responseWindow);
    }

    SharedMemoryWorker(
        final Handler handler,
        final UnsafeBuffer header,
        final ManyToOneRingBuffer requestRing,
        final ManyToOneRingBuffer responseRing,
        final SocketChannel doorbell,
        final WakePipe wakePipe,
        final long queueWaitMs,
        final int responseWindow)
    {
        this.wakePipe = wakePipe;
        this.responseWindow = responseWindow;
        this.header = header;
        this.requestRing = requestRing;
        this.requestReader = new RequestRingReader(requestRing, RequestRingReader.isZeroedAhead(header));
        this.doorbell = doorbell;
        this.doorbellFlags = Doorbell.workerSide(header);
        this.publisher = new ResponsePublisher(
            this, responseRing, doorbellFlags, doorbell, counters.listenerWakeUps());
        this.adapter = new RequestRingAdapter(this, header, new HandlerInvoker(handler), publisher, queueWaitMs);
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
        if (env.lanes() > 1)
        {
            SharedMemoryLanes.serve(handler, env, watch);
            return;
        }
        final SharedMemoryAttachment attachment = SharedMemoryAttachment.attach(env, 0);
        final SharedMemoryWorker worker = new SharedMemoryWorker(
            handler, attachment.header(), attachment.requestRing(), attachment.responseRing(), attachment.doorbell(),
            attachment.wakePipe(), env.queueWaitMs(), env.responseWindow());
        if (env.heartbeatTimeoutMs() > 0)
        {
            ListenerWatch.watchHeartbeat(attachment.header(), env.heartbeatTimeoutMs());
        }
        worker.watchDoorbell();
        watch.attached(worker);
        try
        {
            worker.run();
        }
        finally
        {
            worker.closeWakePipe();
        }
    }

    /**
     * Ask the duty cycle to finish: serve what is in the ring, wait for the answers still owed, then return from
     * {@link #run()}. Any thread; returns at once.
     *
     * @return false when the listener is gone (nothing to finish for): the caller should exit at once.
     */
    boolean requestStop()
    {
        if (!publisher.isListenerReachable())
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
        if (null != wakePipe)
        {
            // it sleeps on the pipe, not the doorbell
            wakePipe.wake();
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
        runDuty(this, counters);
    }

    /**
     * Run a duty cycle on the calling thread under Agrona's {@link AgentRunner}, idling with a
     * {@link DoorbellIdleStrategy}, until it ends; then stop it and rethrow the error that ended it, if one did.
     *
     * @param duty     one lane, or all of a worker's lanes.
     * @param counters the counters of the duty cycle (its errors).
     */
    static void runDuty(final WorkerDuty duty, final WorkerCounters counters)
    {
        final SharedMemoryWorkerAgent agent = new SharedMemoryWorkerAgent(duty);
        final AgentRunner runner = new AgentRunner(new DoorbellIdleStrategy(duty), agent, counters.errors(), agent);
        try
        {
            runner.run();
        }
        finally
        {
            duty.stopDuty();
            LOG.fine(() -> duty.roleName() + ": duty cycle ended: " + counters);
        }
        agent.rethrowFailure();
    }

    /**
     * The duty cycle ended: the watcher's thread stops.
     */
    /**
     * A worker that sleeps on its wake pipe does not read its doorbell socket: a thread of its own does, and wakes the
     * duty cycle when the socket ends (the listener closed it, or this worker was asked to stop). Nothing otherwise.
     */
    void watchDoorbell()
    {
        if (null != wakePipe)
        {
            wakePipe.watchDoorbell(doorbell, this::isStopRequested);
        }
    }

    /**
     * Close the wake pipe's read end, if any: after the duty cycle ended.
     */
    void closeWakePipe()
    {
        if (null != wakePipe)
        {
            wakePipe.close();
        }
    }

    void stopDuty()
    {
        publisher.stopDuty();
    }

    /**
     * The duty thread begins: records published from now on by this thread are announced per batch, and the watcher
     * of hand-offs starts.
     */
    void startDuty()
    {
        publisher.startDuty();
    }

    /**
     * End of a read batch, on the duty thread: announce what the batch published (one wake-up check per batch).
     */
    void endBatch()
    {
        publisher.endBatch();
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
        return listenerGone || publisher.isListenerGone() || (null != wakePipe && wakePipe.isDoorbellClosed());
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
        publisher.startBatch();
        final long nowMs = System.currentTimeMillis();
        if (nowMs - heartbeatMs >= HEARTBEAT_INTERVAL_MS)
        {
            heartbeat(nowMs);
            adapter.pruneCompleted();
        }
        // grants first: the credit queue is read ahead of the request ring
        int work = adapter.pollCredits();
        while (work < READ_LIMIT)
        {
            work += requestReader.read(adapter, READ_LIMIT - work);
            final SharedMemoryExchange exchange = adapter.takeDispatchNext();
            if (null == exchange)
            {
                break;
            }
            adapter.dispatch(exchange);
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
     * Write a record into the response ring and see that the listener hears of it ({@link ResponsePublisher}).
     *
     * @param exchange  the writer, holding the encoded record.
     * @param msgTypeId type of the record.
     * @param length    of the record.
     */
    void publish(final SharedMemoryExchange exchange, final int msgTypeId, final int length)
    {
        publisher.publish(exchange, msgTypeId, length);
    }

    /**
     * Lanes: whether the duty thread runs handler code is shared by every lane it serves.
     *
     * @param scope the scope of every lane of the duty thread.
     */
    void shareHandlerScope(final HandlerScope scope)
    {
        publisher.shareHandlerScope(scope);
    }

    /**
     * Tests: {@link #run()} does not start the watcher thread; the test {@link PendingWakeWatcher#poll polls} it.
     */
    void pollWakeWatcherByHand()
    {
        publisher.pollWakeWatcherByHand();
    }

    /**
     * @return the watcher of hand-offs (see {@link ResponsePublisher#watcher()}).
     */
    PendingWakeWatcher watcher()
    {
        return publisher.watcher();
    }

    /**
     * @return handler callbacks that threw so far.
     */
    long handlerFailureCount()
    {
        return adapter.handlerFailureCount();
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

    /**
     * @return the buffers kept for responses waiting for credit.
     */
    BacklogPool backlogPool()
    {
        return backlogPool;
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
        return !adapter.hasOpenExchanges();
    }

    /**
     * Store the worker heartbeat: the duty thread is alive (also while it waits for room in a full response ring).
     *
     * @param nowMs the epoch-ms clock.
     */
    void heartbeat(final long nowMs)
    {
        heartbeatMs = nowMs;
        header.putLongRelease(WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET, nowMs);
    }

    /**
     * Lanes: this lane may block. Set the sleeping flag; the caller looks at every lane once more before it blocks.
     */
    void arm()
    {
        doorbellFlags.arm();
    }

    /**
     * Lanes: the duty thread found work after arming, or was woken.
     */
    void disarm()
    {
        doorbellFlags.disarm();
    }

    /**
     * @return the request ring's consumer position (a read that only skipped padding moves it without work).
     */
    long consumerPosition()
    {
        return requestRing.consumerPosition();
    }

    /**
     * @return this lane's doorbell connection.
     */
    SocketChannel doorbell()
    {
        return doorbell;
    }

    /**
     * Lanes: end-of-file or an error on this lane's doorbell while no stop was requested: the listener is gone.
     */
    void listenerGone()
    {
        listenerGone = true;
    }

    /**
     * Block on the doorbell until the listener rings (see {@link DoorbellIdleStrategy}): arm the sleeping flag, look at
     * the ring once more, then read the doorbell. Duty thread only.
     */
    void sleep()
    {
        // asleep is idle, not hung: the listener reads the flag; the heartbeat says when the worker last looked
        heartbeat(System.currentTimeMillis());
        doorbellFlags.arm();
        final long position = requestRing.consumerPosition();
        // a read that only skipped the padding at the end of the buffer returns 0 but moves the position
        if (doWork() > 0 || requestRing.consumerPosition() != position)
        {
            doorbellFlags.disarm();
            publisher.endBatch();
            return;
        }
        counters.sleeps().incrementRelease();
        try
        {
            sleepBuffer.clear();
            // the listener rings on the wake pipe when this worker announced one, else on the doorbell socket
            if ((null == wakePipe ? doorbell.read(sleepBuffer) : wakePipe.read(sleepBuffer)) < 0 && !stopRequested)
            {
                listenerGone = true;
            }
        }
        catch (final IOException ex)
        {
            listenerGone = !stopRequested;
        }
        doorbellFlags.disarm();
    }
}
