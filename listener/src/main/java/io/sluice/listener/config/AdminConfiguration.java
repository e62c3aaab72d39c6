package io.sluice.listener.config;

/**
 * The admin endpoint's own limits ({@code /health}, {@code /metrics}): where it listens and how long and how many
 * connections it keeps. Immutable once loaded.
 *
 * @param bindAddress      address the admin port is bound on; the loopback address unless set, whatever the
 *                         listener's {@code bind}.
 * @param maxConnections   most open admin connections; a connection past it is closed at once.
 * @param headerWaitMs     time from accepting an admin connection, or from the previous response, until the whole
 *                         head of the next request is in, once part of it has arrived; past it the connection is
 *                         closed. {@link TimeoutsConfiguration#DISABLED} never.
 * @param idleConnectionMs time an admin connection may stay open with nothing in flight and no byte of a next
 *                         request; past it the connection is closed. {@link TimeoutsConfiguration#DISABLED} never.
 */
public record AdminConfiguration(String bindAddress, int maxConnections, long headerWaitMs, long idleConnectionMs)
{
    /**
     * Default admin bind address: the loopback address, so that a public {@code bind} does not publish the metrics.
     */
    public static final String BIND_ADDRESS_DEFAULT = "127.0.0.1";

    /**
     * Default most open admin connections.
     */
    public static final int MAX_CONNECTIONS_DEFAULT = 16;

    /**
     * Greatest {@link #maxConnections()}.
     */
    public static final int MAX_CONNECTIONS_MAX = 1024;

    /**
     * Default admin header wait: 10 s.
     */
    public static final long HEADER_WAIT_MS_DEFAULT = 10_000;

    /**
     * Default admin idle connection time: 60 s.
     */
    public static final long IDLE_CONNECTION_MS_DEFAULT = 60_000;

    /**
     * @return every admin setting at its default.
     */
    public static AdminConfiguration defaults()
    {
        return new AdminConfiguration(
            BIND_ADDRESS_DEFAULT, MAX_CONNECTIONS_DEFAULT, HEADER_WAIT_MS_DEFAULT, IDLE_CONNECTION_MS_DEFAULT);
    }
}
