package io.sluice.listener.http;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.listener.counters.ListenerCounters;
import io.sluice.listener.counters.LoopCounters;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds each event loop's {@link LoopCounters} and counts the client connections each loop has been given since
 * start, to show how evenly the connections spread over the loops (the admin port's
 * {@code sluice_connections_accepted_total{loop="i"}}). The loops are numbered in the order their group lists them.
 * The counters are in memory until {@link #attach(ListenerCounters)} gives the listener's (before any connection is
 * accepted). Safe from any thread; each loop's counters are written by that loop only.
 */
public final class LoopConnectionCounts
{
    private final Map<EventExecutor, Integer> indexByLoop = new IdentityHashMap<>();
    private volatile ListenerCounters counters;

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
        counters = ListenerCounters.inMemory(List.of(), index);
    }

    /**
     * Count in the listener's counters from now on; call before any connection is accepted.
     *
     * @param counters the listener's counters, with as many loops as the group.
     */
    public void attach(final ListenerCounters counters)
    {
        this.counters = counters;
    }

    /**
     * Count a connection given to a loop. Call on that loop.
     *
     * @param loop the connection's event loop; one not of the group is not counted.
     * @return the loop's counters, or null for a loop not of the group.
     */
    public LoopCounters record(final EventLoop loop)
    {
        final LoopCounters loopCounters = loopCounters(loop);
        if (null != loopCounters)
        {
            loopCounters.accepted();
        }
        return loopCounters;
    }

    /**
     * @param loop an event loop.
     * @return its counters, or null for a loop not of the group.
     */
    public LoopCounters loopCounters(final EventLoop loop)
    {
        final Integer index = indexByLoop.get(loop);
        return null == index ? null : counters.loop(index);
    }

    /**
     * @return the number of event loops.
     */
    public int loopCount()
    {
        return indexByLoop.size();
    }

    /**
     * @param loopIndex a loop's number, 0 to {@link #loopCount()} - 1.
     * @return the connections given to that loop since start.
     */
    public long accepted(final int loopIndex)
    {
        return counters.loop(loopIndex).acceptedCount();
    }
}
