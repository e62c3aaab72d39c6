package io.sluice.dispatch.worker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sluice.dispatch.worker.PendingWakeWatcher.ANNOUNCE_AFTER_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wake watcher announces a hand-off once it is owed for {@link PendingWakeWatcher#ANNOUNCE_AFTER_NS}, exactly
 * once, and never one the duty thread took back in time. Looks are made by hand with the clock the test sets, except
 * in the test of the parked watcher thread.
 */
@Timeout(10)
class PendingWakeWatcherTest
{
    private static final long BATCH_NS = 5_000_000_000L;

    private final AtomicInteger announcements = new AtomicInteger();
    private final PendingWakeWatcher watcher = new PendingWakeWatcher(announcements::incrementAndGet);

    @Test
    void shouldAnnounceHandOffOnceItIsOwedLongEnough()
    {
        watcher.handOff(BATCH_NS);
        assertFalse(watcher.poll(BATCH_NS), "just handed off");
        assertFalse(watcher.poll(BATCH_NS + ANNOUNCE_AFTER_NS - 1), "not owed long enough");
        assertTrue(watcher.poll(BATCH_NS + ANNOUNCE_AFTER_NS));
        assertFalse(watcher.poll(BATCH_NS + 10 * ANNOUNCE_AFTER_NS), "announced once");
        assertEquals(1, announcements.get());
        assertFalse(watcher.takeBack(), "the watcher announced it: nothing is owed any more");
    }

    @Test
    void shouldNotAnnounceHandOffTakenBackInTime()
    {
        watcher.handOff(BATCH_NS);
        assertFalse(watcher.poll(BATCH_NS + ANNOUNCE_AFTER_NS / 2));
        assertTrue(watcher.takeBack(), "still owed: the duty thread announces it at the end of its batch");
        assertFalse(watcher.poll(BATCH_NS + 10 * ANNOUNCE_AFTER_NS));
        assertEquals(0, announcements.get());
    }

    @Test
    void shouldAgeHandOffFromItsBatch()
    {
        watcher.handOff(BATCH_NS);
        // a record published from inside the handler later in the same batch: owed since the batch began
        watcher.handOff(BATCH_NS);
        assertTrue(watcher.poll(BATCH_NS + ANNOUNCE_AFTER_NS));
        assertEquals(1, announcements.get());

        watcher.handOff(BATCH_NS + 2 * ANNOUNCE_AFTER_NS);
        assertFalse(watcher.poll(BATCH_NS + 2 * ANNOUNCE_AFTER_NS), "a later batch's hand-off is young");
    }

    @Test
    void shouldNotAnnounceWithoutHandOff()
    {
        for (int i = 0; i < 5; i++)
        {
            assertFalse(watcher.poll(BATCH_NS + i * ANNOUNCE_AFTER_NS));
        }
        assertFalse(watcher.takeBack());
        assertEquals(0, announcements.get());
    }

    @Test
    void shouldUnparkIdleWatcherThreadOnHandOff() throws InterruptedException
    {
        final CountDownLatch announced = new CountDownLatch(1);
        final PendingWakeWatcher threaded = new PendingWakeWatcher(announced::countDown);
        threaded.start("wake-watcher-test");
        try
        {
            while (!threaded.isParked())
            {
                Thread.sleep(1);
            }
            threaded.handOff(System.nanoTime());
            assertTrue(announced.await(5, TimeUnit.SECONDS), "a hand-off unparks the idle watcher, which announces it");
            assertFalse(threaded.takeBack());
        }
        finally
        {
            threaded.stop();
        }
    }
}
