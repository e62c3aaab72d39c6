package io.sluice.listener.queue;

import io.sluice.listener.counters.QueueCounters;
import io.sluice.listener.counters.QueueLoopCounters;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound of one request queue: how many requests may be admitted and not yet answered. A request over the bound
 * is refused at once (503), never parked. It carries the queue's counters ({@link #loopCounters(int)}), which a queue
 * the counters file had no room for does not have. Lock-free; safe from any event loop.
 */
public final class RequestQueue
{
    /**
     * The content type of the default offline answer: {@value}.
     */
    public static final String TEXT_PLAIN = "text/plain";

    private final String name;
    private final int capacity;
    private volatile QueueCounters counters;
    private final AtomicInteger length = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();
    private volatile boolean offline;
    private volatile String offlineContentType = TEXT_PLAIN;
    private volatile byte[] offlineBody;

    /**
     * @param name     the queue's name.
     * @param capacity the most requests admitted at once.
     */
    public RequestQueue(final String name, final int capacity)
    {
        this(name, capacity, null);
    }

    /**
     * @param name     the queue's name.
     * @param capacity the most requests admitted at once.
     * @param counters the queue's counters, or null when it is not counted.
     */
    public RequestQueue(final String name, final int capacity, final QueueCounters counters)
    {
        this.name = name;
        this.capacity = capacity;
        this.counters = counters;
        this.offlineBody = defaultOfflineBody(name);
    }

    /**
     * @return the queue's counters, or null when it is not counted.
     */
    public QueueCounters counters()
    {
        return counters;
    }

    /**
     * Give the queue its counters; before any request is admitted to it.
     *
     * @param counters the queue's counters, or null when it is not counted.
     */
    public void counters(final QueueCounters counters)
    {
        this.counters = counters;
    }

    /**
     * @param loopIndex an event loop's number.
     * @return the queue's counters on that loop, or null when it is not counted. Allocates nothing.
     */
    public QueueLoopCounters loopCounters(final int loopIndex)
    {
        final QueueCounters counters = this.counters;
        return null == counters ? null : counters.loop(loopIndex);
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

    /**
     * @param name a queue's name.
     * @return the body a queue answers while offline when it has no page of its own.
     */
    public static byte[] defaultOfflineBody(final String name)
    {
        return ("service unavailable: queue " + name + " is offline\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Set the answer of the queue while it is offline (as IIS's {@code app_offline.htm}).
     *
     * @param contentType its content type.
     * @param body        its body; not changed afterwards.
     */
    public void offlineAnswer(final String contentType, final byte[] body)
    {
        this.offlineContentType = contentType;
        this.offlineBody = body;
    }

    /**
     * @return true while the queue is offline: its requests are answered 503 with {@link #offlineBody()}.
     */
    public boolean isOffline()
    {
        return offline;
    }

    /**
     * Take the queue offline, or bring it back.
     *
     * @param offline true for offline.
     */
    public void offline(final boolean offline)
    {
        this.offline = offline;
    }

    /**
     * @return the content type of the offline answer.
     */
    public String offlineContentType()
    {
        return offlineContentType;
    }

    /**
     * @return the body of the offline answer; the caller does not change it.
     */
    public byte[] offlineBody()
    {
        return offlineBody;
    }
}
