package io.sluice.listener.process;

import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.queue.HostingMode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
 * Threading: all state changes run on one supervisor thread; {@link Events} callbacks are made on it.
 */
public final class WorkerSupervisor implements AutoCloseable
{
    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());
    private static final long RESTART_DELAY_MS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What the host learns about its workers, on the supervisor thread.
     */
    public interface Events
    {
        /**
         * A worker process was started (not yet ready).
         *
         * @param slot  the worker's index in the queue.
         * @param token the secret the worker must present.
         */
        void onStarting(int slot, String token);

        /**
         * A worker process exited or was killed; its in-flight requests are the host's to settle.
         *
         * @param slot     the worker's index in the queue.
         * @param exitCode the process's exit code.
         */
        void onExited(int slot, int exitCode);

        /**
         * The queue was stopped by rapid-fail protection: answer 503 until reconfigured.
         */
        void onQueueStopped();
    }

    /**
     * How a slot's environment differs from its neighbours' (shm directory, port).
     */
    public interface SlotEnvironment
    {
        /**
         * @param slot the worker's index in the queue.
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
    private final WorkerConfiguration config;
    private final SlotEnvironment slotEnvironment;
    private final Events events;
    private final ScheduledExecutorService executor;
    private final Slot[] slots;
    private final RapidFailWindow failures = new RapidFailWindow();
    private volatile boolean stopped;
    private volatile boolean queueStopped;

    /**
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
        final Events events)
    {
        this.queueName = queueName;
        this.hosting = hosting;
        this.handlerClass = handlerClass;
        this.applicationPath = applicationPath;
        this.config = config;
        this.slotEnvironment = slotEnvironment;
        this.events = events;
        this.executor = Executors.newSingleThreadScheduledExecutor(
            (r) ->
            {
                final Thread thread = new Thread(r, "sluice-supervisor-" + queueName);
                thread.setDaemon(true);
                return thread;
            });
        this.slots = new Slot[config.processes()];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new Slot(i);
        }
    }

    /**
     * @return the number of worker slots.
     */
    public int processes()
    {
        return slots.length;
    }

    /**
     * @return true once rapid-fail protection stopped the queue.
     */
    public boolean isQueueStopped()
    {
        return queueStopped;
    }

    /**
     * Start every slot's process.
     */
    public void start()
    {
        for (final Slot slot : slots)
        {
            executor.execute(() -> launch(slot));
        }
    }

    /**
     * A slot's worker proved it is ready (attached to its rings, or answering on its port).
     *
     * @param slot the worker's index.
     */
    public void ready(final int slot)
    {
        executor.execute(
            () ->
            {
                final Slot s = slots[slot];
                s.ready = true;
                s.attempts = 0;
                if (null != s.startupTimer)
                {
                    s.startupTimer.cancel(false);
                    s.startupTimer = null;
                }
            });
    }

    /**
     * @param slot the worker's index.
     * @return the worker's PID, or -1 when it is not running.
     */
    public long pid(final int slot)
    {
        final Process process = slots[slot].process;
        return null != process && process.isAlive() ? process.pid() : -1;
    }

    /**
     * @return PIDs of the running workers.
     */
    public List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        for (final Slot slot : slots)
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
     * Kill a worker the host found hung (SIGKILL); its exit is then handled as any other: the host settles its
     * requests and the slot is restarted within the rapid-fail budget. Returns at once.
     *
     * @param slot   the worker's index.
     * @param token  the token of the start the host found hung: nothing happens when the slot runs another by now.
     * @param reason for the log.
     */
    public void kill(final int slot, final String token, final String reason)
    {
        try
        {
            executor.execute(
                () ->
                {
                    final Slot s = slots[slot];
                    final Process process = s.process;
                    if (null != process && null != token && token.equals(s.token) && process.isAlive())
                    {
                        LOG.warning(() -> "queue " + queueName + ": worker " + slot + " pid " + process.pid() + " " +
                            reason + "; killing it");
                        WorkerKiller.killTree(process);
                    }
                });
        }
        catch (final RejectedExecutionException ex)
        {
            // closed: every worker is being stopped anyway
        }
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
        for (final Slot slot : slots)
        {
            final Process process = slot.process;
            if (null != process)
            {
                processes.add(process);
                closeQuietly(slot.stdin);
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

    private void launch(final Slot slot)
    {
        if (stopped || queueStopped)
        {
            return;
        }

        final String token = newToken();
        final List<String> command = WorkerCommand.of(config, handlerClass);
        final ProcessBuilder builder = new ProcessBuilder(command);
        final Map<String, String> env = builder.environment();
        env.putAll(config.environment());
        env.put(WorkerEnvironment.QUEUE_ENV_NAME, queueName);
        env.put(WorkerEnvironment.HOSTING_ENV_NAME, hosting.configName());
        env.put(WorkerEnvironment.TOKEN_ENV_NAME, token);
        env.put(WorkerEnvironment.APPL_PATH_ENV_NAME, applicationPath);
        env.put(WorkerEnvironment.WORKER_INDEX_ENV_NAME, Integer.toString(slot.index));
        env.put(WorkerEnvironment.LISTENER_PID_ENV_NAME, Long.toString(ProcessHandle.current().pid()));
        env.put(WorkerEnvironment.SHUTDOWN_TIME_LIMIT_MS_ENV_NAME, Long.toString(config.shutdownTimeLimitMs()));
        if (config.heartbeatTimeoutMs() > 0)
        {
            env.put(WorkerEnvironment.HEARTBEAT_TIMEOUT_MS_ENV_NAME, Long.toString(config.heartbeatTimeoutMs()));
        }
        slotEnvironment.fill(slot.index, env);
        slot.sharedDir = env.get(SHARED_DIR_ENV_NAME);

        WorkerCommand.redirect(builder, config.stdoutLog());

        events.onStarting(slot.index, token);
        slot.token = token;
        slot.ready = false;
        slot.attempts++;
        try
        {
            final Process process = builder.start();
            slot.process = process;
            slot.stdin = process.getOutputStream();
            LOG.info(() -> "queue " + queueName + ": started worker " + slot.index + " pid " + process.pid());
            process.onExit().thenAccept((p) -> executor.execute(() -> exited(slot, p)));
            slot.startupTimer = executor.schedule(
                () -> startupTimedOut(slot, process), config.startupTimeLimitMs(), TimeUnit.MILLISECONDS);
        }
        catch (final IOException ex)
        {
            // one line: the reason is all an operator needs (the command was checked when the listener started)
            LOG.warning(() -> "queue " + queueName + ": cannot start worker " + slot.index + ": " +
                String.join(" ", command) + ": " + ex.getMessage());
            slot.process = null;
            failed(slot);
        }
    }

    private void startupTimedOut(final Slot slot, final Process process)
    {
        if (slot.process == process && !slot.ready && process.isAlive())
        {
            LOG.warning(() -> "queue " + queueName + ": worker " + process.pid() +
                " not ready within startupTimeLimit; killing it");
            WorkerKiller.killTree(process);
        }
    }

    private void exited(final Slot slot, final Process process)
    {
        if (slot.process != process)
        {
            return;
        }
        closeQuietly(slot.stdin);
        slot.process = null;
        if (null != slot.startupTimer)
        {
            slot.startupTimer.cancel(false);
            slot.startupTimer = null;
        }
        final int exitCode = process.exitValue();
        if (null != slot.sharedDir)
        {
            WorkerKiller.killHolders(Path.of(slot.sharedDir));
        }
        events.onExited(slot.index, exitCode);
        if (stopped)
        {
            return;
        }
        LOG.warning(() -> "queue " + queueName + ": worker " + slot.index + " pid " + process.pid() +
            " exited with " + exitCode);
        failed(slot);
    }

    private void failed(final Slot slot)
    {
        if (!slot.ready && slot.attempts > config.startupRetryCount())
        {
            queueStopped = true;
            LOG.severe(() -> "queue " + queueName + ": worker " + slot.index + " failed to start " + slot.attempts +
                " times in a row (startupRetryCount=" + config.startupRetryCount() +
                "); queue stopped, answering 503 until reconfigured");
            events.onQueueStopped();
            return;
        }
        final int recentFailures = failures.failed(System.currentTimeMillis());
        if (recentFailures > config.rapidFailsPerMinute())
        {
            queueStopped = true;
            LOG.severe(() -> "queue " + queueName + ": " + recentFailures +
                " worker failures within a minute (rapidFailsPerMinute=" + config.rapidFailsPerMinute() +
                "); queue stopped, answering 503 until reconfigured");
            events.onQueueStopped();
            return;
        }
        executor.schedule(() -> launch(slot), RESTART_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private static String newToken()
    {
        final byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void closeQuietly(final OutputStream stream)
    {
        if (null != stream)
        {
            try
            {
                stream.close();
            }
            catch (final IOException ignore)
            {
                // the worker is gone already
            }
        }
    }

    private static final class Slot
    {
        final int index;
        volatile Process process;
        String token;
        OutputStream stdin;
        ScheduledFuture<?> startupTimer;
        boolean ready;
        int attempts;
        String sharedDir;

        Slot(final int index)
        {
            this.index = index;
        }
    }
}
