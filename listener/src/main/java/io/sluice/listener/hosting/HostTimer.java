package io.sluice.listener.hosting;

/**
 * The period of a host's one timer, which times out requests ({@code requestTimeout}) and keeps heartbeats: fine
 * enough that a request is timed out within a quarter of its limit and a hung worker within a quarter of the
 * heartbeat timeout, never finer than {@value #PERIOD_MIN_MS} ms nor coarser than {@value #PERIOD_MAX_MS} ms.
 */
public final class HostTimer
{
    /**
     * Finest timer period: {@value} ms.
     */
    public static final long PERIOD_MIN_MS = 10;

    /**
     * Coarsest timer period, which is also the longest gap between two listener heartbeats: {@value} ms.
     */
    public static final long PERIOD_MAX_MS = 1_000;

    private static final int PERIODS_PER_REQUEST_TIMEOUT = 8;
    private static final int PERIODS_PER_HEARTBEAT_TIMEOUT = 4;

    private HostTimer()
    {
    }

    /**
     * @param requestTimeoutMs   the queue's request timeout.
     * @param heartbeatTimeoutMs the queue's heartbeat timeout; 0 when it has none.
     * @return the timer period in ms.
     */
    public static long periodMs(final long requestTimeoutMs, final long heartbeatTimeoutMs)
    {
        long periodMs = requestTimeoutMs / PERIODS_PER_REQUEST_TIMEOUT;
        if (heartbeatTimeoutMs > 0)
        {
            periodMs = Math.min(periodMs, heartbeatTimeoutMs / PERIODS_PER_HEARTBEAT_TIMEOUT);
        }
        return Math.max(PERIOD_MIN_MS, Math.min(PERIOD_MAX_MS, periodMs));
    }
}
