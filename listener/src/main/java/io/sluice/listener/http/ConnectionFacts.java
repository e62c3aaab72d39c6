package io.sluice.listener.http;

import io.sluice.listener.log.ConnectionLogFacts;
import io.sluice.listener.log.RequestLogFacts;
import io.sluice.listener.queue.QueueBinding;

/**
 * What the error log says of a connection closed with no request to name (idle, too slow between requests): its
 * addresses only. Made for the one record; a close is not the hot path.
 */
final class ConnectionFacts implements RequestLogFacts
{
    private final HttpConnectionHandler connection;

    ConnectionFacts(final HttpConnectionHandler connection)
    {
        this.connection = connection;
    }

    /**
     * {@inheritDoc}
     */
    public ConnectionLogFacts connectionFacts()
    {
        return connection.addresses();
    }

    /**
     * {@inheritDoc}
     */
    public int protocol()
    {
        return PROTOCOL_NONE;
    }

    /**
     * {@inheritDoc}
     */
    public String method()
    {
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public String target()
    {
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public String userAgent()
    {
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public String referer()
    {
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public QueueBinding binding()
    {
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public int status()
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    public long sentBytes()
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    public long receivedBytes()
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    public long durationNs(final long nowNs)
    {
        return 0;
    }
}
