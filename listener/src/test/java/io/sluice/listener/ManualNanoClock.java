package io.sluice.listener;

import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A monotonic clock a test moves forward: the system's, plus what the test added. Timers keep running at their pace;
 * a test makes hours pass at once.
 */
final class ManualNanoClock implements NanoClock
{
    private final AtomicLong offsetNs = new AtomicLong();

    /**
     * {@inheritDoc}
     */
    public long nanoTime()
    {
        return System.nanoTime() + offsetNs.get();
    }

    /**
     * @param durationMs how far to move the clock forward.
     */
    void advanceMs(final long durationMs)
    {
        offsetNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(durationMs));
    }
}
