package io.sluice.listener.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.listener.queue.RequestSink;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The request body being received on a connection, streamed to its host's {@link RequestSink} with back-pressure: a
 * piece the sink refuses is kept, the connection stops reading, and everything the decoder hands on meanwhile waits in
 * a backlog; the piece is offered again after a while (or at once when a sink that {@link RequestSink#resumesBody()
 * resumes} asks), and once it is taken the backlog is replayed and reading goes on.
 * <p>
 * It also keeps the body's timed facts: the body limit checked on each piece (413 once a chunked body passes it), the
 * time of the last piece (the {@code entityBody} timer; time the connection itself stops reading does not count), and
 * the drain of a body still arriving after its response completed ({@code drainEntityBody}). The connection's one
 * timer asks {@link #checkDeadlines}. Event-loop confined.
 */
final class RequestBodyPump
{
    /**
     * No body deadline has run out.
     */
    static final int IN_TIME = 0;

    /**
     * The rest of a body answered early did not arrive within {@code drainEntityBody}: close.
     */
    static final int DRAIN_EXPIRED = 1;

    /**
     * The client went silent within a body for longer than {@code entityBody}: 408, close.
     */
    static final int BODY_EXPIRED = 2;

    private static final long RETRY_NS = TimeUnit.MICROSECONDS.toNanos(50);

    /**
     * How often a body chunk refused by a sink that wakes the connection itself ({@link RequestSink#resumesBody()}) is
     * offered again anyway, in case the exchange ends without the wake-up.
     */
    private static final long RESUME_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * What the pump needs of its connection.
     */
    interface Connection
    {
        /**
         * @return true once the connection is closing: nothing more is handed on.
         */
        boolean isClosing();

        /**
         * Refuse the request being received and close after the answer (413 mid-stream).
         *
         * @param exchange the request.
         * @param status   the answer's status.
         * @param reason   the answer's text.
         */
        void refuse(ServerExchange exchange, int status, String reason);

        /**
         * The body is all in: the next request's header wait starts.
         *
         * @param lastPieceNs when its last piece was taken.
         */
        void bodyComplete(long lastPieceNs);

        /**
         * Handle a message that waited in the backlog.
         *
         * @param msg the message; the connection releases it.
         */
        void replay(Object msg);

        /**
         * Nothing is blocked or backlogged any more: reading may go on.
         */
        void bodyUnblocked();
    }

    private final Connection connection;
    private final ConnectionDeadlines deadlines;
    private final long drainEntityBodyNs;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private final Runnable retry = this::retry;
    private final Runnable retryTimerTask = this::onRetryTimer;
    private ChannelHandlerContext ctx;
    private ServerExchange receiving;
    private boolean receivingBody;
    private long receivedLength;
    private long maxBodyLength;
    private long entityBodyNs;
    private long progressNs;
    private boolean draining;
    private long drainStartNs;
    private HttpContent blocked;
    private boolean retryPending;

    /**
     * @param connection        the connection the pump works for.
     * @param deadlines         the connection's timer and clock.
     * @param drainEntityBodyNs the {@code drainEntityBody} timer, or {@link HttpConnectionConfig#DISABLED}.
     */
    RequestBodyPump(final Connection connection, final ConnectionDeadlines deadlines, final long drainEntityBodyNs)
    {
        this.connection = connection;
        this.deadlines = deadlines;
        this.drainEntityBodyNs = drainEntityBodyNs;
    }

    /**
     * @param ctx the connection handler's context: reading is paused and resumed through its channel.
     */
    void context(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * @return the request whose head came last and whose body is still being received, or null.
     */
    ServerExchange receiving()
    {
        return receiving;
    }

    /**
     * @return true while a refused piece is kept.
     */
    boolean isBlocked()
    {
        return null != blocked;
    }

    /**
     * @return true while a refused piece is kept or messages wait behind it: new ones must wait too.
     */
    boolean isHolding()
    {
        return null != blocked || !backlog.isEmpty();
    }

    /**
     * Keep a message until the refused piece is taken.
     *
     * @param msg the message; the pump owns it now.
     */
    void hold(final Object msg)
    {
        backlog.add(msg);
    }

    /**
     * A request head was admitted or answered: its body, if it has one, is received next.
     *
     * @param exchange      the request.
     * @param contentLength its body's length, -1 when chunked.
     * @param maxBodyLength its queue's body limit.
     * @param entityBodyNs  its queue's {@code entityBody} timer, or {@link HttpConnectionConfig#DISABLED}.
     * @param nowNs         the clock now.
     */
    void begin(
        final ServerExchange exchange,
        final long contentLength,
        final long maxBodyLength,
        final long entityBodyNs,
        final long nowNs)
    {
        receiving = exchange;
        receivingBody = contentLength != 0;
        draining = false;
        receivedLength = 0;
        this.maxBodyLength = maxBodyLength;
        this.entityBodyNs = entityBodyNs;
        progressNs = nowNs;
        if (!receivingBody)
        {
            exchange.requestBodyComplete();
        }
        else
        {
            deadlines.arm(nowNs, nowNs, entityBodyNs);
        }
    }

    /**
     * A tunnel's input starts (after a {@code 101}, once the upgrade request itself is all in): every byte the client
     * sends from here is its body, with no body limit and no entity body timer (the tunnel idle timer is the
     * connection's), streamed with the same back-pressure.
     *
     * @param exchange the upgraded request.
     * @param nowNs    the clock now.
     */
    void beginTunnel(final ServerExchange exchange, final long nowNs)
    {
        receiving = exchange;
        receivingBody = true;
        draining = false;
        receivedLength = 0;
        maxBodyLength = Long.MAX_VALUE;
        entityBodyNs = HttpConnectionConfig.DISABLED;
        progressNs = nowNs;
    }

    /**
     * The request being received is refused or the connection closes: receive nothing more for it.
     */
    void end()
    {
        receiving = null;
        receivingBody = false;
        draining = false;
    }

    /**
     * A piece of the body from the decoder (its decoder result is a success).
     *
     * @param content the piece.
     * @return true when the caller releases it; false when the sink refused it and the pump keeps it.
     */
    boolean content(final HttpContent content)
    {
        final ServerExchange exchange = receiving;
        if (null == exchange)
        {
            return true;
        }
        final boolean last = content instanceof LastHttpContent;
        if (receivingBody)
        {
            progressNs = deadlines.nowNs();
            receivedLength += content.content().readableBytes();
            exchange.requestBytes(content.content().readableBytes());
            if (receivedLength > maxBodyLength && !exchange.isDone())
            {
                connection.refuse(exchange, 413, RequestAdmission.tooLarge("chunked body", maxBodyLength));
                return true;
            }
        }
        final RequestSink sink = exchange.sink();
        if (receivingBody && null != sink && !exchange.isDone())
        {
            if (!sink.body(content.content(), last))
            {
                blocked = content;
                ctx.channel().config().setAutoRead(false);
                scheduleRetry(sink);
                return false;
            }
        }
        if (last)
        {
            bodyComplete(exchange);
        }
        return true;
    }

    /**
     * A response completed. When it answers the request being received before its body is all in, the rest is read
     * and discarded, for at most {@code drainEntityBody}.
     *
     * @param exchange the request answered.
     * @param nowNs    the clock now.
     */
    void answered(final ServerExchange exchange, final long nowNs)
    {
        if (exchange == receiving && receivingBody && !draining && !connection.isClosing())
        {
            draining = true;
            drainStartNs = nowNs;
            deadlines.arm(nowNs, nowNs, drainEntityBodyNs);
        }
    }

    /**
     * Reading the socket starts again after the connection paused it (back-pressure, pipelining): the entity body
     * timer restarts, as the pause was not the client's.
     *
     * @param nowNs the clock now.
     */
    void resumedReading(final long nowNs)
    {
        if (null != receiving && receivingBody)
        {
            progressNs = nowNs;
            deadlines.arm(nowNs, nowNs, entityBodyNs);
        }
    }

    /**
     * The connection's timer fired while a request is being received.
     *
     * @param nowNs the clock now.
     * @return {@link #IN_TIME}, {@link #DRAIN_EXPIRED} or {@link #BODY_EXPIRED}.
     */
    int checkDeadlines(final long nowNs)
    {
        final ServerExchange exchange = receiving;
        if (null == exchange || !receivingBody)
        {
            return IN_TIME;
        }
        if (draining || exchange.isDone())
        {
            return draining && deadlines.isExpired(nowNs, drainStartNs, drainEntityBodyNs) ? DRAIN_EXPIRED : IN_TIME;
        }
        if (null == blocked && ctx.channel().config().isAutoRead() &&
            deadlines.isExpired(nowNs, progressNs, entityBodyNs))
        {
            return BODY_EXPIRED;
        }
        return IN_TIME;
    }

    /**
     * The sink of the request being received can take its refused piece again.
     *
     * @param exchange the request whose sink asks.
     */
    void resume(final ServerExchange exchange)
    {
        if (exchange == receiving && null != blocked)
        {
            ctx.executor().execute(retry);
        }
    }

    /**
     * The connection closes: the request being received is forgotten, and every piece held is released.
     */
    void releaseAll()
    {
        receiving = null;
        if (null != blocked)
        {
            blocked.release();
            blocked = null;
        }
        Object msg;
        while (null != (msg = backlog.poll()))
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void bodyComplete(final ServerExchange exchange)
    {
        exchange.requestBodyComplete();
        receiving = null;
        receivingBody = false;
        draining = false;
        connection.bodyComplete(progressNs);
    }

    private void retry()
    {
        final HttpContent content = blocked;
        if (null == content)
        {
            return;
        }
        final ServerExchange exchange = receiving;
        final RequestSink sink = null == exchange ? null : exchange.sink();
        final boolean last = content instanceof LastHttpContent;
        if (!connection.isClosing() && null != sink && !exchange.isDone() && !sink.body(content.content(), last))
        {
            scheduleRetry(sink);
            return;
        }

        blocked = null;
        content.release();
        if (last && null != exchange)
        {
            // the piece went in only now: the next request's header wait starts from here
            progressNs = deadlines.nowNs();
            bodyComplete(exchange);
        }

        Object msg;
        while (null == blocked && null != (msg = backlog.poll()))
        {
            connection.replay(msg);
        }
        if (null == blocked)
        {
            connection.bodyUnblocked();
        }
    }

    /**
     * Offer the blocked piece again after a while, unless a look is already scheduled (a wake-up from the sink may
     * have run the retry in between).
     */
    private void scheduleRetry(final RequestSink sink)
    {
        if (!retryPending)
        {
            retryPending = true;
            final long delayNs = sink.resumesBody() ? RESUME_CHECK_NS : RETRY_NS;
            ctx.executor().schedule(retryTimerTask, delayNs, TimeUnit.NANOSECONDS);
        }
    }

    private void onRetryTimer()
    {
        retryPending = false;
        retry();
    }
}
