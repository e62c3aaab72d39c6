package io.sluice.listener.process;

import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.config.WorkerLifetime;
import io.sluice.listener.counters.QueueCounters;
import io.sluice.listener.queue.HostingMode;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Starts, watches and restarts one queue's worker processes (WAS semantics): each slot's process is restarted when it
 * exits, a start that does not become ready within the startup time limit is killed and retried, and past
 * {@code rapidFailsPerMinute} failures in a minute the queue is stopped until reconfigured; a worker the host finds
 * hung is killed ({@link #kill}) and then restarted like any other that exits. Stops every process when the listener
 * stops: asks politely (end-of-file on its standard input), waits up to the shutdown time limit, then kills.
 * <p>
 * Killing a worker kills its process tree: the processes it started that are still its
 * descendants die with it. A process that left the tree (double-forked, or orphaned by a worker that exited on its
 * own) is not found this way; instead, once a worker has exited, every other process of this user that still maps
 * or holds open a file of its shared-memory directory is killed before its rings are reset for the replacement.
 * <p>
 * Every worker's standard input is a pipe from the listener: when the listener dies the worker reads end-of-file and
 * exits (the worker SDK watches it).
 * <p>
 * Lifetime (WAS application pool semantics, {@link WorkerLifetime}): with {@code activation: on-demand} no worker
 * starts until the host asks for one ({@link #demand()}, on the queue's first request); a queue whose workers had no
 * request for {@code idleTimeout} stops them (they start again on demand); {@link #suspend()} and {@link #resume()}
 * stop and start them for a queue taken offline and back. A worker is recycled overlapped ({@link #recycle(String)},
 * or when it has run {@code recycle.time}, been given {@code recycle.requests} or grown past {@code recycle.memory}
 * resident bytes, checked every {@value #LIFETIME_CHECK_MS} ms): its replacement starts in the position's spare slot,
 * and only once it is ready does the host route new requests to it ({@link WorkerEvents#onTakeOver}); the old worker
 * then drains ({@link SlotDrain}): once it holds no request ({@link WorkerEvents#inFlight}) its standard input is
 * closed and it exits; one still busy after {@code shutdownTimeLimit} is killed. Its exit is not a failure and its slot is not started again.
 * <p>
 * Threading: all state changes run on one supervisor thread; {@link WorkerEvents} callbacks are made on it.
 * <p>
 * The work is shared out: {@link WorkerStarter} starts and restarts slots (startup and rapid-fail limits),
 * {@link WorkerRecycler} runs the overlapped recycle and drains, {@link WorkerLifetimeControl} decides when workers
 * run (activation, idle stop, offline) and makes the periodic lifetime check, and {@link WorkerStatusReport} reports;
 * they share a {@link SupervisorState}.
 */
public final class WorkerSupervisor implements AutoCloseable
{
    /**
     * Period of the lifetime check (recycle conditions, idle timeout): {@value} ms.
     */
    public static final long LIFETIME_CHECK_MS = 500;

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());

    /**
     * How a slot's environment differs from its neighbours' (shm directory, port).
     */
    public interface SlotEnvironment
    {
        /**
         * @param slot the worker's slot.
         * @param env  to add SLUICE_* variables to.
         */
        void fill(int slot, Map<String, String> env);
    }

    /**
     * The variable naming a worker's own directory of shared files, when its model has one.
     */
    static final String SHARED_DIR_ENV_NAME = WorkerEnvironment.SHM_DIR_ENV_NAME;

    private final String queueName;
    private final SupervisorState state;
    private final WorkerStarter starter;
    private final WorkerLifetimeControl lifetime;
    private final WorkerStatusReport report;

    /**
     * A supervisor on the system's clock.
     *
     * @param queueName       the queue's name.
     * @param hosting         the queue's hosting model (shared-memory or loopback).
     * @param handlerClass    the handler class, passed to the worker SDK's main class.
     * @param applicationPath the path of the queue's first prefix.
     * @param config          worker settings.
     * @param slotEnvironment adds per-slot variables.
     * @param events          the host's callbacks.
     */
    public WorkerSupervisor(
        final String queueName,
        final HostingMode hosting,
        final String handlerClass,
        final String applicationPath,
        final WorkerConfiguration config,
        final SlotEnvironment slotEnvironment,
        final WorkerEvents events)
    {
        this(queueName, hosting, handlerClass, applicationPath, config, slotEnvironment, events,
            SystemNanoClock.INSTANCE);
    }

    /**
     * @param queueName       the queue's name.
     * @param hosting         the queue's hosting model (shared-memory or loopback).
     * @param handlerClass    the handler class, passed to the worker SDK's main class.
     * @param applicationPath the path of the queue's first prefix.
     * @param config          worker settings.
     * @param slotEnvironment adds per-slot variables.
     * @param events          the host's callbacks.
     * @param clock           the clock of a worker's age and the queue's idle time.
     */
    public WorkerSupervisor(
        final String queueName,
        final HostingMode hosting,
        final String handlerClass,
        final String applicationPath,
        final WorkerConfiguration config,
        final SlotEnvironment slotEnvironment,
        final WorkerEvents events,
        final NanoClock clock)
    {
        this.queueName = queueName;
        this.state = new SupervisorState(queueName, config, events, clock);
        final WorkerRecycler recycler = new WorkerRecycler(state);
        this.starter = new WorkerStarter(state, recycler, hosting, handlerClass, applicationPath, slotEnvironment);
        this.lifetime = new WorkerLifetimeControl(state, starter, recycler);
        this.report = new WorkerStatusReport(state);
    }

    /**
     * @param processes a queue's worker processes.
     * @return the slots its host prepares: two per worker, the second for the replacement of an overlapped recycle.
     */
    public static int slotCount(final int processes)
    {
        return WorkerConfiguration.SLOTS_PER_PROCESS * processes;
    }

    /**
     * @return the number of worker positions ({@code processes}).
     */
    public int processes()
    {
        return state.active.length;
    }

    /**
     * @return the positions whose current worker proved ready and has not exited since; from any thread.
     */
    public int readyCount()
    {
        return report.readyCount();
    }

    /**
     * @return true once rapid-fail protection stopped the queue.
     */
    public boolean isQueueStopped()
    {
        return state.queueStopped;
    }

    /**
     * Count the workers' starts, exits, hung kills and rapid-fail stops; call before {@link #start()}.
     *
     * @param counters the queue's counters, or null to count nothing.
     */
    public void counters(final QueueCounters counters)
    {
        state.counters = counters;
    }

    /**
     * @return true while no worker is meant to run: on-demand and not yet asked, stopped when idle, or suspended. A
     * host that gets a request meanwhile calls {@link #demand()}.
     */
    public boolean isDormant()
    {
        return state.dormant;
    }

    /**
     * Start the workers (unless activation is on-demand) and the lifetime check.
     */
    public void start()
    {
        lifetime.start();
    }

    /**
     * A request arrived while the queue is dormant: start its workers (not while suspended). Any thread; returns at
     * once.
     */
    public void demand()
    {
        state.submit(lifetime::demand);
    }

    /**
     * Stop the workers and start none until {@link #resume()} (the queue is offline): each finishes the requests it
     * holds (within {@code shutdownTimeLimit}, else it is killed). Returns at once.
     */
    public void suspend()
    {
        state.suspended = true;
        state.submit(() -> lifetime.stopAll("the queue is offline"));
    }

    /**
     * Start the workers again after {@link #suspend()}: at once, or on the next request when activation is
     * on-demand. Returns at once.
     */
    public void resume()
    {
        state.submit(lifetime::resume);
    }

    /**
     * Recycle every worker, overlapped: each one's replacement starts beside it, takes over once ready, and the old
     * one drains and exits. Nothing happens for a worker not running, nor while one of its recycles is under way (a
     * recycle asked while the previous replaced worker still drains waits for it to exit). Returns at once.
     *
     * @param reason for the log, e.g. {@code "configuration changed"}.
     */
    public void recycle(final String reason)
    {
        state.submit(
            () ->
            {
                for (int position = 0; position < state.active.length; position++)
                {
                    starter.recycle(position, reason);
                }
            });
    }

    /**
     * Recycle every worker, overlapped ({@link #recycle(String)}), the replacements started with new settings.
     *
     * @param reason    for the log.
     * @param newConfig the settings of the replacements and of every later start; the same process count.
     * @throws IllegalArgumentException when the process count differs: the host must then be made again.
     */
    public void recycle(final String reason, final WorkerConfiguration newConfig)
    {
        final int processes = state.active.length;
        if (newConfig.processes() != processes)
        {
            throw new IllegalArgumentException("queue " + queueName + ": processes changed from " + processes +
                " to " + newConfig.processes() + ": the queue must be started again");
        }
        state.submit(
            () ->
            {
                state.config = newConfig;
                for (int position = 0; position < state.active.length; position++)
                {
                    starter.recycle(position, reason);
                }
            });
    }

    /**
     * A slot's worker proved it is ready (attached to its rings, or answering on its port). When it replaces
     * another, it takes over now and the other drains.
     *
     * @param slot the worker's slot.
     */
    public void ready(final int slot)
    {
        state.submit(() -> starter.ready(slot));
    }

    /**
     * @param position a worker's position, 0 to {@link #processes()} - 1.
     * @return the PID of the position's current worker (the one new requests go to), or -1 when it is not running.
     */
    public long pid(final int position)
    {
        return report.pid(position);
    }

    /**
     * @return PIDs of the running workers, those draining included.
     */
    public List<Long> pids()
    {
        return report.pids();
    }

    /**
     * @return a snapshot of every position's current worker, then of the workers draining, for the status document;
     * request counts as of the last lifetime check.
     */
    public List<WorkerStatus> workers()
    {
        return report.workers();
    }

    /**
     * Kill a worker the host found hung (SIGKILL); its exit is then handled as any other: the host settles its
     * requests and the slot is restarted within the rapid-fail budget. Returns at once.
     *
     * @param slot   the worker's slot.
     * @param token  the token of the start the host found hung: nothing happens when the slot runs another by now.
     * @param reason for the log.
     */
    public void kill(final int slot, final String token, final String reason)
    {
        state.submit(() -> starter.killHung(slot, token, reason));
    }

    /**
     * The listener is stopping: from now on a worker's exit is expected, not a failure to restart.
     */
    public void stopping()
    {
        state.stopped = true;
    }

    /**
     * Stop every worker: close their standard input (the polite request: a worker finishes what it holds and exits),
     * wait up to the shutdown time limit, then kill what is left. Blocks until done.
     */
    public void close()
    {
        state.stopped = true;
        final List<Process> processes = new ArrayList<>();
        for (final WorkerSlot slot : state.slots)
        {
            final Process process = slot.process;
            if (null != process)
            {
                processes.add(process);
                WorkerSlot.closeQuietly(slot.stdin);
            }
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(state.config.shutdownTimeLimitMs());
        for (final Process process : processes)
        {
            try
            {
                final long remainingNs = Math.max(0, deadlineNs - System.nanoTime());
                if (!process.waitFor(remainingNs, TimeUnit.NANOSECONDS))
                {
                    LOG.warning(() -> "worker " + process.pid() + " of queue " + queueName +
                        " did not stop within shutdownTimeLimit; killing it");
                    WorkerKiller.killTree(process);
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                WorkerKiller.killTree(process);
            }
        }
        state.executor.shutdownNow();
    }
}
