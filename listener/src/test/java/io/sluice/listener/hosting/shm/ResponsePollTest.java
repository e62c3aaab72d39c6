package io.sluice.listener.hosting.shm;

import io.sluice.dispatch.shm.SpinBudget;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's look at a response ring while requests are outstanding, over a ring, an event loop and a clock driven
 * by hand: it looks at once, keeps the listener's flag clear while it looks, stops (draining and arming) once nothing
 * is outstanding or its budget is spent, keeps looking while answers come, and stops looking at all (but for a probe)
 * when answers never come within the budget.
 */
class ResponsePollTest
{
    private final FakeRing ring = new FakeRing();
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private long nowNs = 1_000_000;
    private final ResponsePoll poll = new ResponsePoll(ring, tasks::add, () -> nowNs);

    @Test
    void shouldLookAtOnceWithTheFlagClearAndStopArmedOnceTheAnswerCame()
    {
        ring.inFlight = 1;
        ring.looks.add(0);
        ring.looks.add(1);
        start();

        assertEquals(1, ring.stayAwake, "the worker sees the listener awake");
        assertEquals(2, ring.lookCount, "looked, yielded, looked again, in the turn that sent the request");
        assertEquals(1, ring.drains, "stopped with a drain that arms the flag");
        assertFalse(poll.isPolling());
        assertTrue(tasks.isEmpty(), "no other turn of the loop");
        assertEquals(ResponsePoll.MAX_LOOK_NS, poll.budgetNs());

        ring.inFlight = 1;
        ring.looks.add(1);
        start();

        assertEquals(2, ring.stayAwake);
        assertEquals(3, ring.lookCount);
        assertEquals(2, ring.drains);
    }

    @Test
    void shouldKeepLookingWhileAnswersComeAndRequestsRemain()
    {
        ring.inFlight = 10;
        ring.looks.add(1);
        start();
        start();
        assertEquals(1, ring.stayAwake, "one period of looks at a time");
        for (int i = 0; i < 3; i++)
        {
            nowNs += ResponsePoll.MAX_LOOK_NS - 1;
            ring.looks.add(1);
            runOneTask();
        }

        assertEquals(0, ring.drains);
        assertTrue(poll.isPolling());
        assertEquals(1, tasks.size(), "each answer begins a new period of looks, in the loop's next turn");
    }

    @Test
    void shouldStopARunOfLooksThatKeepsFindingAnswersAndRestBeforeTheNext()
    {
        ring.inFlight = 1000;
        ring.looks.add(1);
        start();
        final long runStartNs = nowNs;
        while (nowNs - runStartNs < ResponsePoll.MAX_RUN_NS - ResponsePoll.MIN_LOOK_NS)
        {
            nowNs += ResponsePoll.MIN_LOOK_NS;
            ring.looks.add(1);
            runOneTask();
            assertEquals(0, ring.drains, "answers keep coming: looks on");
            assertEquals(1, tasks.size());
        }

        nowNs = runStartNs + ResponsePoll.MAX_RUN_NS;
        ring.looks.add(1);
        runOneTask();

        assertEquals(1, ring.drains, "the run is over: armed, the worker rings, the loop serves its sockets");
        assertFalse(poll.isPolling());
        assertTrue(tasks.isEmpty(), "no look waits in the loop's tasks");
        assertEquals(ResponsePoll.MAX_LOOK_NS, poll.budgetNs(), "looking paid: the budget is kept");

        final int stayAwake = ring.stayAwake;
        nowNs += ResponsePoll.REST_NS - 1;
        start();
        assertFalse(poll.isPolling(), "resting: requests sent now do not start a run");
        assertEquals(stayAwake, ring.stayAwake, "the flag stays armed");

        nowNs += 1;
        ring.looks.add(1);
        start();
        assertEquals(stayAwake + 1, ring.stayAwake, "rested: the next requests start a run again");
        assertTrue(poll.isPolling());
        assertEquals(1, tasks.size());
    }

    @Test
    void shouldStopWhenTheBudgetIsSpentAndHalveIt()
    {
        ring.inFlight = 1;
        start();
        assertEquals(1, tasks.size(), "nothing yet: looks again in the loop's next turn");
        nowNs += ResponsePoll.MAX_LOOK_NS - 1;
        runOneTask();
        assertEquals(0, ring.drains, "still within the budget");
        assertEquals(1, tasks.size());

        nowNs += 1;
        runOneTask();

        assertEquals(1, ring.drains, "budget spent: armed, the worker rings from now on");
        assertFalse(poll.isPolling());
        assertTrue(tasks.isEmpty());
        assertEquals(ResponsePoll.MAX_LOOK_NS / 2, poll.budgetNs());
    }

    @Test
    void shouldLookForOneBatchInEightOnceAnswersNeverComeWithinTheBudget()
    {
        ring.inFlight = 1;
        while (0 != poll.budgetNs())
        {
            start();
            nowNs += poll.budgetNs();
            runTasks();
        }
        final int drains = ring.drains;
        final int stayAwake = ring.stayAwake;

        int polled = 0;
        // a probe after PROBE_INTERVAL periods; it finds nothing, so the next comes after twice as many
        for (int i = 0; i < 3 * SpinBudget.PROBE_INTERVAL; i++)
        {
            start();
            if (poll.isPolling())
            {
                polled++;
                nowNs += ResponsePoll.MIN_LOOK_NS;
                runTasks();
            }
            assertTrue(tasks.isEmpty());
        }

        assertEquals(2, polled, "probes after " + SpinBudget.PROBE_INTERVAL + " and twice as many more periods");
        assertEquals(stayAwake + 2, ring.stayAwake, "otherwise the flag stays armed: the worker rings");
        assertEquals(drains + 2, ring.drains);
    }

    @Test
    void shouldStopWithoutDrainingWhenTheLinkNoLongerReads()
    {
        ring.inFlight = 1;
        ring.looks.add(-1);
        start();

        assertFalse(poll.isPolling());
        assertEquals(0, ring.drains);
        assertTrue(tasks.isEmpty());
    }

    private void start()
    {
        // as the listener does: start (clears the flag), ring the worker, first look
        if (poll.start())
        {
            poll.run();
        }
    }

    private void runOneTask()
    {
        tasks.remove().run();
    }

    private void runTasks()
    {
        while (!tasks.isEmpty())
        {
            runOneTask();
        }
    }

    private static final class FakeRing implements ResponsePoll.Ring
    {
        final Queue<Integer> looks = new ArrayDeque<>();
        int inFlight;
        int lookCount;
        int stayAwake;
        int drains;

        public int look()
        {
            lookCount++;
            final Integer count = looks.poll();
            if (null == count)
            {
                return 0;
            }
            inFlight -= Math.max(0, count);
            return count;
        }

        public boolean hasOutstanding()
        {
            return inFlight > 0;
        }

        public void stayAwake()
        {
            stayAwake++;
        }

        public void drain()
        {
            drains++;
        }
    }
}
