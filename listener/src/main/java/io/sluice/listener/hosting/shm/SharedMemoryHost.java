package io.sluice.listener.hosting.shm;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFile;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.hosting.HostTimer;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.HostContext;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.Transport;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The shared-memory hosting model: each worker process of the queue gets a private directory (0700) holding its ring
 * file (0600) and its doorbell socket; requests are encoded straight into the worker's request ring and answers
 * drained from its response ring into the connections. Request slots are preallocated, one per unit of queue length.
 * <p>
 * One timer per host ({@link HostTimer#periodMs}, at most a second) stores the listener heartbeat in every worker's
 * file, kills a worker found hung (see {@link SharedMemoryLink#heartbeat}), and answers 504 for requests older than
 * {@code requestTimeout}, walking the in-flight slots oldest first and stopping at the first young one. A request's
 * start is the timer's cached clock, so opening a request reads no clock.
 * <p>
 * Threading: confined to one event loop (the home loop), which owns the doorbell channels.
 */
public final class SharedMemoryHost implements Host
{
    private static final Logger LOG = Logger.getLogger(SharedMemoryHost.class.getName());

    private final QueueConfiguration queue;
    private final Transport transport;
    private final Supplier<SharedMemoryFiles.PrivateDirectory> directory;
    private Path queueDir;
    private final String applicationPath;
    private final RequestSlots slots;
    private final SharedMemoryLink[] links;
    private final WorkerFile[] files;
    private final DoorbellServer[] doorbellServers;
    private final long requestTimeoutMs;
    private final long heartbeatTimeoutMs;
    private final long timerPeriodMs;
    private final NanoClock nanoClock;
    private final long clockBaseNs;
    private final Runnable timerTask = this::onTimer;
    private final LongSupplier freshClock = this::freshClockMs;
    private EventLoop homeLoop;
    private WorkerSupervisor supervisor;
    private ScheduledFuture<?> timer;
    private long clockMs;
    private int nextLink;
    private boolean closed;
    private volatile boolean stopped;
    private volatile long failedOnWorkerExitCount;
    private volatile long retriedOnWorkerExitCount;
    private volatile long leftForReplacementCount;
    private volatile long timedOutCount;
    private volatile long failedWorkerCount;
    private final ResponseBytesGauge responseBytes = new ResponseBytesGauge();

    /**
     * @param queue           the queue's configuration.
     * @param context         the listener's transport (epoll needed for the doorbells) and shared-memory directory
     *                        (created and held by the listener before {@link #start()}).
     * @param applicationPath the path of the queue's first prefix.
     */
    public SharedMemoryHost(final QueueConfiguration queue, final HostContext context, final String applicationPath)
    {
        this.queue = queue;
        this.transport = context.transport();
        this.directory = context.shmDirectory();
        this.nanoClock = context.nanoClock();
        this.clockBaseNs = nanoClock.nanoTime();
        this.applicationPath = applicationPath;
        this.slots = new RequestSlots(this, queue.queueLength());
        this.links = new SharedMemoryLink[queue.worker().processes()];
        this.files = new WorkerFile[links.length];
        this.doorbellServers = new DoorbellServer[links.length];
        this.requestTimeoutMs = queue.worker().requestTimeoutMs();
        this.heartbeatTimeoutMs = queue.worker().heartbeatTimeoutMs();
        this.timerPeriodMs = HostTimer.periodMs(requestTimeoutMs, heartbeatTimeoutMs);
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
        homeLoop = transport.group().next();
        final long pid = ProcessHandle.current().pid();
        final long startMs = System.currentTimeMillis();
        final SharedMemoryFiles.PrivateDirectory shmDir = directory.get();
        queueDir = shmDir.path();
        try
        {
            for (int i = 0; i < links.length; i++)
            {
                final String name = SharedMemoryFiles.workerDirectoryName(queue.name(), i);
                final Path dir = shmDir.createWorkerDirectory(name);
                files[i] = WorkerFile.create(shmDir, name, queue.ringCapacity(), queue.ringCapacity(), pid, startMs);
                links[i] = new SharedMemoryLink(this, i, files[i].mapped(), queue.responseWindow());
                doorbellServers[i] = new DoorbellServer(links[i], queue.worker().startupTimeLimitMs(), freshClock);
                doorbellServers[i].bind(
                    homeLoop, transport.serverDomainChannel(), dir.resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME));
            }
        }
        catch (final IOException ex)
        {
            throw new StartupException(ConfigKeys.LISTENER_SHM_DIR, "cannot create shared memory for queue " +
                queue.name() + " in " + queueDir + ": " + SharedMemoryFiles.reason(ex), ex);
        }

        supervisor = new WorkerSupervisor(
            queue.name(),
            queue.hosting(),
            queue.handler(),
            applicationPath,
            queue.worker(),
            (slot, env) ->
            {
                env.put(WorkerEnvironment.SHM_DIR_ENV_NAME, workerDir(slot).toString());
                // the worker enforces queueWait: it answers 503 for a request it takes off the ring too late
                env.put(WorkerEnvironment.QUEUE_WAIT_MS_ENV_NAME, Long.toString(queue.queueWaitTimeoutMs()));
                // flow control: the response body a worker may send ahead of the listener's credit
                env.put(WorkerEnvironment.RESPONSE_WINDOW_ENV_NAME, Integer.toString(queue.responseWindow()));
            },
            new WorkerSupervisor.Events()
            {
                public void onStarting(final int slot, final String token)
                {
                    links[slot].expectToken(token);
                }

                public void onExited(final int slot, final int exitCode)
                {
                    homeLoop.execute(() -> links[slot].workerExited());
                }

                public void onQueueStopped()
                {
                    stopped = true;
                    homeLoop.execute(slots::failAll);
                }
            });
        clockMs = freshClockMs();
        timer = homeLoop.scheduleAtFixedRate(timerTask, timerPeriodMs, timerPeriodMs, TimeUnit.MILLISECONDS);
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
        final SharedMemoryRequest slot = slots.acquire(exchange, clockMs);
        if (null == slot)
        {
            return null;
        }
        final SharedMemoryLink link = pickLink();
        if (!link.openRequest(slot, request, contentLength))
        {
            slot.release();
            exchange.sendError(431, "request header fields too large");
            return null;
        }
        return slot;
    }

    /**
     * Stop the workers (each is asked to finish what it holds, for up to {@code shutdownTimeLimit}; answers keep
     * flowing meanwhile), then, on the home loop, forget the requests still open and unmap the rings. Blocks; call it
     * off the event loop.
     */
    public void close()
    {
        stopped = true;
        if (null != supervisor)
        {
            supervisor.close();
        }
        if (null != homeLoop && !homeLoop.inEventLoop())
        {
            try
            {
                homeLoop.submit(this::closeOnLoop).syncUninterruptibly();
            }
            catch (final RejectedExecutionException ex)
            {
                closeOnLoop();
            }
        }
        else
        {
            closeOnLoop();
        }
        for (final DoorbellServer server : doorbellServers)
        {
            if (null != server)
            {
                server.close();
            }
        }
    }

    private void closeOnLoop()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != timer)
        {
            timer.cancel(false);
        }
        slots.releaseAll();
        for (int i = 0; i < links.length; i++)
        {
            if (null != links[i])
            {
                links[i].close();
            }
            if (null != files[i])
            {
                files[i].close();
            }
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
     * @return requests answered 502 because the worker that may have started them died, since start.
     */
    public long failedOnWorkerExitCount()
    {
        return failedOnWorkerExitCount;
    }

    /**
     * @return idempotent requests a dying worker may have started that were written into the ring again, since start.
     */
    public long retriedOnWorkerExitCount()
    {
        return retriedOnWorkerExitCount;
    }

    /**
     * @return requests a dying worker had not taken, left in its ring for the replacement, since start.
     */
    public long leftForReplacementCount()
    {
        return leftForReplacementCount;
    }

    /**
     * @return request rings whose head was moved past records a dead worker had taken but not finished zeroing (or
     * not moved past), since start.
     */
    public long ringRepairCount()
    {
        long count = 0;
        for (final SharedMemoryLink link : links)
        {
            if (null != link)
            {
                count += link.ringRepairs();
            }
        }
        return count;
    }

    /**
     * @return requests answered 504 (or their connection closed) after requestTimeout, since start.
     */
    public long timedOutCount()
    {
        return timedOutCount;
    }

    /**
     * Response body bytes of the requests in flight that workers sent and the clients' sockets have not yet been seen
     * to take: what the listener may hold for them, each at most the queue's {@code responseWindow}. Kept as the
     * requests' bytes come and go, on the home event loop; read from any thread without waiting for it.
     *
     * @return the sum over the requests in flight.
     */
    public long responseBytesOutstanding()
    {
        return responseBytes.outstanding();
    }

    /**
     * @return the most response body bytes one request has had outstanding (sent by its worker, not yet seen taken by
     * its client's socket) since start: at most the queue's {@code responseWindow}.
     */
    public long maxResponseBytesOutstanding()
    {
        return responseBytes.maxRequestOutstanding();
    }

    /**
     * @return workers failed for breaking the protocol, since start.
     */
    public long failedWorkerCount()
    {
        return failedWorkerCount;
    }

    EventLoop eventLoop()
    {
        return homeLoop;
    }

    /**
     * Give the host its home event loop without {@link #start()}: for a test that drives one link over a ring file of
     * its own.
     *
     * @param loop the loop the link's retries are scheduled on.
     */
    void homeLoop(final EventLoop loop)
    {
        homeLoop = loop;
    }

    /**
     * @return the response body bytes the queue holds for its requests in flight.
     */
    ResponseBytesGauge responseBytes()
    {
        return responseBytes;
    }

    /**
     * A worker broke the protocol: kill it; its exit settles its requests and starts its replacement.
     */
    void failWorker(final int slot, final String token, final String reason)
    {
        failedWorkerCount++;
        LOG.warning(() -> "queue " + queue.name() + ": worker " + slot + " broke the protocol: " + reason);
        supervisor.kill(slot, token, "broke the protocol");
    }

    void workerExitSettled(final int slot, final int failed, final int retried, final int left)
    {
        failedOnWorkerExitCount += failed;
        retriedOnWorkerExitCount += retried;
        leftForReplacementCount += left;
        if (failed + retried + left > 0)
        {
            LOG.info(() -> "queue " + queue.name() + ": worker " + slot + " exited; requests it may have started: " +
                failed + " answered 502, " + retried + " retried; " + left + " it never took left for its replacement");
        }
    }

    void workerReady(final int slot)
    {
        supervisor.ready(slot);
        LOG.info(() -> "queue " + queue.name() + ": worker " + slot + " attached to its rings");
    }

    /**
     * @return the queue's request slots.
     */
    RequestSlots slots()
    {
        return slots;
    }

    /**
     * @return the host's monotonic clock.
     */
    NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @return the host's clock in ms (monotonic, cached by the timer): a request's start.
     */
    long clockMs()
    {
        return clockMs;
    }

    void free(final SharedMemoryRequest request)
    {
        slots.free(request);
    }

    /**
     * The timer: advance the cached clock, keep the heartbeats, kill hung workers, drain the response rings (answers
     * a worker committed without waking the listener), time out old requests.
     */
    private void onTimer()
    {
        if (closed)
        {
            return;
        }
        clockMs = freshClockMs();
        final long epochMs = System.currentTimeMillis();
        for (int i = 0; i < links.length; i++)
        {
            final SharedMemoryLink link = links[i];
            doorbellServers[i].expireUnready(clockMs);
            if (link.heartbeat(epochMs, clockMs, heartbeatTimeoutMs))
            {
                supervisor.kill(
                    i, link.expectedToken(),
                    "is hung: awake with requests waiting and no heartbeat for heartbeatTimeout=" +
                    heartbeatTimeoutMs + "ms");
            }
            else if (link.isAttached())
            {
                // a safety net: a worker that committed answers without waking this listener is drained anyway
                link.drain();
            }
        }
        final SharedMemoryRequest oldest = slots.oldest();
        if (null != oldest && clockMs - oldest.startMs() >= requestTimeoutMs + timerPeriodMs)
        {
            timeOutOldRequests();
        }
    }

    /**
     * Answer 504 (or close the connection, when the head was sent) for every request older than requestTimeout, and
     * tell the worker to abort it. A start is stamped with the cached clock, up to one period early, so a request is
     * old after requestTimeout plus one period: never before its time, at most two periods after.
     */
    private void timeOutOldRequests()
    {
        final int timedOut = slots.timeOut(clockMs - (requestTimeoutMs + timerPeriodMs));
        timedOutCount += timedOut;
        LOG.warning(() -> "queue " + queue.name() + ": " + timedOut + " request(s) not answered within " +
            "requestTimeout=" + requestTimeoutMs + "ms: 504 (connection closed when the head was sent), worker told " +
            "to abort");
    }

    private SharedMemoryLink pickLink()
    {
        final int count = links.length;
        for (int i = 0; i < count; i++)
        {
            final SharedMemoryLink link = links[nextLink];
            nextLink = nextLink + 1 == count ? 0 : nextLink + 1;
            if (link.isAttached())
            {
                return link;
            }
        }
        final SharedMemoryLink link = links[nextLink];
        nextLink = nextLink + 1 == count ? 0 : nextLink + 1;
        return link;
    }

    private Path workerDir(final int slot)
    {
        return queueDir.resolve(SharedMemoryFiles.workerDirectoryName(queue.name(), slot));
    }

    private long freshClockMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(nanoClock.nanoTime() - clockBaseNs);
    }
}
