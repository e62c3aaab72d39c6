package io.sluice.listener.http;

import io.sluice.listener.queue.ErrorReason;

import java.util.ArrayDeque;

/**
 * The {@code queueWait} timer of a connection's requests: a request its host reports queued
 * ({@link ServerExchange#markQueued()}) that has no response head when its queue's time limit has passed since
 * admission is answered 503 by the listener, and its host's sink aborted. Stateless.
 */
final class QueueWaits
{
    private QueueWaits()
    {
    }

    /**
     * Answer 503 every request in flight whose time in queue has run out, and consider the deadlines still ahead.
     *
     * @param inFlight   the connection's requests in pipelining order.
     * @param nowNs      the connection's clock now.
     * @param deadlines  the connection's timer.
     * @param connection stop once it is closing (an answer may end it).
     */
    static void expire(
        final ArrayDeque<ServerExchange> inFlight,
        final long nowNs,
        final ConnectionDeadlines deadlines,
        final HttpConnectionHandler connection)
    {
        ServerExchange expired;
        do
        {
            expired = null;
            for (final ServerExchange exchange : inFlight)
            {
                if (exchange.isWaitingForStart())
                {
                    final long deadlineNs = exchange.queueWaitDeadlineNs();
                    if (nowNs - deadlineNs >= 0)
                    {
                        expired = exchange;
                        break;
                    }
                    deadlines.consider(deadlineNs);
                }
            }
            if (null != expired)
            {
                expired.sendError(
                    503, "service unavailable: request waited too long in the queue", ErrorReason.TIMER_QUEUE_WAIT);
            }
        }
        while (null != expired && !connection.isClosing());
    }
}
