package io.sluice.listener.hosting;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * The response bytes a handler thread has handed over that the client connection has not taken yet, and the wait of
 * a thread that sends past a bound: {@link #acquire} parks the sending thread while more than the bound is held, and
 * {@link #release} (the event loop, as it hands bytes to the connection) or {@link #close} (the exchange ended) unparks
 * it. Nothing polls: the thread sleeps until one of them signals.
 * <p>
 * One thread sends at a time; any thread may release or close.
 */
final class SendBound
{
    private static final AtomicLongFieldUpdater<SendBound> HELD_LENGTH =
        AtomicLongFieldUpdater.newUpdater(SendBound.class, "heldLength");

    private final long waitLength;
    private volatile long heldLength;
    private volatile Thread waiter;
    private volatile boolean closed;

    /**
     * @param waitLength bytes held past which a sending thread waits.
     */
    SendBound(final long waitLength)
    {
        this.waitLength = waitLength;
    }

    /**
     * Count bytes a thread hands over, first waiting while more than the bound is held, unless the bound is closed.
     * An interrupt does not end the wait (the bound holds for every thread); the thread's interrupt status is kept.
     *
     * @param length bytes handed over.
     * @return the bytes held, these included.
     */
    long acquire(final int length)
    {
        if (heldLength > waitLength && !closed)
        {
            awaitRoom();
        }
        return HELD_LENGTH.addAndGet(this, length);
    }

    /**
     * Count bytes handed over by a thread that must not wait (the event loop).
     *
     * @param length bytes handed over.
     * @return the bytes held, these included.
     */
    long add(final int length)
    {
        return HELD_LENGTH.addAndGet(this, length);
    }

    /**
     * Bytes the connection took, or that were dropped: wake a waiting thread if they bring the held bytes within the
     * bound.
     *
     * @param length bytes no longer held.
     * @return the bytes still held.
     */
    long release(final int length)
    {
        final long remaining = HELD_LENGTH.addAndGet(this, -length);
        if (remaining <= waitLength)
        {
            wake();
        }
        return remaining;
    }

    /**
     * The exchange ended: a waiting thread goes on, and none waits from now on.
     */
    void close()
    {
        closed = true;
        wake();
    }

    /**
     * @return true once {@link #close()} was called.
     */
    boolean isClosed()
    {
        return closed;
    }

    /**
     * @return the bytes held now.
     */
    long heldLength()
    {
        return heldLength;
    }

    private void awaitRoom()
    {
        final Thread current = Thread.currentThread();
        boolean interrupted = false;
        // publish the waiter before looking again: a release or close after the look sees it and unparks
        waiter = current;
        try
        {
            while (heldLength > waitLength && !closed)
            {
                LockSupport.park(this);
                if (Thread.interrupted())
                {
                    interrupted = true;
                }
            }
        }
        finally
        {
            waiter = null;
            if (interrupted)
            {
                current.interrupt();
            }
        }
    }

    private void wake()
    {
        final Thread thread = waiter;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }
}
