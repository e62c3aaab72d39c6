package io.sluice.listener.http;

import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConnectionDeadlines}, the one timer of a connection, on a clock the test advances: it fires at the earliest
 * deadline armed, is never moved later by a later one, re-arms for the earliest deadline a check considers, and fires
 * nothing once cancelled or once the channel is inactive.
 */
@Timeout(10)
class ConnectionDeadlinesTest
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    private final List<Long> firings = new ArrayList<>();
    private final List<Long> considerNext = new ArrayList<>();
    private ClockedChannel channel;
    private ConnectionDeadlines deadlines;
    private long startNs;

    @BeforeEach
    void setUp()
    {
        channel = new ClockedChannel();
        channel.pipeline().addLast("timer", new ChannelInboundHandlerAdapter());
        deadlines = new ConnectionDeadlines(channel.clock(), (nowNs) ->
        {
            firings.add(nowNs - startNs);
            for (final long deadlineNs : considerNext)
            {
                deadlines.consider(startNs + deadlineNs);
            }
            considerNext.clear();
        });
        deadlines.context(channel.pipeline().context("timer"));
        startNs = deadlines.nowNs();
    }

    @AfterEach
    void tearDown()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldFireAtTheEarliestDeadlineArmed()
    {
        deadlines.arm(startNs, startNs + 10 * SECOND_NS);
        deadlines.arm(startNs, startNs + 3 * SECOND_NS);

        channel.advance(3 * SECOND_NS - 1);
        assertEquals(List.of(), firings);
        channel.advance(1);
        assertEquals(List.of(3 * SECOND_NS), firings);
        assertFalse(deadlines.isArmed(), "nothing was considered: nothing is armed");
    }

    @Test
    void shouldKeepTheEarlierDeadlineWhenALaterOneIsArmed()
    {
        deadlines.arm(startNs, startNs + 2 * SECOND_NS);
        deadlines.arm(startNs, startNs + 5 * SECOND_NS);

        channel.advance(2 * SECOND_NS);
        assertEquals(List.of(2 * SECOND_NS), firings);
    }

    @Test
    void shouldReArmForTheEarliestDeadlineTheCheckConsidered()
    {
        deadlines.arm(startNs, startNs + SECOND_NS);
        considerNext.add(7 * SECOND_NS);
        considerNext.add(4 * SECOND_NS);

        channel.advance(SECOND_NS);
        assertTrue(deadlines.isArmed());
        channel.advance(3 * SECOND_NS - 1);
        assertEquals(List.of(SECOND_NS), firings);
        channel.advance(1);
        assertEquals(List.of(SECOND_NS, 4 * SECOND_NS), firings);
    }

    @Test
    void shouldTellExpiryFromStartAndDurationAndNeverForADisabledTimer()
    {
        assertFalse(deadlines.isExpired(startNs + SECOND_NS - 1, startNs, SECOND_NS));
        assertTrue(deadlines.isExpired(startNs + SECOND_NS, startNs, SECOND_NS));
        assertFalse(deadlines.isExpired(Long.MAX_VALUE, startNs, HttpConnectionConfig.DISABLED));
    }

    @Test
    void shouldArmNothingForADisabledTimer()
    {
        deadlines.arm(startNs, startNs, HttpConnectionConfig.DISABLED);
        assertFalse(deadlines.isArmed());
    }

    @Test
    void shouldFireNothingOnceCancelled()
    {
        deadlines.arm(startNs, startNs + SECOND_NS);
        deadlines.cancel();

        channel.advance(2 * SECOND_NS);
        assertEquals(List.of(), firings);
    }

    @Test
    void shouldFireNothingOnceTheChannelIsInactive()
    {
        deadlines.arm(startNs, startNs + SECOND_NS);
        channel.close();

        channel.advance(2 * SECOND_NS);
        assertEquals(List.of(), firings);
    }
}
