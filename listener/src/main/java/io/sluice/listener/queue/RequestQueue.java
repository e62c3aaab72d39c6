package io.sluice.listener.queue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound of one request queue: how many requests may be admitted and not yet answered. A request over the bound
 * is refused at once (503), never parked. Lock-free; safe from any event loop.
 */
public final class RequestQueue
{
    /**
     * The number of a queue not numbered.
     */
    public static final int NO_INDEX = -1;

    private final String name;
    private final int capacity;
    private final int index;
    private final AtomicInteger length = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();

    /**
     * @param name     the queue's name.
     * @param capacity the most requests admitted at once.
     */
    public RequestQueue(final String name, final int capacity)
    {
        this(name, capacity, NO_INDEX);
    }

    /**
     * @param name     the queue's name.
     * @param capacity the most requests admitted at once.
     * @param index    the queue's number in the configuration's order (its counters'), or {@link #NO_INDEX}.
     */
    public RequestQueue(final String name, final int capacity, final int index)
    {
        this.name = name;
        this.capacity = capacity;
        this.index = index;
    }

    /**
     * @return the queue's number in the configuration's order, or {@link #NO_INDEX}.
     */
    public int index()
    {
        return index;
    }

    /**
     * @return the queue's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the bound.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return requests admitted and not yet answered.
     */
    public int length()
    {
        return length.get();
    }

    /**
     * @return requests refused because the queue was full, since start.
     */
    public int rejectedCount()
    {
        return rejected.get();
    }

    /**
     * Admit a request if the queue has room.
     *
     * @return true when admitted; the caller must {@link #release()} exactly once when the request ends.
     */
    public boolean tryAcquire()
    {
        while (true)
        {
            final int current = length.get();
            if (current >= capacity)
            {
                rejected.incrementAndGet();
                return false;
            }
            if (length.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    /**
     * A request admitted by {@link #tryAcquire()} has ended (answered or abandoned).
     */
    public void release()
    {
        length.decrementAndGet();
    }
}
