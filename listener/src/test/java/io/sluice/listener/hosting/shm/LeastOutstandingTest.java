package io.sluice.listener.hosting.shm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The choice of a worker for a request on one event loop ({@link LoopLanes#pick}): the attached worker with the fewest
 * requests outstanding, equal loads taking turns; never a worker that is not attached while one is.
 */
class LeastOutstandingTest
{
    @Test
    void shouldPickTheAttachedWorkerWithTheFewestOutstandingRequests()
    {
        final Load[] links = { new Load(true, 5), new Load(true, 2), new Load(true, 7) };

        assertEquals(1, LoopLanes.pick(links, 0));
        assertEquals(1, LoopLanes.pick(links, 2));
    }

    @Test
    void shouldNotPickAWorkerThatIsNotAttachedWhileOneIs()
    {
        final Load[] links = { new Load(false, 0), new Load(true, 9), new Load(false, 0) };

        assertEquals(1, LoopLanes.pick(links, 0));
        assertEquals(1, LoopLanes.pick(links, 2));
    }

    @Test
    void shouldLetEqualLoadsTakeTurns()
    {
        final Load[] links = { new Load(true, 3), new Load(true, 3), new Load(true, 3) };

        assertEquals(0, LoopLanes.pick(links, 0));
        assertEquals(1, LoopLanes.pick(links, 1));
        assertEquals(2, LoopLanes.pick(links, 2));
    }

    @Test
    void shouldSpreadRequestsSoThatNoWorkerHoldsMoreThanOneMoreThanAnother()
    {
        final Load[] links = { new Load(true, 0), new Load(true, 0), new Load(true, 0), new Load(true, 0) };
        int from = 0;
        for (int i = 0; i < 10; i++)
        {
            final int chosen = LoopLanes.pick(links, from);
            links[chosen].outstanding++;
            from = chosen + 1 == links.length ? 0 : chosen + 1;
        }
        // 10 over 4: two hold 3, two hold 2
        int max = 0;
        int min = Integer.MAX_VALUE;
        for (final Load link : links)
        {
            max = Math.max(max, link.outstanding);
            min = Math.min(min, link.outstanding);
        }
        assertEquals(3, max);
        assertEquals(2, min);

        // one worker's requests end: it takes the next ones
        links[2].outstanding = 0;
        assertEquals(2, LoopLanes.pick(links, from));
    }

    @Test
    void shouldWriteIntoTheNextRingInTurnWhenNoWorkerIsAttached()
    {
        final Load[] links = { new Load(false, 0), new Load(false, 0) };

        assertEquals(1, LoopLanes.pick(links, 1));
        assertEquals(0, LoopLanes.pick(links, 0));
    }

    private static final class Load implements WorkerLoad
    {
        private final boolean attached;
        private int outstanding;

        Load(final boolean attached, final int outstanding)
        {
            this.attached = attached;
            this.outstanding = outstanding;
        }

        public boolean isAttached()
        {
            return attached;
        }

        public int outstanding()
        {
            return outstanding;
        }
    }
}
