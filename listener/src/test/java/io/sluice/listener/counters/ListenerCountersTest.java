package io.sluice.listener.counters;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue's counters allocated after the start and freed: a full file gives none (one warning), a freed queue's room
 * is reused once its reuse time passed (a clock the test advances), and a queue added again counts from zero under a
 * new number.
 */
class ListenerCountersTest
{
    private static final int LOOPS = 2;

    @Test
    void shouldAllocateInTheSpareRoomAndGiveNoneWhenFull()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        final ListenerCounters counters = ListenerCounters.inMemory(List.of("a"), LOOPS, 1, clock);
        final int startCount = allocated(counters).size();
        final List<LogRecord> warnings = new ArrayList<>();
        final Handler capture = capture(warnings);
        final Logger logger = Logger.getLogger(ListenerCounters.class.getName());
        logger.addHandler(capture);
        final QueueCounters b;
        final QueueCounters c;
        try
        {
            b = counters.allocateQueue("b");
            c = counters.allocateQueue("c");
        }
        finally
        {
            logger.removeHandler(capture);
        }

        assertNotNull(b);
        assertEquals(1, b.queueIndex());
        assertSame(b, counters.queue("b"));
        assertNull(c, "no room for c");
        assertNull(counters.queue("c"));
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).getMessage().startsWith("queue c: the counters file is full"));
        // c's partial allocation was undone: only a's and b's counters are there
        assertEquals(2 * startCount - CounterType.counterCount(0, LOOPS), allocated(counters).size());

        b.loop(1).answered(200);
        counters.queue("a").loop(0).answered(404);
        final CountersSnapshot snapshot = CountersSnapshot.read(counters.reader());
        assertEquals(1, snapshot.value(CounterType.QUEUE_REQUESTS, "b", 1));
        assertEquals(1, snapshot.value(CounterType.QUEUE_REQUESTS, "a", 3));
        assertNull(b.loop(LOOPS), "no counters for a loop the listener has not");
    }

    @Test
    void shouldReuseAFreedQueuesRoomAfterItsReuseTimeAndCountFromZero()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_000_000);
        final ListenerCounters counters = ListenerCounters.inMemory(List.of("a"), LOOPS, 1, clock);
        final int startCount = allocated(counters).size();
        final QueueCounters first = counters.allocateQueue("b");
        first.loop(0).answered(200);
        first.workerStarted();

        counters.free(first);
        counters.free(first);

        assertTrue(first.isFreed());
        assertNull(counters.queue("b"));
        assertEquals(startCount, allocated(counters).size());
        assertTrue(allocated(counters).stream().noneMatch((l) -> l.contains("queue=\"b\"")));
        first.workerStarted();
        first.sample(CounterType.QUEUE_LENGTH, 7);
        assertNull(counters.allocateQueue("b"), "the freed room is not reused before its reuse time");

        clock.advance(ListenerCounters.FREE_TO_REUSE_TIMEOUT_MS);
        final QueueCounters second = counters.allocateQueue("b");

        assertNotNull(second);
        assertTrue(second.queueIndex() > first.queueIndex(), "a new number");
        final CountersSnapshot snapshot = CountersSnapshot.read(counters.reader());
        assertEquals(0, snapshot.sum(CounterType.QUEUE_REQUESTS, "b"));
        assertEquals(0, snapshot.sum(CounterType.WORKER_STARTS, "b"));
        assertEquals(0, snapshot.sum(CounterType.QUEUE_LENGTH, "b"));
    }

    @Test
    void shouldShowTwoSetsOfAQueueNameAsOneQueue()
    {
        final ListenerCounters counters =
            ListenerCounters.inMemory(List.of("a"), LOOPS, 1, new CachedEpochClock());
        final QueueCounters again = counters.allocateQueue("a");
        counters.queue("a").loop(0).answered(200);
        again.loop(1).answered(200);

        final CountersSnapshot snapshot = CountersSnapshot.read(counters.reader());
        final String text = PrometheusText.render(snapshot);

        assertEquals(2, snapshot.value(CounterType.QUEUE_REQUESTS, "a", 1));
        assertTrue(text.contains("sluice_queue_requests_total{queue=\"a\",class=\"2xx\"} 2\n"), text);
        assertEquals(1, text.split("sluice_queue_requests_total\\{queue=\"a\",class=\"2xx\"}", -1).length - 1, text);
    }

    @Test
    void shouldGiveNoneOnceClosed()
    {
        final ListenerCounters counters = ListenerCounters.inMemory(List.of(), LOOPS, 1, new CachedEpochClock());
        counters.close();

        assertNull(counters.allocateQueue("b"));
    }

    private static List<String> allocated(final ListenerCounters counters)
    {
        final List<String> labels = new ArrayList<>();
        counters.reader().forEach((counterId, typeId, keyBuffer, label) -> labels.add(label));
        return labels;
    }

    private static Handler capture(final List<LogRecord> warnings)
    {
        return new Handler()
        {
            public void publish(final LogRecord record)
            {
                if (record.getLevel().intValue() >= Level.WARNING.intValue())
                {
                    warnings.add(record);
                }
            }

            public void flush()
            {
            }

            public void close()
            {
            }
        };
    }
}
