package io.sluice.listener.http;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts the client connections each event loop has been given since start, to show how evenly the connections
 * spread over the loops (the admin port's {@code sluice_connections_accepted_total{loop="i"}}). The loops are numbered
 * in the order their group lists them. Fixed once made; safe from any thread.
 */
public final class LoopConnectionCounts
{
    private final Map<EventExecutor, Integer> indexByLoop = new IdentityHashMap<>();
    private final AtomicLongArray accepted;

    /**
     * @param group the event loops that serve client connections.
     */
    public LoopConnectionCounts(final EventLoopGroup group)
    {
        int index = 0;
        for (final EventExecutor loop : group)
        {
            indexByLoop.put(loop, index++);
        }
        accepted = new AtomicLongArray(index);
    }

    /**
     * Count a connection given to a loop.
     *
     * @param loop the connection's event loop; one not of the group is not counted.
     */
    public void record(final EventLoop loop)
    {
        final Integer index = indexByLoop.get(loop);
        if (null != index)
        {
            accepted.incrementAndGet(index);
        }
    }

    /**
     * @return the number of event loops.
     */
    public int loopCount()
    {
        return accepted.length();
    }

    /**
     * @param loopIndex a loop's number, 0 to {@link #loopCount()} - 1.
     * @return the connections given to that loop since start.
     */
    public long accepted(final int loopIndex)
    {
        return accepted.get(loopIndex);
    }
}
