package io.sluice.listener.hosting.inprocess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wait of a handler thread that sends past its bound: it parks (no polling) until the event loop releases enough
 * bytes or the exchange ends, never waits once the exchange ended, and an interrupt does not let it through.
 */
@Timeout(20)
class SendBoundTest
{
    private static final long WAIT_LENGTH = 1000;

    @Test
    void shouldNotWaitWithinTheBound()
    {
        final SendBound bound = new SendBound(WAIT_LENGTH);
        assertEquals(600, bound.acquire(600));
        assertEquals(1200, bound.acquire(600), "the bound was not yet passed when this chunk came: no wait");
        assertEquals(700, bound.release(500));
        assertEquals(1300, bound.add(600), "the event loop counts without waiting, past the bound too");
        assertEquals(1300, bound.heldLength());
    }

    @Test
    void shouldWaitPastTheBoundUntilReleasedWithinIt() throws Exception
    {
        final SendBound bound = new SendBound(WAIT_LENGTH);
        bound.acquire(1500);
        final AtomicLong heldAfter = new AtomicLong(-1);
        final Thread sender = new Thread(() -> heldAfter.set(bound.acquire(100)));
        sender.start();
        awaitParkedOn(sender, bound);

        bound.release(400);
        assertEquals(Thread.State.WAITING, sender.getState(), "1100 still held: no signal, the thread still waits");
        assertEquals(-1, heldAfter.get());

        bound.release(100);
        sender.join();
        assertEquals(1100, heldAfter.get(), "woken within the bound, then counted");
    }

    @Test
    void shouldLetAWaitingThreadGoAndNeverWaitOnceClosed() throws Exception
    {
        final SendBound bound = new SendBound(WAIT_LENGTH);
        bound.acquire(5000);
        final Thread sender = new Thread(() -> bound.acquire(100));
        sender.start();
        awaitParkedOn(sender, bound);

        bound.close();
        sender.join();
        assertTrue(bound.isClosed());
        assertEquals(5200, bound.acquire(100), "closed: counted, never waits");
    }

    @Test
    void shouldKeepWaitingThroughAnInterruptAndKeepTheInterrupt() throws Exception
    {
        final SendBound bound = new SendBound(WAIT_LENGTH);
        bound.acquire(2000);
        final AtomicLong interruptedAfter = new AtomicLong(-1);
        final Thread sender = new Thread(() ->
        {
            bound.acquire(100);
            interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
        });
        sender.start();
        awaitParkedOn(sender, bound);

        sender.interrupt();
        awaitParkedOn(sender, bound);
        assertEquals(-1, interruptedAfter.get(), "an interrupt does not get a thread past the bound");

        bound.release(1500);
        sender.join();
        assertEquals(1, interruptedAfter.get(), "the interrupt status is kept for the handler");
    }

    @Test
    void shouldNotLoseASignalRacingTheWait() throws Exception
    {
        final SendBound bound = new SendBound(WAIT_LENGTH);
        for (int i = 0; i < 2000; i++)
        {
            bound.add(1500);
            final Thread sender = new Thread(() -> bound.acquire(1));
            sender.start();
            bound.release(1500);
            sender.join();
            assertFalse(sender.isAlive());
            bound.release(1);
        }
        assertEquals(0, bound.heldLength());
    }

    private static void awaitParkedOn(final Thread thread, final SendBound bound)
    {
        // the class timeout bounds this; a thread parked on the bound stays so until signalled
        while (thread.getState() != Thread.State.WAITING || LockSupport.getBlocker(thread) != bound)
        {
            assertTrue(thread.isAlive(), "the thread went on instead of waiting");
            Thread.yield();
        }
    }
}
