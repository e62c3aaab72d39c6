package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.WorkerFileDescriptor;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the listener tells a worker process through its environment. One worker program runs unchanged under either
 * out-of-process model: {@link #hosting()} says which.
 *
 * @param queue           {@code SLUICE_QUEUE}: the request queue's name.
 * @param hosting         {@code SLUICE_HOSTING}: {@code shared-memory} or {@code loopback}.
 * @param shmDir          {@code SLUICE_SHM_DIR}: this worker's private shared-memory directory (shared-memory only).
 * @param port            {@code SLUICE_PORT}: the loopback port to serve on (loopback only), else 0.
 * @param token           {@code SLUICE_TOKEN}: the secret the listener presents (loopback) or expects (shared memory).
 * @param applicationPath {@code SLUICE_APPL_PATH}: the path prefix the queue serves, e.g. {@code /loopback/}.
 * @param listenerPid     {@code SLUICE_LISTENER_PID}: the listener's process id, or -1 when not set.
 * @param heartbeatTimeoutMs  {@code SLUICE_HEARTBEAT_TIMEOUT_MS}: a shared-memory worker exits when the listener's
 *                            heartbeat has not changed for this long; 0 (or not set) never.
 * @param shutdownTimeLimitMs {@code SLUICE_SHUTDOWN_TIME_LIMIT_MS}: how long a shared-memory worker asked to stop may
 *                            take to finish the requests it holds before it exits anyway;
 *                            {@link #SHUTDOWN_TIME_LIMIT_MS_DEFAULT} when not set.
 * @param queueWaitMs     {@code SLUICE_QUEUE_WAIT_MS}: the queue's {@code queueWait}; a shared-memory worker answers
 *                        503, without calling the handler, a request it takes off its ring more than this long after
 *                        the listener admitted it; 0 (or not set) never.
 * @param responseWindow  {@code SLUICE_RESPONSE_WINDOW}: response body bytes a shared-memory worker may send for one
 *                        request ahead of the listener's credit;
 *                        {@link io.sluice.dispatch.shm.MessageDescriptor#RESPONSE_WINDOW_DEFAULT} when not set.
 * @param headerWaitMs    {@code SLUICE_HEADER_WAIT_MS}: a connection to a loopback worker's port that has not yet
 *                        carried the token and has sent part of a request head is closed this long after it was
 *                        accepted; 0 never; {@link #HEADER_WAIT_MS_DEFAULT} when not set.
 * @param idleConnectionMs {@code SLUICE_IDLE_CONNECTION_MS}: a connection to a loopback worker's port that has sent
 *                        nothing is closed this long after it was accepted; 0 never;
 *                        {@link #IDLE_CONNECTION_MS_DEFAULT} when not set.
 * @param lanes           {@code SLUICE_LANES}: how many lanes a shared-memory worker serves (one per listener event
 *                        loop), each its own ring file and doorbell; 1 when not set.
 * @param maxConnections  {@code SLUICE_MAX_CONNECTIONS}: most open connections to a loopback worker's port; one past it
 *                        is closed at once; {@link #MAX_CONNECTIONS_DEFAULT} when not set.
 * @param wakePipe        {@code SLUICE_WAKE_PIPE}: a pipe a shared-memory worker serving one lane may open for reading
 *                        and sleep on instead of its doorbell socket
 *                        ({@link io.sluice.dispatch.shm.WorkerFileDescriptor#FEATURE_WAKE_PIPE}); null when not set.
 */
public record WorkerEnvironment(
    String queue,
    String hosting,
    Path shmDir,
    int port,
    String token,
    String applicationPath,
    long listenerPid,
    long heartbeatTimeoutMs,
    long shutdownTimeLimitMs,
    long queueWaitMs,
    int responseWindow,
    long headerWaitMs,
    long idleConnectionMs,
    int maxConnections,
    int lanes,
    Path wakePipe)
{
    /**
     * Hosting value for the in-process model (the handler runs inside the listener; never a worker's).
     */
    public static final String IN_PROCESS = "in-process";

    /**
     * Hosting value for the shared-memory model.
     */
    public static final String SHARED_MEMORY = "shared-memory";

    /**
     * Hosting value for the loopback model.
     */
    public static final String LOOPBACK = "loopback";

    /**
     * Start of every environment variable the listener sets for a worker (a queue's own {@code environment} may not use it): {@value}.
     */
    public static final String ENV_NAME_PREFIX = "SLUICE_";

    /**
     * Environment variable naming the request queue: {@value}.
     */
    public static final String QUEUE_ENV_NAME = "SLUICE_QUEUE";

    /**
     * Environment variable naming the hosting model: {@link #SHARED_MEMORY} or {@link #LOOPBACK}: {@value}.
     */
    public static final String HOSTING_ENV_NAME = "SLUICE_HOSTING";

    /**
     * Environment variable naming the worker's shared-memory directory (shared memory only): {@value}.
     */
    public static final String SHM_DIR_ENV_NAME = "SLUICE_SHM_DIR";

    /**
     * Environment variable holding the loopback port to serve on (loopback only): {@value}.
     */
    public static final String PORT_ENV_NAME = "SLUICE_PORT";

    /**
     * Environment variable holding the worker's secret: {@value}.
     */
    public static final String TOKEN_ENV_NAME = "SLUICE_TOKEN";

    /**
     * Environment variable holding the path prefix the queue serves: {@value}.
     */
    public static final String APPL_PATH_ENV_NAME = "SLUICE_APPL_PATH";

    /**
     * Environment variable telling the worker whether its queue allows upgrades ({@code webSockets}): {@value},
     * {@code true} or {@code false}, as {@code ASPNETCORE_IIS_WEBSOCKETS_SUPPORTED}. When false, no request reaches
     * the handler with an {@code Upgrade} field, and a {@code 101} answer is a 502.
     */
    public static final String WEBSOCKETS_SUPPORTED_ENV_NAME = "SLUICE_WEBSOCKETS_SUPPORTED";

    /**
     * Environment variable holding the worker's index in its queue: {@value}.
     */
    public static final String WORKER_INDEX_ENV_NAME = "SLUICE_WORKER_INDEX";

    /**
     * Environment variable holding the listener's process id: {@value}.
     */
    public static final String LISTENER_PID_ENV_NAME = "SLUICE_LISTENER_PID";

    /**
     * Environment variable holding the listener heartbeat timeout in ms: {@value}.
     */
    public static final String HEARTBEAT_TIMEOUT_MS_ENV_NAME = "SLUICE_HEARTBEAT_TIMEOUT_MS";

    /**
     * Environment variable holding the time a worker asked to stop has to finish, in ms: {@value}.
     */
    public static final String SHUTDOWN_TIME_LIMIT_MS_ENV_NAME = "SLUICE_SHUTDOWN_TIME_LIMIT_MS";

    /**
     * Environment variable holding the queue's queueWait in ms (shared memory only): {@value}.
     */
    public static final String QUEUE_WAIT_MS_ENV_NAME = "SLUICE_QUEUE_WAIT_MS";

    /**
     * Environment variable holding the header wait of the loopback port in ms: {@value}.
     */
    public static final String HEADER_WAIT_MS_ENV_NAME = "SLUICE_HEADER_WAIT_MS";

    /**
     * Environment variable holding the idle time of a silent connection to the loopback port in ms: {@value}.
     */
    public static final String IDLE_CONNECTION_MS_ENV_NAME = "SLUICE_IDLE_CONNECTION_MS";

    /**
     * Environment variable holding the most open connections to the loopback port: {@value}.
     */
    public static final String MAX_CONNECTIONS_ENV_NAME = "SLUICE_MAX_CONNECTIONS";

    /**
     * Environment variable holding how many lanes a shared-memory worker serves, 1 to
     * {@link io.sluice.dispatch.shm.WorkerFileDescriptor#LANES_MAX}: {@value}.
     */
    public static final String LANES_ENV_NAME = "SLUICE_LANES";

    /**
     * Environment variable: the path of the pipe a shared-memory worker serving one lane may sleep on
     * ({@link io.sluice.dispatch.shm.WorkerFileDescriptor#FEATURE_WAKE_PIPE}); not set when there is none.
     */
    public static final String WAKE_PIPE_ENV_NAME = "SLUICE_WAKE_PIPE";

    /**
     * Heartbeat timeout when the listener sets none: {@value} (never time the listener out).
     */
    public static final long HEARTBEAT_TIMEOUT_MS_NONE = 0;

    /**
     * Queue wait when the listener sets none: {@value} (not enforced).
     */
    public static final long QUEUE_WAIT_MS_NONE = 0;

    /**
     * Environment variable holding the response window in bytes: {@value}.
     */
    public static final String RESPONSE_WINDOW_ENV_NAME = "SLUICE_RESPONSE_WINDOW";

    /**
     * Time a worker asked to stop has to finish its requests when the listener sets none: {@value} ms.
     */
    public static final long SHUTDOWN_TIME_LIMIT_MS_DEFAULT = 10_000;

    /**
     * Header wait of a loopback worker's port when the listener sets none: {@value} ms.
     */
    public static final long HEADER_WAIT_MS_DEFAULT = 10_000;

    /**
     * Idle time of a connection that has sent nothing to a loopback worker's port when the listener sets none:
     * {@value} ms.
     */
    public static final long IDLE_CONNECTION_MS_DEFAULT = 10_000;

    /**
     * Most open connections to a loopback worker's port when the listener sets none: {@value}.
     */
    public static final int MAX_CONNECTIONS_DEFAULT = 1064;

    /**
     * Settings with the loopback port's limits at their defaults.
     *
     * @param queue               the request queue's name.
     * @param hosting             {@code shared-memory} or {@code loopback}.
     * @param shmDir              the worker's shared-memory directory, or null.
     * @param port                the loopback port, or 0.
     * @param token               the worker's secret.
     * @param applicationPath     the path prefix the queue serves.
     * @param listenerPid         the listener's process id, or -1.
     * @param heartbeatTimeoutMs  heartbeat timeout, 0 never.
     * @param shutdownTimeLimitMs time to finish when asked to stop.
     * @param queueWaitMs         the queue's queueWait, 0 never.
     * @param responseWindow      response bytes a shared-memory worker may send ahead of credit.
     */
    public WorkerEnvironment(
        final String queue,
        final String hosting,
        final Path shmDir,
        final int port,
        final String token,
        final String applicationPath,
        final long listenerPid,
        final long heartbeatTimeoutMs,
        final long shutdownTimeLimitMs,
        final long queueWaitMs,
        final int responseWindow)
    {
        this(
            queue,
            hosting,
            shmDir,
            port,
            token,
            applicationPath,
            listenerPid,
            heartbeatTimeoutMs,
            shutdownTimeLimitMs,
            queueWaitMs,
            responseWindow,
            HEADER_WAIT_MS_DEFAULT,
            IDLE_CONNECTION_MS_DEFAULT,
            MAX_CONNECTIONS_DEFAULT,
            1,
            null);
    }

    /**
     * Read the environment.
     *
     * @param env the process environment.
     * @return the worker's settings.
     * @throws IllegalStateException naming the missing or invalid variable.
     */
    public static WorkerEnvironment from(final Map<String, String> env)
    {
        final String hosting = require(env, HOSTING_ENV_NAME);
        final String token = require(env, TOKEN_ENV_NAME);
        Path shmDir = null;
        int port = 0;
        if (SHARED_MEMORY.equals(hosting))
        {
            shmDir = Path.of(require(env, SHM_DIR_ENV_NAME));
        }
        else if (LOOPBACK.equals(hosting))
        {
            try
            {
                port = Integer.parseInt(require(env, PORT_ENV_NAME));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalStateException(PORT_ENV_NAME + " is not a port number: " + env.get(PORT_ENV_NAME));
            }
        }
        else
        {
            throw new IllegalStateException(HOSTING_ENV_NAME + " must be " + SHARED_MEMORY + " or " + LOOPBACK + ": " +
                HOSTING_ENV_NAME + "=" + hosting);
        }
        final String pid = env.get(LISTENER_PID_ENV_NAME);
        return new WorkerEnvironment(
            env.getOrDefault(QUEUE_ENV_NAME, ""),
            hosting,
            shmDir,
            port,
            token,
            env.getOrDefault(APPL_PATH_ENV_NAME, "/"),
            null == pid ? -1 : Long.parseLong(pid),
            milliseconds(env, HEARTBEAT_TIMEOUT_MS_ENV_NAME, HEARTBEAT_TIMEOUT_MS_NONE),
            milliseconds(env, SHUTDOWN_TIME_LIMIT_MS_ENV_NAME, SHUTDOWN_TIME_LIMIT_MS_DEFAULT),
            milliseconds(env, QUEUE_WAIT_MS_ENV_NAME, QUEUE_WAIT_MS_NONE),
            responseWindow(env),
            milliseconds(env, HEADER_WAIT_MS_ENV_NAME, HEADER_WAIT_MS_DEFAULT),
            milliseconds(env, IDLE_CONNECTION_MS_ENV_NAME, IDLE_CONNECTION_MS_DEFAULT),
            connections(env, MAX_CONNECTIONS_ENV_NAME, MAX_CONNECTIONS_DEFAULT),
            lanes(env),
            SHARED_MEMORY.equals(hosting) ? wakePipe(env) : null);
    }

    private static Path wakePipe(final Map<String, String> env)
    {
        final String value = env.get(WAKE_PIPE_ENV_NAME);
        return null == value || value.isEmpty() ? null : Path.of(value);
    }

    private static int connections(final Map<String, String> env, final String name, final int defaultCount)
    {
        final String value = env.get(name);
        if (null == value || value.isEmpty())
        {
            return defaultCount;
        }
        try
        {
            final int count = Integer.parseInt(value);
            if (count >= 1)
            {
                return count;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalStateException(name + " must be a number >= 1: " + name + "=" + value);
    }

    private static int lanes(final Map<String, String> env)
    {
        final String value = env.get(LANES_ENV_NAME);
        if (null == value || value.isEmpty())
        {
            return 1;
        }
        try
        {
            final int lanes = Integer.parseInt(value);
            if (lanes >= 1 && lanes <= WorkerFileDescriptor.LANES_MAX)
            {
                return lanes;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalStateException(LANES_ENV_NAME + " must be a number between 1 and " +
            WorkerFileDescriptor.LANES_MAX + ": " + LANES_ENV_NAME + "=" + value);
    }

    private static int responseWindow(final Map<String, String> env)
    {
        final String value = env.get(RESPONSE_WINDOW_ENV_NAME);
        if (null == value || value.isEmpty())
        {
            return MessageDescriptor.RESPONSE_WINDOW_DEFAULT;
        }
        try
        {
            final int window = Integer.parseInt(value);
            if (window >= MessageDescriptor.RESPONSE_WINDOW_MIN && window <= MessageDescriptor.RESPONSE_WINDOW_MAX)
            {
                return window;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalStateException(RESPONSE_WINDOW_ENV_NAME + " must be a number of bytes between " +
            MessageDescriptor.RESPONSE_WINDOW_MIN + " and " + MessageDescriptor.RESPONSE_WINDOW_MAX + ": " +
            RESPONSE_WINDOW_ENV_NAME + "=" + value);
    }

    private static long milliseconds(final Map<String, String> env, final String name, final long defaultMs)
    {
        final String value = env.get(name);
        if (null == value || value.isEmpty())
        {
            return defaultMs;
        }
        try
        {
            final long ms = Long.parseLong(value);
            if (ms >= 0)
            {
                return ms;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalStateException(name + " must be a number of milliseconds >= 0: " + name + "=" + value);
    }

    private static String require(final Map<String, String> env, final String name)
    {
        final String value = env.get(name);
        if (null == value || value.isEmpty())
        {
            throw new IllegalStateException(name + " is not set: a Sluice worker is started by the listener");
        }
        return value;
    }
}
