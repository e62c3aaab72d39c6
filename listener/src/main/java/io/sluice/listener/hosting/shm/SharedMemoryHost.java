package io.sluice.listener.hosting.shm;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.process.WorkerEvents;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.HostContext;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.Transport;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;

/**
 * The shared-memory hosting model: each worker process of the queue gets a private directory (0700) holding, for
 * each event loop of the listener, one lane: a ring file (0600) and a doorbell socket ({@code rings},
 * {@code doorbell.sock} for lane 0; {@code rings.k}, {@code doorbell.k.sock} for lane k). Requests are encoded straight
 * into a request ring of the loop they arrived on and answers drained from that lane's response ring into the
 * connections, by that loop ({@link LoopLanes}): no lock and no thread hop per request. Request slots are
 * preallocated, one per unit of queue length, on each loop (the queue's bound itself is kept across loops by its
 * {@link io.sluice.listener.queue.RequestQueue}).
 * <p>
 * A worker is ready once every lane presented its token; when it exits, every loop settles and repairs its own lane
 * of it. Each loop's timer keeps the heartbeats and the request timeouts of its own lanes.
 * <p>
 * Threading: {@link #open} on the connection's event loop; worker events are passed to each loop's lanes.
 */
public final class SharedMemoryHost implements Host
{
    private static final Logger LOG = Logger.getLogger(SharedMemoryHost.class.getName());
    private static final long LOOP_WAIT_MS = 1_000;

    private final QueueConfiguration queue;
    private final Transport transport;
    private final Supplier<SharedMemoryFiles.PrivateDirectory> directory;
    private Path queueDir;
    private final String applicationPath;
    private final NanoClock nanoClock;
    private final long clockBaseNs;
    private final LongSupplier freshClock = this::freshClockMs;
    private EventLoop[] loops = new EventLoop[0];
    private LoopLanes[] lanes = new LoopLanes[0];
    private AtomicIntegerArray readyLanes;
    private final HostContext context;
    private WorkerSupervisor supervisor;
    private volatile boolean stopped;
    private final AtomicLong failedWorkerCount = new AtomicLong();
    private final String directoryName;

    /**
     * @param queue           the queue's configuration.
     * @param context         the listener's transport (epoll needed for the doorbells) and shared-memory directory
     *                        (created and held by the listener before {@link #start()}).
     * @param applicationPath the path of the queue's first prefix.
     */
    public SharedMemoryHost(final QueueConfiguration queue, final HostContext context, final String applicationPath)
    {
        this(queue, context, applicationPath, queue.name());
    }

    /**
     * @param queue           the queue's configuration.
     * @param context         the listener's transport (epoll needed for the doorbells) and shared-memory directory
     *                        (created and held by the listener before {@link #start()}).
     * @param applicationPath the path of the queue's first prefix.
     * @param directoryName   names its workers' directories ({@code <directoryName>-<n>}): the queue's name, or, for
     *                        a host started beside a running host of the same queue (a recycle on reload), a name
     *                        of its own.
     */
    public SharedMemoryHost(
        final QueueConfiguration queue,
        final HostContext context,
        final String applicationPath,
        final String directoryName)
    {
        this.directoryName = directoryName;
        this.queue = queue;
        this.transport = context.transport();
        this.directory = context.shmDirectory();
        this.nanoClock = context.nanoClock();
        this.context = context;
        this.clockBaseNs = nanoClock.nanoTime();
        this.applicationPath = applicationPath;
    }

    /**
     * {@inheritDoc}
     */
    public void start()
    {
        if (null == transport.serverDomainChannel())
        {
            throw new IllegalStateException(
                "queue " + queue.name() + ": shared-memory hosting needs the native epoll transport");
        }
        final List<EventLoop> groupLoops = new ArrayList<>();
        for (final EventExecutor executor : transport.group())
        {
            groupLoops.add((EventLoop)executor);
        }
        loops = groupLoops.toArray(new EventLoop[0]);
        lanes = new LoopLanes[loops.length];
        final int slotCount = WorkerSupervisor.slotCount(queue.worker().processes());
        readyLanes = new AtomicIntegerArray(slotCount);
        final long pid = ProcessHandle.current().pid();
        final long startMs = System.currentTimeMillis();
        final SharedMemoryFiles.PrivateDirectory shmDir = directory.get();
        queueDir = shmDir.path();
        try
        {
            for (int i = 0; i < slotCount; i++)
            {
                shmDir.createWorkerDirectory(SharedMemoryFiles.workerDirectoryName(directoryName, i));
            }
            for (int lane = 0; lane < loops.length; lane++)
            {
                lanes[lane] = new LoopLanes(this, lane, queue);
                lanes[lane].start(loops[lane], transport, shmDir, pid, startMs, freshClock);
            }
        }
        catch (final IOException ex)
        {
            throw new StartupException(ConfigKeys.LISTENER_SHM_DIR, "cannot create shared memory for queue " +
                queue.name() + " in " + queueDir + ": " + SharedMemoryFiles.reason(ex), ex);
        }

        final int laneCount = lanes.length;
        supervisor = new WorkerSupervisor(
            queue.name(),
            queue.hosting(),
            queue.handler(),
            applicationPath,
            queue.worker(),
            (slot, env) ->
            {
                env.put(WorkerEnvironment.SHM_DIR_ENV_NAME, workerDir(slot).toString());
                env.put(WorkerEnvironment.WEBSOCKETS_SUPPORTED_ENV_NAME, Boolean.toString(queue.webSockets()));
                // the worker enforces queueWait: it answers 503 for a request it takes off the ring too late
                env.put(WorkerEnvironment.QUEUE_WAIT_MS_ENV_NAME, Long.toString(queue.queueWaitTimeoutMs()));
                // flow control: the response body a worker may send ahead of the listener's credit
                env.put(WorkerEnvironment.RESPONSE_WINDOW_ENV_NAME, Integer.toString(queue.responseWindow()));
                if (laneCount > 1)
                {
                    // one lane per event loop; a worker not told serves lane 0 alone
                    env.put(WorkerEnvironment.LANES_ENV_NAME, Integer.toString(laneCount));
                }
                else if (null != lanes[0].wakePipePath(slot))
                {
                    env.put(WorkerEnvironment.WAKE_PIPE_ENV_NAME, lanes[0].wakePipePath(slot));
                }
            },
            new WorkerEvents()
            {
                public void onStarting(final int slot, final String token)
                {
                    readyLanes.set(slot, 0);
                    for (final LoopLanes loopLanes : lanes)
                    {
                        loopLanes.expectToken(slot, token);
                    }
                }

                public void onExited(final int slot, final int exitCode)
                {
                    for (final LoopLanes loopLanes : lanes)
                    {
                        loopLanes.workerExited(slot);
                    }
                }

                public void onQueueStopped()
                {
                    stopped = true;
                    for (final LoopLanes loopLanes : lanes)
                    {
                        loopLanes.queueStopped();
                    }
                }

                public void onTakeOver(final int from, final int to)
                {
                    onEachLoop((loopLanes) -> loopLanes.takeOver(from, to));
                }

                public long requestCount(final int slot)
                {
                    return sumOnLoops((loopLanes) -> loopLanes.requestCount(slot));
                }

                public int inFlight(final int slot)
                {
                    return (int)sumOnLoops((loopLanes) -> loopLanes.outstanding(slot));
                }
            },
            nanoClock);
        supervisor.counters(context.queueCounters(queue.name()));
        supervisor.start();
    }

    /**
     * {@inheritDoc}
     */
    public RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
    {
        if (stopped)
        {
            return null;
        }
        if (null != supervisor && supervisor.isDormant())
        {
            // on-demand, or stopped when idle: the request waits in the ring for the worker this starts
            supervisor.demand();
        }
        return lanesOf(exchange.eventLoop()).open(exchange, request, contentLength);
    }

    /**
     * Stop the workers (each is asked to finish what it holds, for up to {@code shutdownTimeLimit}; answers keep
     * flowing meanwhile), then, on each loop, forget the requests still open and unmap the rings. Blocks; call it
     * off the event loops.
     */
    public void close()
    {
        stopped = true;
        if (null != supervisor)
        {
            supervisor.close();
        }
        for (final LoopLanes loopLanes : lanes)
        {
            if (null == loopLanes)
            {
                continue;
            }
            final EventLoop loop = loopLanes.eventLoop();
            if (null != loop && !loop.inEventLoop())
            {
                try
                {
                    loop.submit(loopLanes::closeOnLoop).syncUninterruptibly();
                }
                catch (final RejectedExecutionException ex)
                {
                    loopLanes.closeOnLoop();
                }
            }
            else
            {
                loopLanes.closeOnLoop();
            }
        }
        for (final LoopLanes loopLanes : lanes)
        {
            if (null != loopLanes)
            {
                loopLanes.closeDoorbells();
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void suspend()
    {
        if (null != supervisor)
        {
            supervisor.suspend();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void resume()
    {
        if (null != supervisor)
        {
            supervisor.resume();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void recycle(final String reason)
    {
        if (null != supervisor)
        {
            supervisor.recycle(reason);
        }
    }

    /**
     * @return the supervisor of this queue's workers (for tests and the admin endpoint).
     */
    public WorkerSupervisor supervisor()
    {
        return supervisor;
    }

    /**
     * @return the number of lanes each worker serves: one per event loop.
     */
    public int laneCount()
    {
        return lanes.length;
    }

    /**
     * @return requests answered 502 because the worker that may have started them died, since start.
     */
    public long failedOnWorkerExitCount()
    {
        return sum(LoopLanes::failedOnWorkerExitCount);
    }

    /**
     * @return idempotent requests a dying worker may have started that were written into the ring again, since start.
     */
    public long retriedOnWorkerExitCount()
    {
        return sum(LoopLanes::retriedOnWorkerExitCount);
    }

    /**
     * @return requests a dying worker had not taken, left in its ring for the replacement, since start.
     */
    public long leftForReplacementCount()
    {
        return sum(LoopLanes::leftForReplacementCount);
    }

    /**
     * @return request rings whose head was moved past records a dead worker had taken but not finished zeroing (or
     * not moved past), since start, over every lane.
     */
    public long ringRepairCount()
    {
        return sum(LoopLanes::ringRepairCount);
    }

    /**
     * @return requests answered 504 (or their connection closed) after requestTimeout, since start.
     */
    public long timedOutCount()
    {
        return sum(LoopLanes::timedOutCount);
    }

    /**
     * Response body bytes of the requests in flight that workers sent and the clients' sockets have not yet been seen
     * to take: what the listener may hold for them, each at most the queue's {@code responseWindow}. Kept as the
     * requests' bytes come and go, on each event loop; read from any thread without waiting for them.
     *
     * @return the sum over the requests in flight.
     */
    public long responseBytesOutstanding()
    {
        return sum((loopLanes) -> loopLanes.responseBytes().outstanding());
    }

    /**
     * @return the most response body bytes one request has had outstanding (sent by its worker, not yet seen taken by
     * its client's socket) since start: at most the queue's {@code responseWindow}.
     */
    public long maxResponseBytesOutstanding()
    {
        long max = 0;
        for (final LoopLanes loopLanes : lanes)
        {
            max = Math.max(max, null == loopLanes ? 0 : loopLanes.responseBytes().maxRequestOutstanding());
        }
        return max;
    }

    /**
     * @return workers failed for breaking the protocol, since start.
     */
    public long failedWorkerCount()
    {
        return failedWorkerCount.get();
    }

    /**
     * Lanes on one event loop without {@link #start()}: for a test that drives one link over a ring file of its own.
     *
     * @param loop the loop the link's retries are scheduled on.
     * @return the lanes of that loop (lane 0).
     */
    LoopLanes testLanes(final EventLoop loop)
    {
        final LoopLanes loopLanes = new LoopLanes(this, 0, queue);
        loopLanes.eventLoop(loop);
        loops = new EventLoop[]{ loop };
        lanes = new LoopLanes[]{ loopLanes };
        return loopLanes;
    }

    /**
     * A worker broke the protocol on one of its lanes: kill it; its exit settles its requests on every lane and starts
     * its replacement. Any event loop.
     */
    void failWorker(final int slot, final String token, final String reason)
    {
        failedWorkerCount.incrementAndGet();
        LOG.warning(() -> "queue " + queue.name() + ": worker " + slot + " broke the protocol: " + reason);
        supervisor.kill(slot, token, "broke the protocol");
    }

    /**
     * A worker was found hung on one of its lanes. Any event loop.
     */
    void killHung(final int slot, final String token, final int lane, final long heartbeatTimeoutMs)
    {
        supervisor.kill(
            slot, token,
            "is hung: awake with requests waiting (lane " + lane + ") and no heartbeat for heartbeatTimeout=" +
            heartbeatTimeoutMs + "ms");
    }

    /**
     * A worker's lane presented the token: once every lane has, the worker is ready. Any event loop.
     */
    void laneReady(final int slot, final int lane)
    {
        if (null == readyLanes || readyLanes.incrementAndGet(slot) == lanes.length)
        {
            if (null != supervisor)
            {
                supervisor.ready(slot);
            }
            LOG.info(() -> "queue " + queue.name() + ": worker " + slot + " attached to its rings" +
                (lanes.length > 1 ? " (" + lanes.length + " lanes)" : ""));
        }
    }

    /**
     * @return the host's monotonic clock.
     */
    NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @return the host's monotonic clock in ms, read now.
     */
    long freshClockMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(nanoClock.nanoTime() - clockBaseNs);
    }

    private long sum(final ToLongFunction<LoopLanes> count)
    {
        long sum = 0;
        for (final LoopLanes loopLanes : lanes)
        {
            sum += null == loopLanes ? 0 : count.applyAsLong(loopLanes);
        }
        return sum;
    }

    /**
     * Run a task on every loop's lanes and wait for each (at most {@value #LOOP_WAIT_MS} ms). Off the loops.
     */
    private void onEachLoop(final Consumer<LoopLanes> task)
    {
        sumOnLoops(
            (loopLanes) ->
            {
                task.accept(loopLanes);
                return 0;
            });
    }

    /**
     * Sum a count that each loop keeps of its own lanes, read on each loop. Off the loops.
     */
    private long sumOnLoops(final ToLongFunction<LoopLanes> count)
    {
        long sum = 0;
        for (final LoopLanes loopLanes : lanes)
        {
            final EventLoop loop = null == loopLanes ? null : loopLanes.eventLoop();
            if (null == loop)
            {
                continue;
            }
            try
            {
                final Future<Long> value = loop.submit(() -> count.applyAsLong(loopLanes));
                sum += value.get(LOOP_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final RejectedExecutionException | ExecutionException | TimeoutException ex)
            {
                LOG.fine(() -> "queue " + queue.name() + ": an event loop did not answer: " + ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        return sum;
    }

    private LoopLanes lanesOf(final EventLoop loop)
    {
        final EventLoop[] loops = this.loops;
        for (int i = 0; i < loops.length; i++)
        {
            if (loops[i] == loop)
            {
                return lanes[i];
            }
        }
        throw new IllegalStateException("queue " + queue.name() + ": a request on an event loop of another group");
    }

    private Path workerDir(final int slot)
    {
        return queueDir.resolve(SharedMemoryFiles.workerDirectoryName(directoryName, slot));
    }

    /**
     * @return the name its workers' directories are made from ({@code <name>-<n>}).
     */
    public String directoryName()
    {
        return directoryName;
    }

    /**
     * @param slot a worker's index.
     * @return the name of its directory in the listener's shared-memory directory.
     */
    String workerDirectoryName(final int slot)
    {
        return SharedMemoryFiles.workerDirectoryName(directoryName, slot);
    }
}
