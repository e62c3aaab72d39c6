package io.sluice.listener.config;

import io.sluice.dispatch.worker.WorkerEnvironment;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a queue's worker processes are started and supervised (WAS / ANCM semantics). Immutable once loaded.
 *
 * @param command             program and arguments; empty means "this JVM's java, the listener's class path, the
 *                            worker SDK's main class and the queue's handler class".
 * @param environment         extra environment variables for the worker.
 * @param processes           number of worker processes (processesPerApplication).
 * @param startupTimeLimitMs  time a worker has to become ready before it is killed and retried.
 * @param startupRetryCount   retries of a failed start before the failure counts against rapid-fail protection.
 * @param rapidFailsPerMinute worker failures per minute past which the queue is stopped (503).
 * @param shutdownTimeLimitMs time a worker has to exit after being asked to stop before it is killed.
 * @param requestTimeoutMs    time a worker has to complete a response before the listener answers 504 (or closes the
 *                            connection when the head was sent) and tells the worker to abort the request.
 * @param heartbeatTimeoutMs  shared-memory only: a worker awake with requests waiting in its ring whose heartbeat has
 *                            not moved for this long is hung and is killed and replaced; a worker exits when the
 *                            listener's heartbeat has not moved for this long. {@link #HEARTBEAT_TIMEOUT_DISABLED}
 *                            turns both checks off.
 * @param stdoutLog           file receiving the worker's stdout and stderr, or null to inherit the listener's.
 * @param headerWaitMs        loopback only ({@code SLUICE_HEADER_WAIT_MS}): a connection to the worker's port that has
 *                            not yet carried the worker's token and has sent part of a request head is closed this
 *                            long after it was accepted. {@link TimeoutsConfiguration#DISABLED} never.
 * @param idleConnectionMs    loopback only ({@code SLUICE_IDLE_CONNECTION_MS}): a connection to the worker's port that
 *                            has sent nothing is closed this long after it was accepted.
 *                            {@link TimeoutsConfiguration#DISABLED} never.
 * @param maxConnections      loopback only ({@code SLUICE_MAX_CONNECTIONS}): most open connections to a worker's port;
 *                            one past it is closed at once. {@link #MAX_CONNECTIONS_AUTO} for the queue length plus
 *                            {@link #MAX_CONNECTIONS_SLACK}.
 * @param lifetime            when the workers start, stop when idle, and are recycled.
 */
public record WorkerConfiguration(
    List<String> command,
    Map<String, String> environment,
    int processes,
    long startupTimeLimitMs,
    int startupRetryCount,
    int rapidFailsPerMinute,
    long shutdownTimeLimitMs,
    long requestTimeoutMs,
    long heartbeatTimeoutMs,
    Path stdoutLog,
    long headerWaitMs,
    long idleConnectionMs,
    int maxConnections,
    WorkerLifetime lifetime)
{
    /**
     * Default process count.
     */
    public static final int PROCESSES_DEFAULT = 1;

    /**
     * Worker slots per process: {@value}, the second for the replacement of an overlapped recycle.
     */
    public static final int SLOTS_PER_PROCESS = 2;

    /**
     * Greatest process count.
     */
    public static final int PROCESSES_MAX = 64;

    /**
     * Default startup time limit: 120 s.
     */
    public static final long STARTUP_TIME_LIMIT_MS_DEFAULT = 120_000;

    /**
     * Default startup retry count.
     */
    public static final int STARTUP_RETRY_COUNT_DEFAULT = 2;

    /**
     * Default rapid-fail budget per minute.
     */
    public static final int RAPID_FAILS_PER_MINUTE_DEFAULT = 10;

    /**
     * Default shutdown time limit: 10 s, the worker's own when the listener sets none.
     */
    public static final long SHUTDOWN_TIME_LIMIT_MS_DEFAULT = WorkerEnvironment.SHUTDOWN_TIME_LIMIT_MS_DEFAULT;

    /**
     * Default request timeout: 120 s, as ANCM's requestTimeout.
     */
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 120_000;

    /**
     * Default heartbeat timeout: 10 s.
     */
    public static final long HEARTBEAT_TIMEOUT_MS_DEFAULT = 10_000;

    /**
     * Heartbeat timeout value that turns heartbeat checks off.
     */
    public static final long HEARTBEAT_TIMEOUT_DISABLED = 0;

    /**
     * Least heartbeat timeout other than {@link #HEARTBEAT_TIMEOUT_DISABLED}: 100 ms, a few of the worker's heartbeat
     * intervals.
     */
    public static final long HEARTBEAT_TIMEOUT_MS_MIN = 100;

    /**
     * Default header wait of a loopback worker's port: 10 s, the worker's own when the listener sets none.
     */
    public static final long HEADER_WAIT_MS_DEFAULT = WorkerEnvironment.HEADER_WAIT_MS_DEFAULT;

    /**
     * Default idle time of a connection to a loopback worker's port that has sent nothing: 10 s, the worker's own when
     * the listener sets none.
     */
    public static final long IDLE_CONNECTION_MS_DEFAULT = WorkerEnvironment.IDLE_CONNECTION_MS_DEFAULT;

    /**
     * {@link #maxConnections()} value that sizes the cap from the queue: its length plus
     * {@link #MAX_CONNECTIONS_SLACK}.
     */
    public static final int MAX_CONNECTIONS_AUTO = 0;

    /**
     * Connections a loopback worker accepts beyond its queue's length (readiness probes, the shutdown event,
     * connections closing): {@value}.
     */
    public static final int MAX_CONNECTIONS_SLACK = 64;

    /**
     * Settings as before the loopback port limits and the worker lifetime keys existed: those at their defaults
     * ({@link WorkerLifetime#DEFAULT}).
     *
     * @param command             program and arguments.
     * @param environment         extra environment variables for the worker.
     * @param processes           number of worker processes.
     * @param startupTimeLimitMs  time a worker has to become ready.
     * @param startupRetryCount   retries of a failed start.
     * @param rapidFailsPerMinute worker failures per minute past which the queue is stopped.
     * @param shutdownTimeLimitMs time a worker has to exit after being asked to stop.
     * @param requestTimeoutMs    time a worker has to complete a response.
     * @param heartbeatTimeoutMs  shared-memory heartbeat timeout.
     * @param stdoutLog           file receiving the worker's output, or null.
     */
    public WorkerConfiguration(
        final List<String> command,
        final Map<String, String> environment,
        final int processes,
        final long startupTimeLimitMs,
        final int startupRetryCount,
        final int rapidFailsPerMinute,
        final long shutdownTimeLimitMs,
        final long requestTimeoutMs,
        final long heartbeatTimeoutMs,
        final Path stdoutLog)
    {
        this(
            command,
            environment,
            processes,
            startupTimeLimitMs,
            startupRetryCount,
            rapidFailsPerMinute,
            shutdownTimeLimitMs,
            requestTimeoutMs,
            heartbeatTimeoutMs,
            stdoutLog,
            HEADER_WAIT_MS_DEFAULT,
            IDLE_CONNECTION_MS_DEFAULT,
            MAX_CONNECTIONS_AUTO,
            WorkerLifetime.DEFAULT);
    }

    /**
     * @param lifetime the lifetime settings to take.
     * @return these settings with another lifetime.
     */
    public WorkerConfiguration withLifetime(final WorkerLifetime lifetime)
    {
        return new WorkerConfiguration(
            command, environment, processes, startupTimeLimitMs, startupRetryCount, rapidFailsPerMinute,
            shutdownTimeLimitMs, requestTimeoutMs, heartbeatTimeoutMs, stdoutLog, headerWaitMs, idleConnectionMs,
            maxConnections, lifetime);
    }

    /**
     * @return the worker slots a host prepares ({@link #SLOTS_PER_PROCESS} per process: the second for the replacement
     * of an overlapped recycle), numbered 0 to slots - 1 in the names of the shared-memory directories.
     */
    public int slots()
    {
        return SLOTS_PER_PROCESS * processes;
    }

    /**
     * @param queueLength the queue's bound.
     * @return the cap on connections to one loopback worker's port.
     */
    public int maxConnectionsFor(final int queueLength)
    {
        return MAX_CONNECTIONS_AUTO != maxConnections ? maxConnections :
            (int)Math.min(Integer.MAX_VALUE, (long)queueLength + MAX_CONNECTIONS_SLACK);
    }
}
