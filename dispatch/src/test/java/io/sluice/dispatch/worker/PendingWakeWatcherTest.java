package io.sluice.dispatch.worker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wake watcher announces a hand-off only when it sees it unchanged on two looks, exactly once, and never one the
 * duty thread took back in time. Looks are made by hand, except in the test of the parked watcher thread.
 */
@Timeout(10)
class PendingWakeWatcherTest
{
    private final AtomicInteger announcements = new AtomicInteger();
    private final PendingWakeWatcher watcher = new PendingWakeWatcher(announcements::incrementAndGet);

    @Test
    void shouldAnnounceHandOffSeenTwiceOnce()
    {
        watcher.handOff();
        assertFalse(watcher.poll());
        assertTrue(watcher.poll());
        assertFalse(watcher.poll());
        assertEquals(1, announcements.get());
        assertFalse(watcher.takeBack(), "the watcher announced it: nothing is owed any more");
    }

    @Test
    void shouldNotAnnounceHandOffTakenBackBeforeSecondLook()
    {
        watcher.handOff();
        assertFalse(watcher.poll());
        assertTrue(watcher.takeBack(), "still owed: the duty thread announces it at the end of its batch");
        assertFalse(watcher.poll());
        assertFalse(watcher.poll());
        assertEquals(0, announcements.get());
    }

    @Test
    void shouldWaitTwoLooksAfterLatestHandOff()
    {
        watcher.handOff();
        assertFalse(watcher.poll());
        // a record published from inside the handler: a fresh hand-off, owed for less than one interval
        watcher.handOff();
        assertFalse(watcher.poll());
        assertTrue(watcher.poll());
        assertEquals(1, announcements.get());
    }

    @Test
    void shouldNotAnnounceWithoutHandOff()
    {
        for (int i = 0; i < 5; i++)
        {
            assertFalse(watcher.poll());
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
        while (!threaded.isParked())
        {
            Thread.sleep(1);
        }
        threaded.handOff();
        assertTrue(announced.await(5, TimeUnit.SECONDS), "a hand-off unparks the idle watcher, which announces it");
        assertFalse(threaded.takeBack());
    }
}
