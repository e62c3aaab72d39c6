package io.sluice.listener.hosting.shm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's flow-control accounting of one response, driven by hand: what the worker may send, when a point of
 * the response is watched, and what a flushed watch grants.
 */
class ResponseCreditTest
{
    private static final int WINDOW = 256 * 1024;

    private final ResponseCredit credit = new ResponseCredit().reset(WINDOW);

    @Test
    void shouldAcceptBodyUpToWindowAndRefuseTheByteAfter()
    {
        assertTrue(credit.onBody(WINDOW - 1));
        assertTrue(credit.onBody(1));

        assertFalse(credit.onBody(1));
        assertEquals(WINDOW, credit.received());
        assertEquals(WINDOW, credit.outstanding());
    }

    @Test
    void shouldRefuseNegativeChunkLength()
    {
        assertFalse(credit.onBody(-1));
        assertEquals(0, credit.received());
    }

    @Test
    void shouldWatchOnlyOnceHalfAWindowIsOutstanding()
    {
        assertTrue(credit.onBody(WINDOW / 2 - 1));
        assertFalse(credit.shouldWatch());

        assertTrue(credit.onBody(1));
        assertTrue(credit.shouldWatch());
    }

    @Test
    void shouldGrantWhatTheWatchedMarkCoversAndRaiseTheLimitByIt()
    {
        credit.onBody(WINDOW / 2);
        final long mark = credit.watch();
        credit.onBody(WINDOW / 4);
        assertFalse(credit.shouldWatch(), "one watch at a time");

        assertEquals(WINDOW / 2, credit.flushed(mark));

        assertEquals(WINDOW + WINDOW / 2, credit.limit());
        assertEquals(WINDOW / 4, credit.outstanding());
        assertEquals(ResponseCredit.NO_WATCH, credit.watchMark());
        assertFalse(credit.shouldWatch(), "a quarter window outstanding is not enough for another grant");
    }

    @Test
    void shouldNeverLetOutstandingPassTheWindowWhateverTheWorkerSends()
    {
        long limitSeen = 0;
        for (int round = 0; round < 100; round++)
        {
            while (credit.onBody(16 * 1024))
            {
                assertTrue(credit.outstanding() <= WINDOW);
            }
            if (credit.shouldWatch())
            {
                final long mark = credit.watch();
                credit.flushed(mark);
            }
            assertTrue(credit.limit() > limitSeen);
            limitSeen = credit.limit();
        }
        assertEquals(WINDOW, credit.limit() - credit.received() + credit.outstanding());
    }

    @Test
    void shouldIgnoreAStaleMark()
    {
        credit.onBody(WINDOW);
        final long mark = credit.watch();
        credit.reset(WINDOW);

        assertEquals(0, credit.flushed(mark));
        assertEquals(0, credit.flushed(ResponseCredit.NO_WATCH));
        assertEquals(WINDOW, credit.limit());
    }

    @Test
    void shouldMergeGrantsThatWaitForRoomInTheRing()
    {
        credit.deferGrant(1000);
        credit.deferGrant(24);

        assertEquals(1024, credit.pendingGrant());
        assertEquals(1024, credit.takePendingGrant());
        assertEquals(0, credit.pendingGrant());
    }
}
