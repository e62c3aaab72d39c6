package io.sluice.listener;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin port's own counters, shared by its connections and read by {@code /metrics} and tests from any thread.
 */
final class AdminCounters
{
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final AtomicLong pendingOutboundHighWaterLength = new AtomicLong();
    private final AtomicLong answeredRequests = new AtomicLong();
    private final AtomicLong slowClosedConnections = new AtomicLong();

    /**
     * Count a connection as open unless {@code maxConnections} are open already; one refused is counted so.
     *
     * @param maxConnections the most admin connections open at once.
     * @return true when the connection is admitted (and must be {@link #closed()} once it closes).
     */
    boolean tryOpen(final int maxConnections)
    {
        if (openConnections.incrementAndGet() > maxConnections)
        {
            openConnections.decrementAndGet();
            refusedConnections.incrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * An admitted connection closed.
     */
    void closed()
    {
        openConnections.decrementAndGet();
    }

    /**
     * A connection was reset because its client took its answers too slowly.
     */
    void slowClosed()
    {
        slowClosedConnections.incrementAndGet();
    }

    /**
     * A request was answered.
     *
     * @param pendingOutboundLength the bytes its connection holds pending once the answer is written.
     */
    void answered(final long pendingOutboundLength)
    {
        pendingOutboundHighWaterLength.accumulateAndGet(pendingOutboundLength, Math::max);
        answeredRequests.incrementAndGet();
    }

    /**
     * @return open admin connections.
     */
    int openConnections()
    {
        return openConnections.get();
    }

    /**
     * @return admin connections closed at once because {@code adminMaxConnections} were open.
     */
    long refusedConnections()
    {
        return refusedConnections.get();
    }

    /**
     * @return the most output bytes any admin connection has held pending since the start.
     */
    long pendingOutboundHighWaterLength()
    {
        return pendingOutboundHighWaterLength.get();
    }

    /**
     * @return admin connections reset because their client held answers back.
     */
    long slowClosedConnections()
    {
        return slowClosedConnections.get();
    }

    /**
     * @return admin requests answered since the start.
     */
    long answeredRequests()
    {
        return answeredRequests.get();
    }
}
