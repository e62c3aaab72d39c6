package io.sluice.listener.counters;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * One event loop's counters: its connections (each queue's request counters on the loop are carried by the queue,
 * {@link QueueCounters#loop(int)}). Written only by that loop (plain reads and ordered writes: uncontended), read by
 * anyone. Allocates nothing.
 */
public final class LoopCounters
{
    private final int loopIndex;
    private final AtomicCounter accepted;
    private final AtomicCounter refused;
    private final AtomicCounter[] protocols;

    LoopCounters(
        final int loopIndex,
        final AtomicCounter accepted,
        final AtomicCounter refused,
        final AtomicCounter[] protocols)
    {
        this.loopIndex = loopIndex;
        this.accepted = accepted;
        this.refused = refused;
        this.protocols = protocols;
    }

    /**
     * @return the loop's number.
     */
    public int loopIndex()
    {
        return loopIndex;
    }

    /**
     * The loop was given a connection.
     */
    public void accepted()
    {
        accepted.incrementRelease();
    }

    /**
     * A connection was refused because {@code maxConnections} were open.
     */
    public void refused()
    {
        refused.incrementRelease();
    }

    /**
     * A connection is set up and speaks a protocol; count each connection once.
     *
     * @param protocol what it speaks.
     */
    public void connection(final ConnectionProtocol protocol)
    {
        protocols[protocol.ordinal()].incrementRelease();
    }

    /**
     * A connection counted with {@link #connection(ConnectionProtocol)} turned out to speak another protocol (a
     * cleartext connection that sends the HTTP/2 preface): it counts for the other one instead.
     *
     * @param from what it was counted as.
     * @param to   what it speaks.
     */
    public void switched(final ConnectionProtocol from, final ConnectionProtocol to)
    {
        protocols[from.ordinal()].decrementRelease();
        protocols[to.ordinal()].incrementRelease();
    }

    /**
     * @return connections the loop was given since start.
     */
    public long acceptedCount()
    {
        return accepted.get();
    }
}
