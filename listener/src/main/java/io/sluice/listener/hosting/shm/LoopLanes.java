package io.sluice.listener.hosting.shm;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFile;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.hosting.HostTimer;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.Transport;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The lanes of one event loop in a shared-memory queue: one {@link SharedMemoryLink} per worker (the worker's lane
 * for this loop: its ring file and doorbell), the loop's request slots, and the loop's timer. A request that arrives
 * on this loop is written into a lane of this loop, and its answers are drained from that lane's response ring by
 * this loop, woken by the lane's doorbell, which this loop owns: no lock and no thread hop per request.
 * <p>
 * The timer ({@link HostTimer#periodMs}, at most a second) stores the listener heartbeat in each of the loop's lanes,
 * kills a worker found hung on one of them (see {@link SharedMemoryLink#heartbeat}), drains the response rings (a
 * safety net) and answers 504 for this loop's requests older than {@code requestTimeout}, walking the in-flight slots
 * oldest first and stopping at the first young one. A request's start is the timer's cached clock.
 * <p>
 * Worker choice: a request goes to the attached worker with the fewest requests outstanding on this loop's lanes
 * ({@link #pickLink()}); ties go to the worker after the last one chosen.
 * <p>
 * Threading: confined to its event loop; the counters are read from any thread.
 */
final class LoopLanes
{
    private static final Logger LOG = Logger.getLogger(LoopLanes.class.getName());

    private final SharedMemoryHost host;
    private final int lane;
    private final QueueConfiguration queue;
    private final RequestSlots slots;
    private final SharedMemoryLink[] links;
    private final WorkerFile[] files;
    private final DoorbellServer[] doorbellServers;
    private final long requestTimeoutMs;
    private final long heartbeatTimeoutMs;
    private final long timerPeriodMs;
    private final Runnable timerTask = this::onTimer;
    private final ResponseBytesGauge responseBytes = new ResponseBytesGauge();
    private EventLoop loop;
    private ScheduledFuture<?> timer;
    private long clockMs;
    private int nextLink;
    private boolean closed;
    private volatile long failedOnWorkerExitCount;
    private volatile long retriedOnWorkerExitCount;
    private volatile long leftForReplacementCount;
    private volatile long timedOutCount;

    /**
     * @param host  the queue's host.
     * @param lane  the lane number of this loop: the same in every worker.
     * @param queue the queue's configuration.
     */
    LoopLanes(final SharedMemoryHost host, final int lane, final QueueConfiguration queue)
    {
        this.host = host;
        this.lane = lane;
        this.queue = queue;
        this.slots = new RequestSlots(this, queue.queueLength());
        this.links = new SharedMemoryLink[WorkerSupervisor.slotCount(queue.worker().processes())];
        this.files = new WorkerFile[links.length];
        this.doorbellServers = new DoorbellServer[links.length];
        this.requestTimeoutMs = queue.worker().requestTimeoutMs();
        this.heartbeatTimeoutMs = queue.worker().heartbeatTimeoutMs();
        this.timerPeriodMs = HostTimer.periodMs(requestTimeoutMs, heartbeatTimeoutMs);
    }

    /**
     * Create this lane's ring file and doorbell in every worker's directory (already created), binding the doorbells
     * on the loop. On any thread, before the workers start.
     *
     * @param eventLoop the loop that owns the lanes.
     * @param transport the listener's transport (its Unix domain server channel).
     * @param shmDir    the listener's shared-memory directory.
     * @param pid       the listener's process id.
     * @param startMs   the listener's start, epoch ms.
     * @param freshClock the host's monotonic clock, read fresh.
     * @throws IOException when a file or socket cannot be created.
     */
    void start(
        final EventLoop eventLoop,
        final Transport transport,
        final SharedMemoryFiles.PrivateDirectory shmDir,
        final long pid,
        final long startMs,
        final LongSupplier freshClock) throws IOException
    {
        this.loop = eventLoop;
        for (int i = 0; i < links.length; i++)
        {
            final String name = host.workerDirectoryName(i);
            final Path dir = shmDir.path().resolve(name);
            files[i] = WorkerFile.create(
                shmDir, name, lane, queue.ringCapacity(), queue.ringCapacity(), pid, startMs);
            links[i] = new SharedMemoryLink(this, i, files[i].mapped(), queue.responseWindow());
            if (1 == host.laneCount())
            {
                // a worker serving one lane may sleep on a pipe rather than its doorbell socket
                links[i].wakePipe(wakePipe(pid));
            }
            // the first slot of each position serves first; the second is its spare for an overlapped recycle
            links[i].routable(i < queue.worker().processes());
            doorbellServers[i] = new DoorbellServer(links[i], queue.worker().startupTimeLimitMs(), freshClock);
            doorbellServers[i].bind(
                eventLoop, transport.serverDomainChannel(), dir.resolve(WorkerFileDescriptor.doorbellFileName(lane)));
        }
        clockMs = host.freshClockMs();
        timer = eventLoop.scheduleAtFixedRate(timerTask, timerPeriodMs, timerPeriodMs, TimeUnit.MILLISECONDS);
    }

    private static WorkerWakePipe wakePipe(final long pid)
    {
        try
        {
            return WorkerWakePipe.create(pid);
        }
        catch (final IOException ex)
        {
            // the worker sleeps on its doorbell socket, as one that does not know the pipe does
            LOG.fine(() -> "no wake pipe: " + ex);
            return null;
        }
    }

    /**
     * Open a request that arrived on this loop: a slot, and the worker with the fewest requests outstanding here.
     * On the loop.
     *
     * @param exchange      the request's exchange.
     * @param request       the decoded head.
     * @param contentLength of the body, -1 chunked, 0 none.
     * @return the request's sink, or null when no slot is free.
     */
    RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
    {
        final SharedMemoryRequest slot = slots.acquire(exchange, clockMs);
        if (null == slot)
        {
            return null;
        }
        final SharedMemoryLink link = pickLink();
        if (!link.openRequest(slot, request, contentLength))
        {
            slot.release();
            exchange.sendError(431, "request header fields too large", ErrorReason.REQUEST_LENGTH);
            return null;
        }
        return slot;
    }

    /**
     * The worker for the next request ({@link #pick}).
     *
     * @return the link.
     */
    SharedMemoryLink pickLink()
    {
        final int index = pick(links, nextLink);
        nextLink = index + 1 == links.length ? 0 : index + 1;
        return links[index];
    }

    /**
     * Least outstanding: among the routable attached workers, the one with the fewest requests outstanding on this
     * loop's lanes, the first found from {@code from} on (so that equal loads take turns when the caller starts after
     * the last one chosen); when none is attached, the first routable one from {@code from} on (its ring holds the
     * request until its worker attaches).
     *
     * @param links the loop's lanes, one per worker slot.
     * @param from  where the search starts.
     * @return the index of the chosen lane.
     */
    static int pick(final WorkerLoad[] links, final int from)
    {
        final int count = links.length;
        int best = -1;
        int bestOutstanding = Integer.MAX_VALUE;
        int firstRoutable = -1;
        for (int i = 0, index = from; i < count; i++)
        {
            final WorkerLoad link = links[index];
            if (link.isRoutable())
            {
                if (firstRoutable < 0)
                {
                    firstRoutable = index;
                }
                if (link.isAttached())
                {
                    final int outstanding = link.outstanding();
                    if (outstanding < bestOutstanding)
                    {
                        best = index;
                        bestOutstanding = outstanding;
                    }
                }
            }
            index = index + 1 == count ? 0 : index + 1;
        }
        return best >= 0 ? best : firstRoutable >= 0 ? firstRoutable : from;
    }

    /**
     * A replacement took over a worker's position: new requests on this loop go to its lane, none to the replaced
     * one's, whose requests carry on. On the loop.
     *
     * @param from the replaced worker's slot.
     * @param to   the replacement's slot.
     */
    void takeOver(final int from, final int to)
    {
        links[to].routable(true);
        links[from].routable(false);
    }

    /**
     * @param slot a worker's slot.
     * @return the requests sent to its lane on this loop since start. On the loop.
     */
    long requestCount(final int slot)
    {
        return links[slot].requestCount();
    }

    /**
     * @param slot a worker's slot.
     * @return the requests outstanding on its lane on this loop. On the loop.
     */
    int outstanding(final int slot)
    {
        return links[slot].outstanding();
    }

    /**
     * The worker of a slot started again: its lane here expects the new start's token.
     *
     * @param slot  the worker's slot.
     * @param token the new token.
     */
    void expectToken(final int slot, final String token)
    {
        links[slot].expectToken(token);
    }

    /**
     * @param slot the worker's slot.
     * @return the path of its lane's wake pipe ({@code SLUICE_WAKE_PIPE}), or null when the lane has none.
     */
    String wakePipePath(final int slot)
    {
        final WorkerWakePipe pipe = links[slot].wakePipe();
        return null == pipe ? null : pipe.path();
    }

    /**
     * The worker of a slot exited: its lane here is settled and repaired, on this loop.
     *
     * @param slot the worker's slot.
     */
    void workerExited(final int slot)
    {
        loop.execute(() -> links[slot].workerExited());
    }

    /**
     * The queue stopped after too many failures: answer every request of this loop, on this loop.
     */
    void queueStopped()
    {
        loop.execute(slots::failAll);
    }

    /**
     * Forget the requests still open and unmap the files. On the loop.
     */
    void closeOnLoop()
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
     * Stop listening on the doorbells. Blocks; off the loop.
     */
    void closeDoorbells()
    {
        for (final DoorbellServer server : doorbellServers)
        {
            if (null != server)
            {
                server.close();
            }
        }
    }

    EventLoop eventLoop()
    {
        return loop;
    }

    /**
     * Give the lanes their event loop without {@link #start}: for a test that drives one link over a ring file of its
     * own.
     *
     * @param eventLoop the loop the link's retries are scheduled on.
     */
    void eventLoop(final EventLoop eventLoop)
    {
        loop = eventLoop;
    }

    /**
     * @return the host's monotonic clock.
     */
    NanoClock nanoClock()
    {
        return host.nanoClock();
    }

    /**
     * @return the loop's request slots.
     */
    RequestSlots slots()
    {
        return slots;
    }

    /**
     * @return the response body bytes this loop holds for its requests in flight.
     */
    ResponseBytesGauge responseBytes()
    {
        return responseBytes;
    }

    /**
     * @return the loop's clock in ms (monotonic, cached by the timer): a request's start.
     */
    long clockMs()
    {
        return clockMs;
    }

    void free(final SharedMemoryRequest request)
    {
        slots.free(request);
    }

    void failWorker(final int slot, final String token, final String reason)
    {
        host.failWorker(slot, token, reason);
    }

    void workerReady(final int slot)
    {
        host.laneReady(slot, lane);
    }

    void workerExitSettled(final int slot, final int failed, final int retried, final int left)
    {
        failedOnWorkerExitCount += failed;
        retriedOnWorkerExitCount += retried;
        leftForReplacementCount += left;
        if (failed + retried + left > 0)
        {
            LOG.info(() -> "queue " + queue.name() + ": worker " + slot + " exited; requests it may have started " +
                "on lane " + lane + ": " + failed + " answered 502, " + retried + " retried; " + left +
                " it never took left for its replacement");
        }
    }

    long failedOnWorkerExitCount()
    {
        return failedOnWorkerExitCount;
    }

    long retriedOnWorkerExitCount()
    {
        return retriedOnWorkerExitCount;
    }

    long leftForReplacementCount()
    {
        return leftForReplacementCount;
    }

    long timedOutCount()
    {
        return timedOutCount;
    }

    long ringRepairCount()
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
     * The timer: advance the cached clock, keep the heartbeats, kill hung workers, drain the response rings (answers
     * a worker committed without waking the listener), time out old requests.
     */
    private void onTimer()
    {
        if (closed)
        {
            return;
        }
        clockMs = host.freshClockMs();
        final long epochMs = System.currentTimeMillis();
        for (int i = 0; i < links.length; i++)
        {
            final SharedMemoryLink link = links[i];
            doorbellServers[i].expireUnready(clockMs);
            if (link.heartbeat(epochMs, clockMs, heartbeatTimeoutMs))
            {
                host.killHung(i, link.expectedToken(), lane, heartbeatTimeoutMs);
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
        if (0 == timedOut)
        {
            // only tunnels are that old: they are not timed out
            return;
        }
        timedOutCount += timedOut;
        LOG.warning(() -> "queue " + queue.name() + ": " + timedOut + " request(s) not answered within " +
            "requestTimeout=" + requestTimeoutMs + "ms: 504 (connection closed when the head was sent), worker told " +
            "to abort");
    }
}
