package io.sluice.listener.http;

import java.util.ArrayDeque;

/**
 * A connection's requests in flight, in pipelining order: the first is the one whose response is being written (it is
 * {@link ServerExchange#activate() activated}); the ones behind it hold their responses until those before them are
 * done. At most {@code maxPipelinedRequests} are in flight: once full, the connection stops reading until a response
 * completes. One per connection, allocation free per request. Event-loop confined.
 */
final class InFlightExchanges
{
    private final ArrayDeque<ServerExchange> exchanges = new ArrayDeque<>();
    private final int maxPipelinedRequests;

    /**
     * @param maxPipelinedRequests how many requests may be in flight at once.
     */
    InFlightExchanges(final int maxPipelinedRequests)
    {
        this.maxPipelinedRequests = maxPipelinedRequests;
    }

    /**
     * Add a request behind the ones in flight; the first one becomes the one written at once.
     *
     * @param exchange the request just admitted or answered by the listener.
     */
    void add(final ServerExchange exchange)
    {
        exchanges.addLast(exchange);
        if (exchanges.size() == 1)
        {
            exchange.activate();
        }
    }

    /**
     * @return true when {@code maxPipelinedRequests} are in flight: read no more requests for now.
     */
    boolean isFull()
    {
        return exchanges.size() >= maxPipelinedRequests;
    }

    /**
     * @return true when no request waits for its response.
     */
    boolean isEmpty()
    {
        return exchanges.isEmpty();
    }

    /**
     * @return the request whose response is being written, or null when none is in flight.
     */
    ServerExchange writing()
    {
        return exchanges.peekFirst();
    }

    /**
     * The connection became writable: only the response being written may go on; the ones behind it are told when
     * their turn comes.
     */
    void writabilityChanged()
    {
        final ServerExchange first = exchanges.peekFirst();
        if (null != first)
        {
            first.writabilityChanged();
        }
    }

    /**
     * Take the done responses off the front in order, making each next one the one written, until one is not done
     * or one ends the connection.
     *
     * @param closingAfterFlush true when the connection already closes after what is written: a response without
     *                          keep-alive ends nothing more.
     * @return the done response without keep-alive after which the connection closes (taken off, with nothing
     * activated behind it); or null.
     */
    ServerExchange retireDone(final boolean closingAfterFlush)
    {
        ServerExchange head = exchanges.peekFirst();
        while (null != head && head.isDone())
        {
            exchanges.pollFirst();
            if (!head.keepAlive() && !closingAfterFlush)
            {
                return head;
            }
            head = exchanges.peekFirst();
            if (null != head)
            {
                head.activate();
            }
        }
        return null;
    }

    /**
     * Answer 503 every request whose time in queue has run out: see {@link QueueWaits}.
     *
     * @param nowNs      the connection's clock now.
     * @param deadlines  the connection's timer, given the deadlines still ahead.
     * @param connection stop once it is closing.
     */
    void expireQueueWaits(final long nowNs, final ConnectionDeadlines deadlines, final HttpConnectionHandler connection)
    {
        QueueWaits.expire(exchanges, nowNs, deadlines, connection);
    }

    /**
     * The connection ends: every request in flight is aborted and let go.
     */
    void abortAll()
    {
        ServerExchange exchange;
        while (null != (exchange = exchanges.pollFirst()))
        {
            exchange.abort();
        }
    }
}
