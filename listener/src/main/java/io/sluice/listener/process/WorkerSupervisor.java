package io.sluice.listener.process;

import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.queue.HostingMode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
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
    /**
     * Main class of the worker SDK, run when a queue names a handler but no command.
     */
    public static final String WORKER_MAIN_CLASS = "io.sluice.dispatch.worker.WorkerMain";

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());
    private static final long RESTART_DELAY_MS = 100;
    private static final long MINUTE_MS = 60_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PATH_VARIABLE = "PATH";
    // The search path of ProcessBuilder (and execvp) when PATH is not set.
    private static final String PATH_DEFAULT = ":/bin:/usr/bin";

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
    static final String SHARED_DIR_ENV_NAME = "SLUICE_SHM_DIR";
    private static final Path PROC = Path.of("/proc");
    private static final long HOLDER_EXIT_WAIT_MS = 1_000;
    private static final long HOLDER_EXIT_POLL_MS = 10;

    private final String queueName;
    private final HostingMode hosting;
    private final String handlerClass;
    private final String applicationPath;
    private final WorkerConfiguration config;
    private final SlotEnvironment slotEnvironment;
    private final Events events;
    private final ScheduledExecutorService executor;
    private final Slot[] slots;
    private final ArrayDeque<Long> failureTimesMs = new ArrayDeque<>();
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
                        killTree(process);
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
                    killTree(process);
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                killTree(process);
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
        final List<String> command = command();
        final ProcessBuilder builder = new ProcessBuilder(command);
        final Map<String, String> env = builder.environment();
        env.putAll(config.environment());
        env.put("SLUICE_QUEUE", queueName);
        env.put("SLUICE_HOSTING", hosting.configName());
        env.put("SLUICE_TOKEN", token);
        env.put("SLUICE_APPL_PATH", applicationPath);
        env.put("SLUICE_WORKER_INDEX", Integer.toString(slot.index));
        env.put("SLUICE_LISTENER_PID", Long.toString(ProcessHandle.current().pid()));
        env.put("SLUICE_SHUTDOWN_TIME_LIMIT_MS", Long.toString(config.shutdownTimeLimitMs()));
        if (config.heartbeatTimeoutMs() > 0)
        {
            env.put("SLUICE_HEARTBEAT_TIMEOUT_MS", Long.toString(config.heartbeatTimeoutMs()));
        }
        slotEnvironment.fill(slot.index, env);
        slot.sharedDir = env.get(SHARED_DIR_ENV_NAME);

        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        final Path log = config.stdoutLog();
        if (null != log)
        {
            try
            {
                if (null != log.getParent())
                {
                    Files.createDirectories(log.getParent());
                }
            }
            catch (final IOException ex)
            {
                LOG.warning(() -> "cannot create directory for stdoutLog " + log + ": " + ex);
            }
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.redirectErrorStream(true);
        }
        else
        {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
            builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        }

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
            killTree(process);
        }
    }

    /**
     * Kill a worker and every process it started that is still in its tree (SIGKILL): a child would otherwise outlive
     * it, keep the ring file mapped and write into the replacement's rings. The descendants are listed before the
     * worker dies, since its children are handed to another parent the moment it does; a process the worker started
     * and detached from its tree earlier (a double fork, or a child of a worker that exited on its own) is out of
     * reach here.
     *
     * @param process the worker.
     */
    static void killTree(final Process process)
    {
        final List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        for (final ProcessHandle descendant : descendants)
        {
            descendant.destroyForcibly();
        }
    }

    /**
     * Kill every other process that still maps or holds open a file of a dead worker's directory (SIGKILL), before its
     * rings are reset for a replacement: a process the worker left behind (double-forked, or orphaned by a worker that
     * exited on its own) is no longer in its tree, but it would write into the replacement's rings. Only this user's
     * processes can be looked at, and only they can open the directory (mode 0700). Waits briefly for each to die.
     *
     * @param dir the worker's directory (its {@code SLUICE_SHM_DIR}).
     */
    static void killHolders(final Path dir)
    {
        final String prefix;
        try
        {
            prefix = dir.toRealPath() + "/";
        }
        catch (final IOException ex)
        {
            return;
        }
        final long self = ProcessHandle.current().pid();
        final List<ProcessHandle> holders = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC))
        {
            for (final Path proc : procs)
            {
                final long pid = pidOf(proc.getFileName().toString());
                if (pid > 0 && pid != self && holds(proc, prefix))
                {
                    ProcessHandle.of(pid).ifPresent(holders::add);
                }
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            LOG.warning(() -> "cannot look for processes left holding " + dir + ": " + ex);
        }
        for (final ProcessHandle holder : holders)
        {
            LOG.warning(() ->
                "process " + holder.pid() + " still holds " + dir + " after its worker exited; killing it");
            holder.destroyForcibly();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLDER_EXIT_WAIT_MS);
        for (final ProcessHandle holder : holders)
        {
            try
            {
                while (holder.isAlive() && System.nanoTime() - deadlineNs < 0)
                {
                    Thread.sleep(HOLDER_EXIT_POLL_MS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            if (holder.isAlive())
            {
                LOG.warning(() -> "process " + holder.pid() + " holding " + dir + " did not die in time");
            }
        }
    }

    private static long pidOf(final String name)
    {
        for (int i = 0; i < name.length(); i++)
        {
            if (name.charAt(i) < '0' || name.charAt(i) > '9')
            {
                return -1;
            }
        }
        return name.isEmpty() || name.length() > 18 ? -1 : Long.parseLong(name);
    }

    private static boolean holds(final Path proc, final String prefix)
    {
        try
        {
            for (final String line : Files.readAllLines(proc.resolve("maps")))
            {
                if (line.contains(prefix))
                {
                    return true;
                }
            }
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd")))
            {
                for (final Path fd : fds)
                {
                    try
                    {
                        if (Files.readSymbolicLink(fd).toString().startsWith(prefix))
                        {
                            return true;
                        }
                    }
                    catch (final IOException ex)
                    {
                        // closed meanwhile
                    }
                }
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // another user's process, or gone meanwhile
        }
        return false;
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
            killHolders(Path.of(slot.sharedDir));
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
        final long nowMs = System.currentTimeMillis();
        failureTimesMs.addLast(nowMs);
        while (!failureTimesMs.isEmpty() && failureTimesMs.peekFirst() < nowMs - MINUTE_MS)
        {
            failureTimesMs.pollFirst();
        }
        if (failureTimesMs.size() > config.rapidFailsPerMinute())
        {
            queueStopped = true;
            LOG.severe(() -> "queue " + queueName + ": " + failureTimesMs.size() +
                " worker failures within a minute (rapidFailsPerMinute=" + config.rapidFailsPerMinute() +
                "); queue stopped, answering 503 until reconfigured");
            events.onQueueStopped();
            return;
        }
        executor.schedule(() -> launch(slot), RESTART_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Check that a worker command's program can be run, the way the process is started: a name with a slash is a path
     * (relative to the working directory); a name without one is looked up in the listener's {@code PATH}, as a shell
     * and {@link ProcessBuilder} do. An empty command (the worker SDK in a JVM like the listener's) needs no check.
     *
     * @param command the configured command.
     * @throws IllegalArgumentException with the problem in one line when the program is missing or not executable.
     */
    public static void checkCommand(final List<String> command)
    {
        if (command.isEmpty())
        {
            return;
        }
        final String program = command.get(0);
        if (program.indexOf('/') >= 0)
        {
            final Path path = Path.of(program);
            if (!Files.exists(path))
            {
                throw new IllegalArgumentException("program not found: " + program);
            }
            if (!isExecutableFile(path))
            {
                throw new IllegalArgumentException("not an executable file: " + program);
            }
            return;
        }
        final String searchPath = null == System.getenv(PATH_VARIABLE) ? PATH_DEFAULT : System.getenv(PATH_VARIABLE);
        boolean foundNotExecutable = false;
        for (final String directory : searchPath.split(":", -1))
        {
            final Path candidate = Path.of(directory.isEmpty() ? "." : directory).resolve(program);
            if (isExecutableFile(candidate))
            {
                return;
            }
            foundNotExecutable |= Files.exists(candidate);
        }
        throw new IllegalArgumentException(foundNotExecutable ?
            "program found in PATH but not executable: " + program :
            "program not found in PATH (" + searchPath + "): " + program);
    }

    private static boolean isExecutableFile(final Path path)
    {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    private List<String> command()
    {
        if (!config.command().isEmpty())
        {
            return config.command();
        }
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(workerJvmFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WORKER_MAIN_CLASS);
        command.add(handlerClass);
        return command;
    }

    /**
     * JVM flags for a worker JVM started by the listener: what Agrona and Netty need on this JDK, and a small-footprint
     * collector (a worker's garbage is young and small).
     *
     * @return the flags.
     */
    public static List<String> workerJvmFlags()
    {
        final List<String> flags = new ArrayList<>();
        flags.add("--add-opens");
        flags.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        flags.add("--add-opens");
        flags.add("java.base/java.nio=ALL-UNNAMED");
        flags.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 24)
        {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        flags.add("-XX:+UseSerialGC");
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("-Dio.netty.leakDetection"))
            {
                flags.add(arg);
            }
        }
        return flags;
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
