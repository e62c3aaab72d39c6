package io.sluice.listener;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bytes each event loop's thread has allocated since it started (the admin port's
 * {@code sluice_event_loop_allocated_bytes_total{loop="i"}}), from the JVM's per-thread counter
 * ({@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}): sampled before and after a load run, the
 * difference over the requests served is what the listener allocates per request. The loops are numbered in the order
 * their group lists them, as {@code sluice_connections_accepted_total} numbers them. Each loop tells its thread's id
 * once, from a task it runs; safe from any thread.
 */
final class EventLoopAllocations
{
    private static final long UNKNOWN = -1;

    private final AtomicLongArray threadIds;
    private final com.sun.management.ThreadMXBean threads;

    /**
     * @param group the event loops that serve client connections.
     */
    EventLoopAllocations(final EventLoopGroup group)
    {
        int count = 0;
        for (final EventExecutor ignored : group)
        {
            count++;
        }
        threadIds = new AtomicLongArray(count);
        final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        threads = bean instanceof com.sun.management.ThreadMXBean counting &&
            counting.isThreadAllocatedMemorySupported() ? counting : null;
        int index = 0;
        for (final EventExecutor loop : group)
        {
            final int loopIndex = index++;
            threadIds.set(loopIndex, UNKNOWN);
            loop.execute(() -> threadIds.set(loopIndex, Thread.currentThread().getId()));
        }
    }

    /**
     * @return the number of event loops.
     */
    int loopCount()
    {
        return threadIds.length();
    }

    /**
     * @param loopIndex a loop's number, 0 to {@link #loopCount()} - 1.
     * @return the bytes its thread has allocated since it started, or -1 when that is not known (its thread has not
     * run yet or has ended, or the JVM does not count).
     */
    long allocatedBytes(final int loopIndex)
    {
        final long threadId = threadIds.get(loopIndex);
        if (UNKNOWN == threadId || null == threads)
        {
            return UNKNOWN;
        }
        return threads.getThreadAllocatedBytes(threadId);
    }
}
