package io.sluice.listener;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Polls a value the listener changes on its own threads until it reaches the expected one, then asserts it exactly:
 * a test waits for a state, never for a guessed time.
 */
final class Await
{
    private static final long POLL_MS = 5;

    private Await()
    {
    }

    /**
     * @param expected  the value to reach.
     * @param actual    read until it equals {@code expected} or the time runs out.
     * @param timeoutMs longest wait.
     */
    static void value(final long expected, final LongSupplier actual, final long timeoutMs)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (actual.getAsLong() != expected && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(POLL_MS);
        }
        assertEquals(expected, actual.getAsLong(), "value not reached within " + timeoutMs + " ms");
    }
}
