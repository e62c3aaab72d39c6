package io.sluice.listener.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.sluice.listener.http.SendRateWindow.MEASURING;
import static io.sluice.listener.http.SendRateWindow.NOT_STALLED;
import static io.sluice.listener.http.SendRateWindow.TOO_SLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The minimum send rate decision, driven by a clock the test advances: 150 bytes per second over 10 s windows, the
 * HTTP.sys defaults.
 */
class SendRateWindowTest
{
    private static final long RATE = 150;
    private static final long GRACE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long QUARTER_NS = GRACE_NS / 4;

    private final SendRateWindow window = new SendRateWindow(RATE, GRACE_NS);
    private long nowNs = 1_000_000_000L;

    @Test
    void shouldNeverCloseAClientThatIsNotStalled()
    {
        for (int i = 0; i < 100; i++)
        {
            assertEquals(NOT_STALLED, sample(0, false, 0));
            nowNs += QUARTER_NS;
        }
        assertFalse(window.isMeasuring());
    }

    @Test
    void shouldCloseAClientWhoseWindowStaysClosedForAWholeGraceWithNothingTaken()
    {
        // the response sits whole in the kernel: nothing moves from the listener, the kernel probes a closed window
        assertEquals(MEASURING, sample(262_144, true, 1));
        final long windowEndNs = window.windowEndNs();
        assertEquals(nowNs + GRACE_NS, windowEndNs);
        for (int backoff = 2; backoff <= 4; backoff++)
        {
            nowNs += QUARTER_NS;
            assertEquals(MEASURING, sample(262_144, true, backoff), "backoff " + backoff);
        }
        nowNs = windowEndNs - 1;
        assertEquals(MEASURING, sample(262_144, true, 4), "one nanosecond before the window ends");
        nowNs = windowEndNs;
        assertEquals(TOO_SLOW, sample(262_144, true, 5));
    }

    @Test
    void shouldKeepAClientThatTakesAtLeastTheRate()
    {
        long taken = 0;
        assertEquals(MEASURING, sample(taken, true, 0));
        for (int i = 0; i < 40; i++)
        {
            nowNs += QUARTER_NS;
            taken += RATE * QUARTER_NS / TimeUnit.SECONDS.toNanos(1);
            assertEquals(MEASURING, sample(taken, true, 0), "quarter " + i);
        }
    }

    @Test
    void shouldCloseAClientBelowTheRateOverAWindow()
    {
        long taken = 0;
        assertEquals(MEASURING, sample(taken, true, 0));
        for (int i = 0; i < 3; i++)
        {
            nowNs += QUARTER_NS;
            taken += 300;
            assertEquals(MEASURING, sample(taken, true, 0));
        }
        nowNs += QUARTER_NS;
        taken += 300 - 1;
        assertEquals(TOO_SLOW, sample(taken, true, 0), "1499 bytes in 10 s is under 150 bytes per second");
    }

    @Test
    void shouldStartAWindowAgainWhenTheClientsWindowOpened()
    {
        // bytes sit in the kernel and none move from the listener, but the client reads: each time its receive window
        // opens the kernel resets the probe backoff, so the client accepted bytes
        assertEquals(MEASURING, sample(1_000_000, true, 3));
        nowNs += GRACE_NS - 1;
        assertEquals(MEASURING, sample(1_000_000, true, 5));
        nowNs += 2;
        assertEquals(MEASURING, sample(1_000_000, true, 1), "the backoff dropped: a new window");
        nowNs += GRACE_NS - 1;
        assertEquals(MEASURING, sample(1_000_000, true, 2));
        nowNs += 1;
        assertEquals(TOO_SLOW, sample(1_000_000, true, 2), "no drop for a whole window");
    }

    @Test
    void shouldStartAWindowAgainWhenTheKernelSentDataSinceThePreviousSample()
    {
        // the client's window opened and closed again between two samples: the backoff is the same, but data went out
        assertEquals(MEASURING, window.sample(nowNs, 1_000_000, true, 2, TimeUnit.SECONDS.toNanos(3)));
        nowNs += GRACE_NS - 1;
        assertEquals(MEASURING, window.sample(nowNs, 1_000_000, true, 2, GRACE_NS - 1));
        nowNs += QUARTER_NS;
        assertEquals(MEASURING, window.sample(nowNs, 1_000_000, true, 2, QUARTER_NS - 1), "sent after the last sample");
        nowNs += GRACE_NS;
        assertEquals(TOO_SLOW, window.sample(nowNs, 1_000_000, true, 2, GRACE_NS + QUARTER_NS - 1),
            "nothing sent since: the window ran out");
    }

    @Test
    void shouldForgetTheWindowWhenTheClientIsNoLongerStalled()
    {
        assertEquals(MEASURING, sample(0, true, 1));
        nowNs += GRACE_NS - 1;
        assertEquals(NOT_STALLED, sample(0, false, 0));
        nowNs += 2;
        assertEquals(MEASURING, sample(0, true, 1), "a new stall starts a new window");
        nowNs += GRACE_NS - 1;
        assertEquals(MEASURING, sample(0, true, 1));
    }

    @Test
    void shouldMeasureRatesWithoutOverflowForLargeCounts()
    {
        assertTrue(window.isBelowRate(0, GRACE_NS));
        assertFalse(window.isBelowRate(1500, GRACE_NS));
        assertTrue(window.isBelowRate(1499, GRACE_NS));
        assertFalse(window.isBelowRate(Long.MAX_VALUE / 2, GRACE_NS));
    }

    @Test
    void shouldRefuseARateOrGraceOfZero()
    {
        assertThrows(IllegalArgumentException.class, () -> new SendRateWindow(0, GRACE_NS));
        assertThrows(IllegalArgumentException.class, () -> new SendRateWindow(RATE, 0));
    }

    private int sample(final long takenBytes, final boolean stalled, final int backoff)
    {
        return window.sample(nowNs, takenBytes, stalled, backoff, Long.MAX_VALUE);
    }
}
