package io.sluice.listener.config;

import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.queue.HostingMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of a queue's worker processes ({@code queues[i].worker}) as set, before they are checked: every field starts
 * at its {@link WorkerConfiguration} {@code *_DEFAULT}; fluent setters take any value; {@link QueueContext} concludes
 * it, which checks ranges and the keys of one hosting model and yields the immutable {@link WorkerConfiguration}.
 * <p>
 * Not thread-safe; set up and concluded on one thread.
 */
public final class WorkerContext
{
    /**
     * Greatest startup, shutdown, request and heartbeat time limit: 24 h.
     */
    public static final long TIME_LIMIT_MS_MAX = 24L * 3_600_000;

    /**
     * Greatest {@code startupRetryCount}.
     */
    public static final int STARTUP_RETRY_COUNT_MAX = 100;

    /**
     * Greatest {@code rapidFailsPerMinute}.
     */
    public static final int RAPID_FAILS_PER_MINUTE_MAX = 1000;

    /**
     * Prefix of the environment variables the listener sets for its workers; a queue may not set them.
     */
    public static final String RESERVED_ENVIRONMENT_PREFIX = WorkerEnvironment.ENV_NAME_PREFIX;

    /**
     * Greatest {@code recycle.time}: 365 days.
     */
    public static final long RECYCLE_TIME_MS_MAX = 365L * 24 * 3_600_000;

    /**
     * Least {@code recycle.time} other than 0: 1 s.
     */
    public static final long RECYCLE_TIME_MS_MIN = 1_000;

    static final String RECYCLE_TIME_KEY = YamlKeys.RECYCLE + "." + YamlKeys.RECYCLE_TIME;
    static final String RECYCLE_REQUESTS_KEY = YamlKeys.RECYCLE + "." + YamlKeys.RECYCLE_REQUESTS;
    static final String RECYCLE_MEMORY_KEY = YamlKeys.RECYCLE + "." + YamlKeys.RECYCLE_MEMORY;

    private final SettingOrigin origin = new SettingOrigin();
    private List<String> command = List.of();
    private Map<String, String> environment = Map.of();
    private long processes = WorkerConfiguration.PROCESSES_DEFAULT;
    private long startupTimeLimitMs = WorkerConfiguration.STARTUP_TIME_LIMIT_MS_DEFAULT;
    private long startupRetryCount = WorkerConfiguration.STARTUP_RETRY_COUNT_DEFAULT;
    private long rapidFailsPerMinute = WorkerConfiguration.RAPID_FAILS_PER_MINUTE_DEFAULT;
    private long shutdownTimeLimitMs = WorkerConfiguration.SHUTDOWN_TIME_LIMIT_MS_DEFAULT;
    private long requestTimeoutMs = WorkerConfiguration.REQUEST_TIMEOUT_MS_DEFAULT;
    private long heartbeatTimeoutMs = WorkerConfiguration.HEARTBEAT_TIMEOUT_MS_DEFAULT;
    private Path stdoutLog;
    private long headerWaitMs = WorkerConfiguration.HEADER_WAIT_MS_DEFAULT;
    private long idleConnectionMs = WorkerConfiguration.IDLE_CONNECTION_MS_DEFAULT;
    private long maxConnections = WorkerConfiguration.MAX_CONNECTIONS_AUTO;
    private String activation = WorkerLifetime.DEFAULT.activation().configName();
    private long idleTimeoutMs = WorkerLifetime.IDLE_TIMEOUT_MS_DEFAULT;
    private long recycleTimeMs = WorkerLifetime.RECYCLE_TIME_MS_DEFAULT;
    private long recycleRequests = WorkerLifetime.RECYCLE_REQUESTS_DEFAULT;
    private long recycleMemoryBytes = WorkerLifetime.RECYCLE_MEMORY_DEFAULT;

    /**
     * @param command program and arguments, each non-empty; empty for the worker SDK in this JVM's {@code java}.
     * @return this.
     */
    public WorkerContext command(final List<String> command)
    {
        this.command = command;
        origin.set(YamlKeys.COMMAND);
        return this;
    }

    /**
     * @param environment extra variables; names are POSIX portable and do not start with
     *                    {@value #RESERVED_ENVIRONMENT_PREFIX}.
     * @return this.
     */
    public WorkerContext environment(final Map<String, String> environment)
    {
        this.environment = environment;
        origin.set(YamlKeys.ENVIRONMENT);
        return this;
    }

    /**
     * @param processes worker processes, 1 to {@value WorkerConfiguration#PROCESSES_MAX}.
     * @return this.
     */
    public WorkerContext processes(final long processes)
    {
        this.processes = processes;
        origin.set(YamlKeys.PROCESSES);
        return this;
    }

    /**
     * @param startupTimeLimitMs time a worker has to become ready, 1 ms to 24 h.
     * @return this.
     */
    public WorkerContext startupTimeLimitMs(final long startupTimeLimitMs)
    {
        this.startupTimeLimitMs = startupTimeLimitMs;
        origin.set(YamlKeys.STARTUP_TIME_LIMIT);
        return this;
    }

    /**
     * @param startupRetryCount retries of a failed start, 0 to {@value #STARTUP_RETRY_COUNT_MAX}.
     * @return this.
     */
    public WorkerContext startupRetryCount(final long startupRetryCount)
    {
        this.startupRetryCount = startupRetryCount;
        origin.set(YamlKeys.STARTUP_RETRY_COUNT);
        return this;
    }

    /**
     * @param rapidFailsPerMinute failures per minute that stop the queue, 1 to {@value #RAPID_FAILS_PER_MINUTE_MAX}.
     * @return this.
     */
    public WorkerContext rapidFailsPerMinute(final long rapidFailsPerMinute)
    {
        this.rapidFailsPerMinute = rapidFailsPerMinute;
        origin.set(YamlKeys.RAPID_FAILS_PER_MINUTE);
        return this;
    }

    /**
     * @param shutdownTimeLimitMs time a worker has to exit when asked, 0 to 24 h.
     * @return this.
     */
    public WorkerContext shutdownTimeLimitMs(final long shutdownTimeLimitMs)
    {
        this.shutdownTimeLimitMs = shutdownTimeLimitMs;
        origin.set(YamlKeys.SHUTDOWN_TIME_LIMIT);
        return this;
    }

    /**
     * @param requestTimeoutMs time a worker has to complete a response, 1 ms to 24 h.
     * @return this.
     */
    public WorkerContext requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        origin.set(YamlKeys.REQUEST_TIMEOUT);
        return this;
    }

    /**
     * @param heartbeatTimeoutMs shared-memory only: {@link WorkerConfiguration#HEARTBEAT_TIMEOUT_DISABLED}, or
     *                           {@value WorkerConfiguration#HEARTBEAT_TIMEOUT_MS_MIN} ms to 24 h.
     * @return this.
     */
    public WorkerContext heartbeatTimeoutMs(final long heartbeatTimeoutMs)
    {
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        origin.set(YamlKeys.HEARTBEAT_TIMEOUT);
        return this;
    }

    /**
     * @param stdoutLog file receiving the worker's output, or null to inherit the listener's.
     * @return this.
     */
    public WorkerContext stdoutLog(final Path stdoutLog)
    {
        this.stdoutLog = stdoutLog;
        origin.set(YamlKeys.STDOUT_LOG);
        return this;
    }

    /**
     * @param headerWaitMs loopback only: header wait of the worker's port, 0 (never) to 24 h.
     * @return this.
     */
    public WorkerContext headerWaitMs(final long headerWaitMs)
    {
        this.headerWaitMs = headerWaitMs;
        origin.set(YamlKeys.HEADER_WAIT);
        return this;
    }

    /**
     * @param idleConnectionMs loopback only: idle time of a connection to the worker's port, 0 (never) to 24 h.
     * @return this.
     */
    public WorkerContext idleConnectionMs(final long idleConnectionMs)
    {
        this.idleConnectionMs = idleConnectionMs;
        origin.set(YamlKeys.IDLE_CONNECTION);
        return this;
    }

    /**
     * @param maxConnections loopback only: most connections to one worker's port, or
     *                       {@link WorkerConfiguration#MAX_CONNECTIONS_AUTO}.
     * @return this.
     */
    public WorkerContext maxConnections(final long maxConnections)
    {
        this.maxConnections = maxConnections;
        origin.set(YamlKeys.MAX_CONNECTIONS);
        return this;
    }

    /**
     * @param activation {@code eager} or {@code on-demand}.
     * @return this.
     */
    public WorkerContext activation(final String activation)
    {
        this.activation = activation;
        origin.set(YamlKeys.ACTIVATION);
        return this;
    }

    /**
     * @param idleTimeoutMs time without requests after which the workers stop, 0 (never) to 24 h.
     * @return this.
     */
    public WorkerContext idleTimeoutMs(final long idleTimeoutMs)
    {
        this.idleTimeoutMs = idleTimeoutMs;
        origin.set(YamlKeys.IDLE_TIMEOUT);
        return this;
    }

    /**
     * @param recycleTimeMs time a worker runs before it is recycled, 0 (never) or 1 s to 365 days.
     * @return this.
     */
    public WorkerContext recycleTimeMs(final long recycleTimeMs)
    {
        this.recycleTimeMs = recycleTimeMs;
        origin.set(RECYCLE_TIME_KEY);
        return this;
    }

    /**
     * @param recycleRequests requests a worker is given before it is recycled, 0 (never) or more.
     * @return this.
     */
    public WorkerContext recycleRequests(final long recycleRequests)
    {
        this.recycleRequests = recycleRequests;
        origin.set(RECYCLE_REQUESTS_KEY);
        return this;
    }

    /**
     * @param recycleMemoryBytes resident memory past which a worker is recycled, 0 (never) or more.
     * @return this.
     */
    public WorkerContext recycleMemoryBytes(final long recycleMemoryBytes)
    {
        this.recycleMemoryBytes = recycleMemoryBytes;
        origin.set(RECYCLE_MEMORY_KEY);
        return this;
    }

    /**
     * Whether the worker of a queue of a hosting model takes a key: {@code heartbeatTimeout} only in shared memory,
     * {@code headerWait}, {@code idleConnection} and {@code maxConnections} only over loopback. A key a worker does not
     * take is an error when written, whatever its value, so the loader does not read its value.
     *
     * @param hosting the queue's hosting model.
     * @param key     a key of a worker.
     * @return true when the key may be written.
     */
    static boolean takes(final HostingMode hosting, final String key)
    {
        switch (key)
        {
            case YamlKeys.HEARTBEAT_TIMEOUT:
                return hosting == HostingMode.SHARED_MEMORY;

            case YamlKeys.HEADER_WAIT:
            case YamlKeys.IDLE_CONNECTION:
            case YamlKeys.MAX_CONNECTIONS:
                return hosting == HostingMode.LOOPBACK_FORWARD;

            default:
                return true;
        }
    }

    SettingOrigin origin()
    {
        return origin;
    }

    /**
     * @return true when a command of the worker's own is set: the queue's handler class is then optional.
     */
    boolean hasCustomCommand()
    {
        return !command.isEmpty();
    }

    /**
     * Check every setting and the keys that only one hosting model takes, in file order.
     *
     * @param path    key path of this mapping, e.g. {@code queues[0].worker}, when not read from a file.
     * @param hosting the queue's hosting model, out of process.
     * @return the worker settings.
     * @throws ConfigException naming the first key at fault.
     */
    WorkerConfiguration conclude(final String path, final HostingMode hosting)
    {
        origin.at(path);
        for (int i = 0; i < command.size(); i++)
        {
            if (command.get(i).isEmpty())
            {
                throw origin.errorNaming(YamlKeys.COMMAND + "[" + i + "]", "must not be empty", command.get(i));
            }
        }
        checkEnvironment();

        return new WorkerConfiguration(
            Collections.unmodifiableList(new ArrayList<>(command)),
            Collections.unmodifiableMap(new LinkedHashMap<>(environment)),
            origin.between(YamlKeys.PROCESSES, processes, 1, WorkerConfiguration.PROCESSES_MAX),
            origin.durationMs(YamlKeys.STARTUP_TIME_LIMIT, startupTimeLimitMs, 1, TIME_LIMIT_MS_MAX),
            origin.between(YamlKeys.STARTUP_RETRY_COUNT, startupRetryCount, 0, STARTUP_RETRY_COUNT_MAX),
            origin.between(YamlKeys.RAPID_FAILS_PER_MINUTE, rapidFailsPerMinute, 1, RAPID_FAILS_PER_MINUTE_MAX),
            origin.durationMs(YamlKeys.SHUTDOWN_TIME_LIMIT, shutdownTimeLimitMs, 0, TIME_LIMIT_MS_MAX),
            origin.durationMs(YamlKeys.REQUEST_TIMEOUT, requestTimeoutMs, 1, TIME_LIMIT_MS_MAX),
            heartbeatTimeoutMs(hosting),
            stdoutLog,
            loopbackOnly(hosting, YamlKeys.HEADER_WAIT) ?
                origin.durationMs(YamlKeys.HEADER_WAIT, headerWaitMs, 0, ListenerContext.TIMEOUT_MS_MAX) :
                WorkerConfiguration.HEADER_WAIT_MS_DEFAULT,
            loopbackOnly(hosting, YamlKeys.IDLE_CONNECTION) ?
                origin.durationMs(YamlKeys.IDLE_CONNECTION, idleConnectionMs, 0, ListenerContext.TIMEOUT_MS_MAX) :
                WorkerConfiguration.IDLE_CONNECTION_MS_DEFAULT,
            loopbackOnly(hosting, YamlKeys.MAX_CONNECTIONS) ?
                origin.between(YamlKeys.MAX_CONNECTIONS, maxConnections, 0, Integer.MAX_VALUE) :
                WorkerConfiguration.MAX_CONNECTIONS_AUTO,
            lifetime());
    }

    private WorkerLifetime lifetime()
    {
        final WorkerLifetime.Activation mode = WorkerLifetime.Activation.fromConfigName(activation);
        if (null == mode)
        {
            throw origin.error(YamlKeys.ACTIVATION, "must be eager or on-demand", activation);
        }
        final long timeMs = origin.durationMs(RECYCLE_TIME_KEY, recycleTimeMs, 0, RECYCLE_TIME_MS_MAX);
        if (timeMs != WorkerLifetime.OFF && timeMs < RECYCLE_TIME_MS_MIN)
        {
            throw origin.error(
                RECYCLE_TIME_KEY,
                "must be 0 (off) or between " + ConfigValues.formatDurationMs(RECYCLE_TIME_MS_MIN) + " and " +
                ConfigValues.formatDurationMs(RECYCLE_TIME_MS_MAX),
                ConfigValues.formatDurationMs(timeMs));
        }
        if (recycleRequests < 0)
        {
            throw origin.error(RECYCLE_REQUESTS_KEY, "must be 0 (off) or more", recycleRequests);
        }
        if (recycleMemoryBytes < 0)
        {
            throw origin.error(RECYCLE_MEMORY_KEY, "must be 0 (off) or more", recycleMemoryBytes);
        }
        return new WorkerLifetime(
            mode,
            origin.durationMs(YamlKeys.IDLE_TIMEOUT, idleTimeoutMs, 0, TIME_LIMIT_MS_MAX),
            timeMs,
            recycleRequests,
            recycleMemoryBytes);
    }

    private void checkEnvironment()
    {
        for (final String name : environment.keySet())
        {
            final String key = YamlKeys.ENVIRONMENT + "." + name;
            if (name.startsWith(RESERVED_ENVIRONMENT_PREFIX))
            {
                throw origin.error(
                    key, "reserved: the listener sets the " + RESERVED_ENVIRONMENT_PREFIX + "* variables itself");
            }
            if (!ConfigValues.isEnvironmentName(name))
            {
                throw origin.error(
                    key, "not a valid variable name: use letters, digits and '_', not starting with a digit");
            }
        }
    }

    private boolean loopbackOnly(final HostingMode hosting, final String key)
    {
        if (!takes(hosting, key) && origin.isWritten(key))
        {
            throw origin.error(
                key,
                "only allowed when hosting is " + HostingMode.LOOPBACK_FORWARD.configName() +
                " (hosting is " + hosting.configName() + ")");
        }
        return takes(hosting, key);
    }

    private long heartbeatTimeoutMs(final HostingMode hosting)
    {
        if (!takes(hosting, YamlKeys.HEARTBEAT_TIMEOUT))
        {
            if (origin.isWritten(YamlKeys.HEARTBEAT_TIMEOUT))
            {
                throw origin.error(
                    YamlKeys.HEARTBEAT_TIMEOUT,
                    "only allowed when hosting is " + HostingMode.SHARED_MEMORY.configName() +
                    " (hosting is " + hosting.configName() + ")");
            }
            return WorkerConfiguration.HEARTBEAT_TIMEOUT_DISABLED;
        }
        final long timeoutMs = origin.durationMs(YamlKeys.HEARTBEAT_TIMEOUT, heartbeatTimeoutMs, 0, TIME_LIMIT_MS_MAX);
        if (timeoutMs != WorkerConfiguration.HEARTBEAT_TIMEOUT_DISABLED &&
            timeoutMs < WorkerConfiguration.HEARTBEAT_TIMEOUT_MS_MIN)
        {
            throw origin.error(
                YamlKeys.HEARTBEAT_TIMEOUT,
                "must be 0 (off) or between " +
                ConfigValues.formatDurationMs(WorkerConfiguration.HEARTBEAT_TIMEOUT_MS_MIN) + " and " +
                ConfigValues.formatDurationMs(TIME_LIMIT_MS_MAX),
                timeoutMs);
        }
        return timeoutMs;
    }
}
