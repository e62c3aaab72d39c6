package io.sluice.listener.process;

import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.queue.HostingMode;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The command line and standard streams of a worker process: the command checked when the listener starts, both
 * set up for each start of a worker.
 */
public final class WorkerCommand
{
    /**
     * Main class of the worker SDK, run when a queue names a handler but no command.
     */
    public static final String WORKER_MAIN_CLASS = "io.sluice.dispatch.worker.WorkerMain";

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());
    private static final String PATH_VARIABLE = "PATH";
    // The search path of ProcessBuilder (and execvp) when PATH is not set.
    private static final String PATH_DEFAULT = ":/bin:/usr/bin";

    private WorkerCommand()
    {
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

    /**
     * @param config       the worker settings: their command when one is configured.
     * @param handlerClass the handler class, passed to the worker SDK's main class otherwise.
     * @return the command that starts one worker: the configured one, else the worker SDK in a JVM like the
     * listener's (same {@code java}, class path and the {@link #workerJvmFlags()}).
     */
    static List<String> of(final WorkerConfiguration config, final String handlerClass)
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
     * Set a worker's standard streams: its input a pipe from the listener (end-of-file when the listener dies), its
     * output and errors appended to {@code stdoutLog} when one is configured (its directory created), else the
     * listener's own.
     *
     * @param builder the worker's process builder.
     * @param log     the configured {@code stdoutLog}, or null.
     */
    static void redirect(final ProcessBuilder builder, final Path log)
    {
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
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

    /**
     * Set the variables every worker is given ({@code SLUICE_*} but those of one model or slot), over the queue's own.
     *
     * @param env             the worker's environment.
     * @param config          the queue's worker settings.
     * @param queueName       the queue's name.
     * @param hosting         the queue's hosting model.
     * @param token           the start's secret.
     * @param applicationPath the path of the queue's first prefix.
     * @param position        the worker's place in the queue.
     */
    static void fillEnvironment(
        final Map<String, String> env,
        final WorkerConfiguration config,
        final String queueName,
        final HostingMode hosting,
        final String token,
        final String applicationPath,
        final int position)
    {
        env.putAll(config.environment());
        env.put(WorkerEnvironment.QUEUE_ENV_NAME, queueName);
        env.put(WorkerEnvironment.HOSTING_ENV_NAME, hosting.configName());
        env.put(WorkerEnvironment.TOKEN_ENV_NAME, token);
        env.put(WorkerEnvironment.APPL_PATH_ENV_NAME, applicationPath);
        env.put(WorkerEnvironment.WORKER_INDEX_ENV_NAME, Integer.toString(position));
        env.put(WorkerEnvironment.LISTENER_PID_ENV_NAME, Long.toString(ProcessHandle.current().pid()));
        env.put(WorkerEnvironment.SHUTDOWN_TIME_LIMIT_MS_ENV_NAME, Long.toString(config.shutdownTimeLimitMs()));
        if (config.heartbeatTimeoutMs() > 0)
        {
            env.put(WorkerEnvironment.HEARTBEAT_TIMEOUT_MS_ENV_NAME, Long.toString(config.heartbeatTimeoutMs()));
        }
    }
}
