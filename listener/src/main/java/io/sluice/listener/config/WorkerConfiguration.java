package io.sluice.listener.config;

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
 * @param stdoutLog           file receiving the worker's stdout and stderr, or null to inherit the listener's.
 */
public record WorkerConfiguration(
    List<String> command,
    Map<String, String> environment,
    int processes,
    long startupTimeLimitMs,
    int startupRetryCount,
    int rapidFailsPerMinute,
    long shutdownTimeLimitMs,
    Path stdoutLog)
{
    /**
     * Default process count.
     */
    public static final int PROCESSES_DEFAULT = 1;

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
     * Default shutdown time limit: 10 s.
     */
    public static final long SHUTDOWN_TIME_LIMIT_MS_DEFAULT = 10_000;
}
