package io.sluice.listener.process;

import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.queue.HostingMode;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starting and restarting a queue's worker slots: a slot's process is started with its environment and a fresh
 * token, killed when not ready within the startup time limit, and started again when it exits (after
 * {@value #RESTART_DELAY_MS} ms), unless it failed to start more than {@code startupRetryCount} times in a row or the
 * queue's workers failed more than {@code rapidFailsPerMinute} times in a minute: then the queue is stopped. The exit
 * of a worker that was meant to stop (drained after a recycle, or stopped while its queue is idle or offline) is not a
 * failure. Also starts the replacement of an overlapped recycle ({@link WorkerRecycler}) and kills a hung worker.
 * <p>
 * Threading: confined to the supervisor thread.
 */
final class WorkerStarter
{
    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());
    private static final long RESTART_DELAY_MS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SupervisorState state;
    private final WorkerRecycler recycler;
    private final HostingMode hosting;
    private final String handlerClass;
    private final String applicationPath;
    private final WorkerSupervisor.SlotEnvironment slotEnvironment;
    private final RapidFailWindow failures = new RapidFailWindow();

    /**
     * @param state           the supervisor's state.
     * @param recycler        the queue's overlapped recycle.
     * @param hosting         the queue's hosting model (shared-memory or loopback).
     * @param handlerClass    the handler class, passed to the worker SDK's main class.
     * @param applicationPath the path of the queue's first prefix.
     * @param slotEnvironment adds per-slot variables.
     */
    WorkerStarter(
        final SupervisorState state,
        final WorkerRecycler recycler,
        final HostingMode hosting,
        final String handlerClass,
        final String applicationPath,
        final WorkerSupervisor.SlotEnvironment slotEnvironment)
    {
        this.state = state;
        this.recycler = recycler;
        this.hosting = hosting;
        this.handlerClass = handlerClass;
        this.applicationPath = applicationPath;
        this.slotEnvironment = slotEnvironment;
    }

    /**
     * Recycle a position's worker, overlapped: start its replacement in the spare slot, when there is one to start.
     *
     * @param position the worker's position.
     * @param reason   for the log.
     */
    void recycle(final int position, final String reason)
    {
        final WorkerSlot spare = recycler.replacementSlot(position, reason);
        if (null != spare)
        {
            launchOrFail(spare);
        }
    }

    /**
     * A slot's worker proved it is ready; when it replaces another, it takes over now.
     *
     * @param slot the worker's slot.
     */
    void ready(final int slot)
    {
        final WorkerSlot s = state.slots[slot];
        s.ready = true;
        s.attempts = 0;
        if (null != s.startupTimer)
        {
            s.startupTimer.cancel(false);
            s.startupTimer = null;
        }
        if (null != s.replacing)
        {
            recycler.takeOver(s.replacing, s);
        }
    }

    /**
     * Kill a worker the host found hung, when the slot still runs the start the host means.
     *
     * @param slot   the worker's slot.
     * @param token  the token of the start the host found hung.
     * @param reason for the log.
     */
    void killHung(final int slot, final String token, final String reason)
    {
        final WorkerSlot s = state.slots[slot];
        final Process process = s.process;
        if (null != process && null != token && token.equals(s.token) && process.isAlive())
        {
            LOG.warning(() -> "queue " + state.queueName + ": " + s + " pid " + process.pid() + " " + reason +
                "; killing it");
            WorkerKiller.killTree(process);
            if (null != state.counters)
            {
                state.counters.workerHungKilled();
            }
        }
    }

    /**
     * Start a slot's worker, unless the queue is not to run one or the slot is neither current nor a replacement. A
     * failure before the process runs (its environment cannot be made, e.g. no free loopback port) counts as a failed
     * start, retried as one, rather than ending the task silently and leaving the position without a worker and
     * without a start-up timer.
     *
     * @param slot the worker's slot.
     */
    void launchOrFail(final WorkerSlot slot)
    {
        final int attempts = slot.attempts;
        try
        {
            launch(slot);
        }
        catch (final RuntimeException ex)
        {
            LOG.log(Level.WARNING, "queue " + state.queueName + ": cannot start " + slot, ex);
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

    private void launch(final WorkerSlot slot)
    {
        if (state.stopped || state.queueStopped || state.dormant || null != slot.process ||
            (state.active[slot.position] != slot && null == slot.replacing))
        {
            return;
        }

        final WorkerConfiguration config = state.config;
        final String queueName = state.queueName;
        final String token = newToken();
        final List<String> command = WorkerCommand.of(config, handlerClass);
        final ProcessBuilder builder = new ProcessBuilder(command);
        final Map<String, String> env = builder.environment();
        WorkerCommand.fillEnvironment(env, config, queueName, hosting, token, applicationPath, slot.position);
        slotEnvironment.fill(slot.index, env);
        slot.sharedDir = env.get(WorkerSupervisor.SHARED_DIR_ENV_NAME);

        WorkerCommand.redirect(builder, config.stdoutLog());

        state.events.onStarting(slot.index, token);
        slot.token = token;
        slot.ready = false;
        slot.stdinClosed = false;
        slot.attempts++;
        slot.requestBase = state.events.requestCount(slot.index);
        slot.requests = 0;
        try
        {
            final Process process = builder.start();
            slot.startedNs = state.clock.nanoTime();
            slot.process = process;
            slot.stdin = process.getOutputStream();
            if (null != state.counters)
            {
                state.counters.workerStarted();
            }
            LOG.info(() -> "queue " + queueName + ": started " + slot + " pid " + process.pid());
            process.onExit().thenAccept((p) -> state.submit(() -> exited(slot, p)));
            slot.startupTimer = state.executor.schedule(
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

    private void startupTimedOut(final WorkerSlot slot, final Process process)
    {
        if (slot.process == process && !slot.ready && process.isAlive())
        {
            LOG.warning(() -> "queue " + state.queueName + ": worker " + process.pid() +
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
        final String queueName = state.queueName;
        WorkerSlot.closeQuietly(slot.stdin);
        slot.process = null;
        slot.ready = false;
        slot.cancelTimers();
        final int exitCode = process.exitValue();
        if (null != state.counters)
        {
            state.counters.workerExited();
        }
        if (null != slot.sharedDir)
        {
            WorkerKiller.killHolders(Path.of(slot.sharedDir));
        }
        if (slot.retiring)
        {
            slot.retiring = false;
            state.events.onRetired(slot.index, exitCode);
            LOG.info(() -> "queue " + queueName + ": " + slot + " pid " + process.pid() + " drained and exited with " +
                exitCode);
            final String pending = state.pendingRecycles[slot.position];
            if (null != pending)
            {
                state.pendingRecycles[slot.position] = null;
                recycle(slot.position, pending);
            }
            return;
        }
        state.events.onExited(slot.index, exitCode);
        if (state.stopped)
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
            state.restarts[slot.position]++;
        }
        failed(slot);
    }

    private void failed(final WorkerSlot slot)
    {
        final WorkerConfiguration config = state.config;
        final String queueName = state.queueName;
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
            state.queueStopped = true;
            LOG.severe(() -> "queue " + queueName + ": " + slot + " failed to start " + slot.attempts +
                " times in a row (startupRetryCount=" + config.startupRetryCount() +
                "); queue stopped, answering 503 until reconfigured");
            countRapidFailStop();
            state.events.onQueueStopped();
            return;
        }
        final int recentFailures = failures.failed(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        if (recentFailures > config.rapidFailsPerMinute())
        {
            state.queueStopped = true;
            LOG.severe(() -> "queue " + queueName + ": " + recentFailures +
                " worker failures within a minute (rapidFailsPerMinute=" + config.rapidFailsPerMinute() +
                "); queue stopped, answering 503 until reconfigured");
            countRapidFailStop();
            state.events.onQueueStopped();
            return;
        }
        state.executor.schedule(() -> launchOrFail(slot), RESTART_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private void countRapidFailStop()
    {
        if (null != state.counters)
        {
            state.counters.rapidFailStopped();
        }
    }

    private static String newToken()
    {
        final byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
