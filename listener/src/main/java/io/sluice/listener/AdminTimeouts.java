package io.sluice.listener;

import io.sluice.listener.config.AdminConfiguration;
import io.sluice.listener.http.HttpConnectionConfig;

import java.util.concurrent.TimeUnit;

/**
 * The time limits of an admin connection, derived once from the admin settings.
 *
 * @param headerWaitNs     a request begun must be complete within it (0: no limit).
 * @param idleConnectionNs a connection with nothing to send and nothing received for that long is closed (0: never).
 * @param timerPeriodMs    how often a connection's timer looks at its limits.
 * @param sendRateGraceNs  the window over which a client's taking of held-back answers is measured.
 */
record AdminTimeouts(long headerWaitNs, long idleConnectionNs, long timerPeriodMs, long sendRateGraceNs)
{
    private static final long TIMER_PERIOD_MAX_MS = 1_000;
    private static final long TIMER_PERIOD_MIN_MS = 10;
    private static final int TIMER_DIVISOR = 4;

    /**
     * @param config the admin settings.
     * @return their time limits.
     */
    static AdminTimeouts of(final AdminConfiguration config)
    {
        final long idleConnectionNs = TimeUnit.MILLISECONDS.toNanos(config.idleConnectionMs());
        return new AdminTimeouts(
            TimeUnit.MILLISECONDS.toNanos(config.headerWaitMs()),
            idleConnectionNs,
            timerPeriodMs(config.headerWaitMs(), config.idleConnectionMs()),
            idleConnectionNs > 0 ? idleConnectionNs : HttpConnectionConfig.MIN_SEND_RATE_GRACE_DEFAULT_NS);
    }

    /**
     * @param headerWaitMs     the header wait (0: none).
     * @param idleConnectionMs the idle limit (0: none).
     * @return a quarter of the shorter of the limits, within 10 ms and 1 s.
     */
    static long timerPeriodMs(final long headerWaitMs, final long idleConnectionMs)
    {
        long shortestMs = TIMER_PERIOD_MAX_MS * TIMER_DIVISOR;
        if (headerWaitMs > 0)
        {
            shortestMs = Math.min(shortestMs, headerWaitMs);
        }
        if (idleConnectionMs > 0)
        {
            shortestMs = Math.min(shortestMs, idleConnectionMs);
        }
        return Math.max(TIMER_PERIOD_MIN_MS, shortestMs / TIMER_DIVISOR);
    }
}
