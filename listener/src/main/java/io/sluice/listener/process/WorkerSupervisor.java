package io.sluice.listener.process;

import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.config.WorkerLifetime;
import io.sluice.listener.counters.QueueCounters;
import io.sluice.listener.queue.HostingMode;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
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
 */
public final class WorkerSupervisor implements AutoCloseable
{
    /**
     * Period of the lifetime check (recycle conditions, idle timeout): {@value} ms.
     */
    public static final long LIFETIME_CHECK_MS = 500;

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());
    private static final long RESTART_DELAY_MS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

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
    private final HostingMode hosting;
    private final String handlerClass;
    private final String applicationPath;
    private final SlotEnvironment slotEnvironment;
    private final WorkerEvents events;
    private final NanoClock clock;
    private final ScheduledExecutorService executor;
    private final WorkerSlot[] slots;
    private final WorkerSlot[] active;
    private final int[] restarts;
    private final int[] recycles;
    private final String[] pendingRecycles;
    private final RapidFailWindow failures = new RapidFailWindow();
    private volatile WorkerConfiguration config;
    private volatile boolean stopped;
    private volatile boolean queueStopped;
    private volatile boolean dormant;
    private volatile boolean suspended;
    private final LifetimeLimits limits = new LifetimeLimits();
    private QueueCounters counters;

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
        this.hosting = hosting;
        this.handlerClass = handlerClass;
        this.applicationPath = applicationPath;
        this.config = config;
        this.slotEnvironment = slotEnvironment;
        this.events = events;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(
            (r) ->
            {
                final Thread thread = new Thread(r, "sluice-supervisor-" + queueName);
                thread.setDaemon(true);
                return thread;
            });
        final int positions = config.processes();
        this.slots = new WorkerSlot[slotCount(positions)];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new WorkerSlot(i, i % positions);
        }
        this.active = new WorkerSlot[positions];
        System.arraycopy(slots, 0, active, 0, positions);
        this.restarts = new int[positions];
        this.recycles = new int[positions];
        this.pendingRecycles = new String[positions];
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
        return active.length;
    }

    /**
     * @return the positions whose current worker proved ready and has not exited since; from any thread.
     */
    public int readyCount()
    {
        int count = 0;
        for (final WorkerSlot slot : active)
        {
            if (slot.ready)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * @return true once rapid-fail protection stopped the queue.
     */
    public boolean isQueueStopped()
    {
        return queueStopped;
    }

    /**
     * Count the workers' starts, exits, hung kills and rapid-fail stops; call before {@link #start()}.
     *
     * @param counters the queue's counters, or null to count nothing.
     */
    public void counters(final QueueCounters counters)
    {
        this.counters = counters;
    }

    /**
     * @return true while no worker is meant to run: on-demand and not yet asked, stopped when idle, or suspended. A
     * host that gets a request meanwhile calls {@link #demand()}.
     */
    public boolean isDormant()
    {
        return dormant;
    }

    /**
     * Start the workers (unless activation is on-demand) and the lifetime check.
     */
    public void start()
    {
        final WorkerLifetime lifetime = config.lifetime();
        if (lifetime.activation() == WorkerLifetime.Activation.ON_DEMAND)
        {
            dormant = true;
            LOG.info(() -> "queue " + queueName + ": activation on-demand: workers start on the first request");
        }
        else
        {
            for (final WorkerSlot slot : active)
            {
                executor.execute(() -> launchOrFail(slot));
            }
        }
        executor.scheduleWithFixedDelay(
            () ->
            {
                try
                {
                    checkLifetime();
                }
                catch (final RuntimeException ex)
                {
                    // a periodic task that throws is never run again: log, and check again next time
                    LOG.log(Level.WARNING, "queue " + queueName + ": lifetime check failed", ex);
                }
            },
            LIFETIME_CHECK_MS, LIFETIME_CHECK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * A request arrived while the queue is dormant: start its workers (not while suspended). Any thread; returns at
     * once.
     */
    public void demand()
    {
        submit(
            () ->
            {
                if (!dormant || suspended || stopped || queueStopped)
                {
                    return;
                }
                LOG.info(() -> "queue " + queueName + ": a request arrived; starting the workers");
                wake();
            });
    }

    /**
     * Stop the workers and start none until {@link #resume()} (the queue is offline): each finishes the requests it
     * holds (within {@code shutdownTimeLimit}, else it is killed). Returns at once.
     */
    public void suspend()
    {
        suspended = true;
        submit(() -> stopAll("the queue is offline"));
    }

    /**
     * Start the workers again after {@link #suspend()}: at once, or on the next request when activation is
     * on-demand. Returns at once.
     */
    public void resume()
    {
        submit(
            () ->
            {
                if (!suspended)
                {
                    return;
                }
                suspended = false;
                if (config.lifetime().activation() == WorkerLifetime.Activation.EAGER)
                {
                    wake();
                }
            });
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
        submit(
            () ->
            {
                for (int position = 0; position < active.length; position++)
                {
                    recycle(position, reason);
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
        if (newConfig.processes() != active.length)
        {
            throw new IllegalArgumentException("queue " + queueName + ": processes changed from " + active.length +
                " to " + newConfig.processes() + ": the queue must be started again");
        }
        submit(
            () ->
            {
                config = newConfig;
                for (int position = 0; position < active.length; position++)
                {
                    recycle(position, reason);
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
        submit(
            () ->
            {
                final WorkerSlot s = slots[slot];
                s.ready = true;
                s.attempts = 0;
                if (null != s.startupTimer)
                {
                    s.startupTimer.cancel(false);
                    s.startupTimer = null;
                }
                if (null != s.replacing)
                {
                    takeOver(s.replacing, s);
                }
            });
    }

    /**
     * @param position a worker's position, 0 to {@link #processes()} - 1.
     * @return the PID of the position's current worker (the one new requests go to), or -1 when it is not running.
     */
    public long pid(final int position)
    {
        final Process process = active[position].process;
        return null != process && process.isAlive() ? process.pid() : -1;
    }

    /**
     * @return PIDs of the running workers, those draining included.
     */
    public List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        for (final WorkerSlot slot : slots)
        {
            final Process process = slot.process;
            if (null != process && process.isAlive())
            {
                pids.add(process.pid());
            }
        }
        return pids;
    }

    /**
     * @return a snapshot of every position's current worker, then of the workers draining, for the status document;
     * request counts as of the last lifetime check.
     */
    public List<WorkerStatus> workers()
    {
        final long nowNs = clock.nanoTime();
        final List<WorkerStatus> workers = new ArrayList<>();
        for (final WorkerSlot slot : active)
        {
            workers.add(status(slot, nowNs));
        }
        for (final WorkerSlot slot : slots)
        {
            if (active[slot.position] != slot && null != slot.process)
            {
                workers.add(status(slot, nowNs));
            }
        }
        return workers;
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
        submit(
            () ->
            {
                final WorkerSlot s = slots[slot];
                final Process process = s.process;
                if (null != process && null != token && token.equals(s.token) && process.isAlive())
                {
                    LOG.warning(() -> "queue " + queueName + ": " + s + " pid " + process.pid() + " " + reason +
                        "; killing it");
                    WorkerKiller.killTree(process);
                    if (null != counters)
                    {
                        counters.workerHungKilled();
                    }
                }
            });
    }

    /**
     * The listener is stopping: from now on a worker's exit is expected, not a failure to restart.
     */
    public void stopping()
    {
        stopped = true;
    }

    /**
     * Stop every worker: close their standard input (the polite request: a worker finishes what it holds and exits),
     * wait up to the shutdown time limit, then kill what is left. Blocks until done.
     */
    public void close()
    {
        stopped = true;
        final List<Process> processes = new ArrayList<>();
        for (final WorkerSlot slot : slots)
        {
            final Process process = slot.process;
            if (null != process)
            {
                processes.add(process);
                WorkerSlot.closeQuietly(slot.stdin);
            }
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.shutdownTimeLimitMs());
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
        executor.shutdownNow();
    }

    private WorkerStatus status(final WorkerSlot slot, final long nowNs)
    {
        final Process process = slot.process;
        final boolean running = null != process;
        return new WorkerStatus(
            slot.position,
            slot.index,
            running ? process.pid() : -1,
            slot.state(),
            running ? TimeUnit.NANOSECONDS.toMillis(nowNs - slot.startedNs) : 0,
            running ? slot.requests : 0,
            restarts[slot.position],
            recycles[slot.position]);
    }

    private void submit(final Runnable task)
    {
        try
        {
            executor.execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            // closed: every worker is being stopped anyway
        }
    }

    private void wake()
    {
        dormant = false;
        limits.reset();
        for (final WorkerSlot slot : active)
        {
            slot.attempts = 0;
            if (null == slot.process)
            {
                launchOrFail(slot);
            }
            // one still stopping starts again when it has exited
        }
    }

    private void stopAll(final String reason)
    {
        if (stopped)
        {
            return;
        }
        dormant = true;
        for (final WorkerSlot slot : slots)
        {
            if (null != slot.replacing)
            {
                // a recycle under way is given up: the worker it would have replaced stops too
                slot.replacing = null;
                slot.retiring = true;
            }
            else if (active[slot.position] == slot)
            {
                slot.stopping = true;
            }
            pendingRecycles[slot.position] = null;
            if (null != slot.process)
            {
                if (slot.stopping || slot.retiring)
                {
                    LOG.info(() -> "queue " + queueName + ": stopping " + slot + " pid " + slot.process.pid() +
                        ": " + reason);
                }
                drain(slot);
            }
            else
            {
                slot.stopping = false;
                slot.retiring = false;
            }
        }
    }

    private void recycle(final int position, final String reason)
    {
        final WorkerSlot current = active[position];
        if (stopped || queueStopped || dormant || null == current.process)
        {
            return;
        }
        final WorkerSlot spare = slots[twin(current.index)];
        if (null != spare.replacing)
        {
            return;
        }
        if (null != spare.process)
        {
            // the worker replaced last time still drains in the spare slot: recycle once it has exited
            pendingRecycles[position] = reason;
            return;
        }
        LOG.info(() -> "queue " + queueName + ": recycling " + current + " pid " + current.process.pid() + " (" +
            reason + "): starting its replacement in slot " + spare.index);
        spare.replacing = current;
        spare.retiring = false;
        spare.stopping = false;
        spare.attempts = 0;
        launchOrFail(spare);
    }

    private void takeOver(final WorkerSlot old, final WorkerSlot replacement)
    {
        replacement.replacing = null;
        active[old.position] = replacement;
        recycles[old.position]++;
        events.onTakeOver(old.index, replacement.index);
        LOG.info(() -> "queue " + queueName + ": " + replacement + " pid " + pidOf(replacement) + " took over from " +
            old + " pid " + pidOf(old) + ", which drains");
        old.retiring = true;
        if (null != old.process)
        {
            drain(old);
        }
        else
        {
            old.retiring = false;
        }
    }

    private void drain(final WorkerSlot slot)
    {
        if (null == slot.drainTimer)
        {
            slot.drainTimer = executor.scheduleWithFixedDelay(
                new SlotDrain(queueName, slot, events, config.shutdownTimeLimitMs()),
                0, SlotDrain.POLL_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Every {@value #LIFETIME_CHECK_MS} ms: count each worker's requests, recycle those past a limit, and stop the
     * workers of a queue idle for {@code idleTimeout}.
     */
    private void checkLifetime()
    {
        if (stopped || queueStopped || dormant)
        {
            return;
        }
        final WorkerLifetime lifetime = config.lifetime();
        final long nowNs = clock.nanoTime();
        long total = 0;
        int inFlight = 0;
        for (final WorkerSlot slot : slots)
        {
            if (null == slot.process)
            {
                continue;
            }
            final long count = events.requestCount(slot.index);
            slot.requests = count - slot.requestBase;
            if (active[slot.position] == slot)
            {
                total += count;
                inFlight += events.inFlight(slot.index);
            }
        }
        for (final WorkerSlot slot : active)
        {
            final Process process = slot.process;
            if (null == process || !slot.ready)
            {
                continue;
            }
            final String reason = LifetimeLimits.recycleReason(lifetime, slot, process.pid(), nowNs);
            if (null != reason)
            {
                recycle(slot.position, reason);
            }
        }
        if (limits.isIdle(lifetime.idleTimeoutMs(), total, inFlight, nowNs))
        {
            stopAll("no request for idleTimeout=" + lifetime.idleTimeoutMs() + "ms");
        }
    }

    private void launch(final WorkerSlot slot)
    {
        if (stopped || queueStopped || dormant || null != slot.process ||
            (active[slot.position] != slot && null == slot.replacing))
        {
            return;
        }

        final WorkerConfiguration config = this.config;
        final String token = newToken();
        final List<String> command = WorkerCommand.of(config, handlerClass);
        final ProcessBuilder builder = new ProcessBuilder(command);
        final Map<String, String> env = builder.environment();
        WorkerCommand.fillEnvironment(env, config, queueName, hosting, token, applicationPath, slot.position);
        slotEnvironment.fill(slot.index, env);
        slot.sharedDir = env.get(SHARED_DIR_ENV_NAME);

        WorkerCommand.redirect(builder, config.stdoutLog());

        events.onStarting(slot.index, token);
        slot.token = token;
        slot.ready = false;
        slot.stdinClosed = false;
        slot.attempts++;
        slot.requestBase = events.requestCount(slot.index);
        slot.requests = 0;
        try
        {
            final Process process = builder.start();
            slot.startedNs = clock.nanoTime();
            slot.process = process;
            slot.stdin = process.getOutputStream();
            if (null != counters)
            {
                counters.workerStarted();
            }
            LOG.info(() -> "queue " + queueName + ": started " + slot + " pid " + process.pid());
            process.onExit().thenAccept((p) -> submit(() -> exited(slot, p)));
            slot.startupTimer = executor.schedule(
                () -> startupTimedOut(slot, process), config.startupTimeLimitMs(), TimeUnit.MILLISECONDS);
        }
        catch (final IOException ex)
        {
            // one line: the reason is all an operator needs (the command was checked when the listener started)
            LOG.warning(() -> "queue " + queueName + ": cannot start " + slot + ": " +
                String.join(" ", command) + ": " + ex.getMessage());
            slot.process = null;
            failed(slot);
        }
    }

    /**
     * {@link #launch(WorkerSlot)}, where a failure before the process runs (its environment cannot be made, e.g. no
     * free loopback port) counts as a failed start, retried as one, rather than ending the task silently and leaving
     * the position without a worker and without a start-up timer.
     */
    private void launchOrFail(final WorkerSlot slot)
    {
        final int attempts = slot.attempts;
        try
        {
            launch(slot);
        }
        catch (final RuntimeException ex)
        {
            LOG.log(Level.WARNING, "queue " + queueName + ": cannot start " + slot, ex);
            if (null == slot.process)
            {
                if (slot.attempts == attempts)
                {
                    slot.attempts++;
                }
                failed(slot);
            }
        }
    }

    private void startupTimedOut(final WorkerSlot slot, final Process process)
    {
        if (slot.process == process && !slot.ready && process.isAlive())
        {
            LOG.warning(() -> "queue " + queueName + ": worker " + process.pid() +
                " not ready within startupTimeLimit; killing it");
            WorkerKiller.killTree(process);
        }
    }

    private void exited(final WorkerSlot slot, final Process process)
    {
        if (slot.process != process)
        {
            return;
        }
        WorkerSlot.closeQuietly(slot.stdin);
        slot.process = null;
        slot.ready = false;
        slot.cancelTimers();
        final int exitCode = process.exitValue();
        if (null != counters)
        {
            counters.workerExited();
        }
        if (null != slot.sharedDir)
        {
            WorkerKiller.killHolders(Path.of(slot.sharedDir));
        }
        if (slot.retiring)
        {
            slot.retiring = false;
            events.onRetired(slot.index, exitCode);
            LOG.info(() -> "queue " + queueName + ": " + slot + " pid " + process.pid() + " drained and exited with " +
                exitCode);
            final String pending = pendingRecycles[slot.position];
            if (null != pending)
            {
                pendingRecycles[slot.position] = null;
                recycle(slot.position, pending);
            }
            return;
        }
        events.onExited(slot.index, exitCode);
        if (stopped)
        {
            return;
        }
        if (slot.stopping)
        {
            slot.stopping = false;
            LOG.info(() -> "queue " + queueName + ": " + slot + " pid " + process.pid() + " stopped (exit " +
                exitCode + ")");
            // a request that arrived meanwhile woke the queue: start it again
            launchOrFail(slot);
            return;
        }
        LOG.warning(() -> "queue " + queueName + ": " + slot + " pid " + process.pid() + " exited with " + exitCode);
        if (null == slot.replacing)
        {
            restarts[slot.position]++;
        }
        failed(slot);
    }

    private void failed(final WorkerSlot slot)
    {
        if (!slot.ready && slot.attempts > config.startupRetryCount())
        {
            if (null != slot.replacing)
            {
                // a replacement that cannot start: the worker it would replace keeps serving
                final WorkerSlot kept = slot.replacing;
                slot.replacing = null;
                LOG.severe(() -> "queue " + queueName + ": the replacement of " + kept + " failed to start " +
                    slot.attempts + " times in a row (startupRetryCount=" + config.startupRetryCount() +
                    "); recycle given up, the worker keeps serving");
                return;
            }
            queueStopped = true;
            LOG.severe(() -> "queue " + queueName + ": " + slot + " failed to start " + slot.attempts +
                " times in a row (startupRetryCount=" + config.startupRetryCount() +
                "); queue stopped, answering 503 until reconfigured");
            countRapidFailStop();
            events.onQueueStopped();
            return;
        }
        final int recentFailures = failures.failed(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        if (recentFailures > config.rapidFailsPerMinute())
        {
            queueStopped = true;
            LOG.severe(() -> "queue " + queueName + ": " + recentFailures +
                " worker failures within a minute (rapidFailsPerMinute=" + config.rapidFailsPerMinute() +
                "); queue stopped, answering 503 until reconfigured");
            countRapidFailStop();
            events.onQueueStopped();
            return;
        }
        executor.schedule(() -> launchOrFail(slot), RESTART_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private int twin(final int index)
    {
        final int positions = active.length;
        return index < positions ? index + positions : index - positions;
    }

    private static long pidOf(final WorkerSlot slot)
    {
        final Process process = slot.process;
        return null == process ? -1 : process.pid();
    }

    private void countRapidFailStop()
    {
        if (null != counters)
        {
            counters.rapidFailStopped();
        }
    }

    private static String newToken()
    {
        final byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
