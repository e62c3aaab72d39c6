package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.listener.counters.LoopCounters;
import io.sluice.listener.counters.QueueLoopCounters;
import io.sluice.listener.log.RequestLog;
import io.sluice.listener.log.RequestLogFacts;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.FlushListener;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.Router;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The per-connection HTTP/1.1 stage behind {@link StrictRequestDecoder}: the coordinator of a connection's requests in
 * pipelining order ({@link InFlightExchanges}). Its {@link RequestIntake} has each request head judged by
 * {@link RequestAdmission} (host, target, path segments, body limit, {@code Expect}, route, a place in the queue),
 * hands an admitted request to its queue's host, and has its body streamed with back-pressure by
 * {@link RequestBodyPump}; responses are written in request order with one flush per event-loop turn
 * ({@link FlushBatcher}); {@link FlushNotices} tells a host when the socket has taken its bytes.
 * <p>
 * <b>Answered here</b>: {@code OPTIONS *} (200, {@code allow}, no body), {@code TRACE} (405 with the same
 * {@code allow}), and every refusal of {@link RequestAdmission}. An HTTP/1.0 request kept alive is answered with
 * {@code connection: keep-alive}.
 * <p>
 * <b>Timers</b> (HTTP.sys semantics), all from the connection's one {@link ConnectionDeadlines} task, which carries the
 * earliest deadline in force and is cancelled when the connection closes, so it never keeps one alive: header wait
 * (408) and idle connection (close) between requests ({@link NextRequestWait}); entity body (408) and drain entity
 * body (close) while a body is received ({@link RequestBodyPump}); queue wait (503) of a request its host reports
 * queued ({@link QueueWaits}).
 * The minimum send rate is {@link MinSendRateHandler}'s, a stage of its own before this one: when it finds the client
 * too slow, it fires {@link MinSendRateHandler#TOO_SLOW} and this stage aborts its requests and closes.
 * <p>
 * <b>Lingering close</b>: when the connection closes after a response while the client may still be sending (a
 * request answered before its body was all in: 413, 408, 404, 417, 503, ...; a request refused while more of it may
 * follow), this stage is replaced by a {@link LingeringCloseHandler} once the response is flushed, and the decoder is
 * taken out.
 * <p>
 * <b>Graceful stop</b>: once the {@link ConnectionLimiter} is draining, every response gets {@code connection: close}
 * and its connection closes after it, and {@link #drain()} closes a connection with nothing in flight at once.
 * <p>
 * Pipeline position: after {@link StrictRequestDecoder}; it writes response bytes itself (no response encoder).
 * Event-loop confined.
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter
{
    /**
     * The {@code allow} value of the listener's own answer to {@code OPTIONS *}: the methods it hands to hosts.
     */
    public static final String SERVER_OPTIONS_ALLOW = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS";

    /**
     * Body of the listener's {@code 405} answer to {@code TRACE}.
     */
    public static final String TRACE_REFUSED_BODY = "method not allowed: TRACE\n";

    private final StrictRequestDecoder decoder;
    private final NanoClock clock;
    private final ConnectionLimiter connections;
    private final InFlightExchanges inFlight;
    private final ConnectionDeadlines deadlines;
    private final NextRequestWait nextRequest;
    private final RequestIntake intake;
    private final RequestBodyPump pump;
    private final ConnectionOutput output;
    private ChannelHandlerContext ctx;
    private MinSendRateHandler sendRate;
    private final RequestLog requestLog;
    private final int accessLogFileId;
    private final ConnectionAddresses addresses = new ConnectionAddresses();
    private TlsInfo tls;
    private LoopCounters loopCounters;
    private boolean closing;
    private ServerExchange tunnel;
    private long tunnelIdleNs = HttpConnectionConfig.DISABLED;
    private long tunnelActivityNs;
    private final Runnable decodeHeld = this::decodeHeld;

    /**
     * @param router  URL-prefix table built at start-up.
     * @param config  pipelining, path segment limits and timers.
     * @param decoder this connection's decoder, asked whether a request head is under way.
     */
    public HttpConnectionHandler(
        final Router<QueueBinding> router, final HttpConnectionConfig config, final StrictRequestDecoder decoder)
    {
        this(router, config, decoder, null, SystemNanoClock.INSTANCE);
    }

    /**
     * @param router      URL-prefix table built at start-up.
     * @param config      pipelining, path segment limits and timers.
     * @param decoder     this connection's decoder, asked whether a request head is under way.
     * @param connections the listener's connections, asked whether a graceful stop is draining them; may be null.
     * @param clock       the connection's clock, for every timer.
     */
    public HttpConnectionHandler(
        final Router<QueueBinding> router,
        final HttpConnectionConfig config,
        final StrictRequestDecoder decoder,
        final ConnectionLimiter connections,
        final NanoClock clock)
    {
        this.decoder = decoder;
        decoder.holdUpgrades();
        this.connections = connections;
        this.clock = clock;
        this.requestLog = config.requestLog();
        this.accessLogFileId = config.accessLogFileId();
        this.inFlight = new InFlightExchanges(config.maxPipelinedRequests());
        this.deadlines = new ConnectionDeadlines(clock, this::onDeadlines);
        this.nextRequest = new NextRequestWait(deadlines, decoder, config.headerWaitNs(), config.idleConnectionNs());
        this.intake = new RequestIntake(this, router, config, inFlight, deadlines, nextRequest, clock);
        this.pump = intake.pump();
        this.output = new ConnectionOutput(
            this, decoder, clock, LingeringCloseHandler.lingerNs(config.drainEntityBodyNs()), this::cancelTimers);
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.sendRate = ctx.pipeline().get(MinSendRateHandler.class);
        deadlines.context(ctx);
        intake.context(ctx);
        output.context(ctx);
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        addresses.read(ctx.channel());
        intake.localPort(addresses.serverPort());
        final long nowNs = clock.nanoTime();
        nextRequest.start(nowNs);
        armHeadWait(nowNs);
        ctx.fireChannelActive();
        if (isDraining())
        {
            drain();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        intake.read(msg);
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        stop();
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        deadlines.cancel();
    }

    /**
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable())
        {
            inFlight.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * {@inheritDoc}
     */
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (MinSendRateHandler.TOO_SLOW == evt)
        {
            final ServerExchange writing = inFlight.writing();
            logError(null == writing ? new ConnectionFacts(this) : writing, 0, ErrorReason.TIMER_MIN_BYTES_PER_SECOND);
            closeNow();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        closeNow();
    }

    EventLoop eventLoop()
    {
        return ctx.channel().eventLoop();
    }

    ByteBufAllocator alloc()
    {
        return ctx.alloc();
    }

    /**
     * @return the connection's addresses and ports.
     */
    ConnectionAddresses addresses()
    {
        return addresses;
    }

    /**
     * @return true when the access log writes this request: it is routed to a logged queue, or not routed and the
     * listener's access log is on.
     */
    boolean isAccessLogged(final QueueBinding binding)
    {
        return null != requestLog &&
            (null == binding ? accessLogFileId : binding.accessLogFileId()) != RequestLog.FILE_NONE;
    }

    /**
     * Write a completed response to its access log, if it has one.
     *
     * @param exchange the request.
     */
    void logAccess(final ServerExchange exchange)
    {
        if (null != requestLog)
        {
            final QueueBinding binding = exchange.binding();
            requestLog.access(
                null == binding ? accessLogFileId : binding.accessLogFileId(), exchange, clock.nanoTime());
        }
    }

    /**
     * Write a refusal or failure to the error log, if there is one.
     *
     * @param facts  the request or connection.
     * @param status the status answered, or 0 for a close without one.
     * @param reason why.
     */
    void logError(final RequestLogFacts facts, final int status, final ErrorReason reason)
    {
        if (null != requestLog)
        {
            requestLog.error(facts, status, reason, clock.nanoTime());
        }
    }

    boolean isWritable()
    {
        return ctx.channel().isWritable();
    }

    TlsInfo tls()
    {
        return tls;
    }

    /**
     * @param tls the TLS facts of this connection, set once its handshake is complete, before its first request.
     */
    void tls(final TlsInfo tls)
    {
        this.tls = tls;
    }

    boolean isClosing()
    {
        return closing;
    }

    /**
     * @return true once the listener is stopping gracefully: every response closes its connection.
     */
    boolean isDraining()
    {
        return null != connections && connections.isDraining();
    }

    /**
     * The listener began a graceful stop: a connection with nothing in flight is closed now (after any response
     * bytes still queued); one with requests in flight closes after the response that is written next.
     */
    void drain()
    {
        if (closing || !ctx.channel().isActive())
        {
            return;
        }
        if (inFlight.isEmpty() && null == pump.receiving() && decoder.isAwaitingRequest())
        {
            stop();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Write body bytes from off-heap memory straight to the socket, as far as it takes them now: see
     * {@link ConnectionOutput#writeDirect}.
     *
     * @return how many the socket took.
     */
    int writeDirect(final DirectBuffer src, final int offset, final int length)
    {
        return output.writeDirect(src, offset, length);
    }

    void write(final ByteBuf buf)
    {
        output.write(buf);
    }

    void notifyWhenFlushed(final FlushListener listener, final long token)
    {
        output.notifyWhenFlushed(listener, token);
    }

    /**
     * Count this connection's requests in its event loop's counters.
     *
     * @param loopCounters the counters of the loop the connection is on.
     */
    public void loopCounters(final LoopCounters loopCounters)
    {
        this.loopCounters = loopCounters;
    }

    /**
     * @param binding a request's route, or null.
     * @return its queue's counters on this connection's loop, or null when not counted.
     */
    QueueLoopCounters queueCounters(final QueueBinding binding)
    {
        return null == loopCounters || null == binding ? null : binding.queue().loopCounters(loopCounters.loopIndex());
    }

    /**
     * @return the connection's clock now.
     */
    long nowNs()
    {
        return clock.nanoTime();
    }

    void flushNow()
    {
        output.flushNow();
    }

    void responseComplete(final ServerExchange exchange)
    {
        final long nowNs = clock.nanoTime();
        // answered before its body is in: read and discard the rest, for at most drainEntityBody
        pump.answered(exchange, nowNs);
        if (inFlight.writing() != exchange)
        {
            return;
        }

        final ServerExchange last = inFlight.retireDone(output.isClosingAfterFlush());
        if (null != last)
        {
            // the client may still be sending (this request's body, or more requests): linger before closing
            final boolean linger = !last.isRequestBodyComplete() || null != pump.receiving() ||
                !inFlight.isEmpty() || !decoder.isAwaitingRequest();
            output.closeAfterFlush(linger);
            markClosing();
            abortAll();
            return;
        }

        intake.resumeReading(nowNs);
        if (null == pump.receiving())
        {
            nextRequest.start(nowNs);
            armHeadWait(nowNs);
        }
    }

    /**
     * The host could not hand a request to a worker at once: arm its time in queue.
     *
     * @param exchange the queued request.
     */
    void queueWaitStarted(final ServerExchange exchange)
    {
        if (exchange.isWaitingForStart())
        {
            deadlines.arm(clock.nanoTime(), exchange.queueWaitDeadlineNs());
        }
    }

    /**
     * The sink of the request being received can take its refused body chunk again.
     */
    void resumeBody(final ServerExchange exchange)
    {
        pump.resume(exchange);
    }

    /**
     * Answer a request and close the connection after it, lingering: more of the client's bytes may follow.
     *
     * @param exchange the request.
     * @param status   the answer's status.
     * @param message  the answer's text.
     * @param reason   why, for the error log.
     */
    void rejectAndClose(
        final ServerExchange exchange, final int status, final String message, final ErrorReason reason)
    {
        output.lingerOnClose();
        pump.end();
        exchange.sendError(status, message, reason);
        markClosing();
    }

    /**
     * Arm the wait for the next request, unless the connection is closing.
     *
     * @param nowNs the clock now.
     */
    void armHeadWait(final long nowNs)
    {
        if (!closing)
        {
            nextRequest.arm(nowNs);
        }
    }

    /**
     * The connection's timer fired: act on every expired deadline, and consider each one still ahead.
     */
    private void onDeadlines(final long nowNs)
    {
        if (closing)
        {
            return;
        }
        if (null != tunnel && deadlines.isExpired(nowNs, tunnelActivityNs, tunnelIdleNs))
        {
            // nothing either way for tunnelIdle: the tunnel closes, and its host is told
            closeNow();
            return;
        }
        final ServerExchange receiving = pump.receiving();
        if (null == receiving)
        {
            final int wait = nextRequest.check(
                nowNs, inFlight.isEmpty(), MinSendRateHandler.hasPendingOutput(ctx.channel()));
            if (NextRequestWait.IDLE_EXPIRED == wait)
            {
                logError(new ConnectionFacts(this), 0, ErrorReason.TIMER_CONNECTION_IDLE);
                closeNow();
            }
            else if (NextRequestWait.HEAD_EXPIRED == wait)
            {
                rejectAndClose(
                    intake.enqueue(false, false, null),
                    408,
                    "request timeout: request head not received in time",
                    ErrorReason.TIMER_HEADER_WAIT);
            }
        }
        else
        {
            final int body = pump.checkDeadlines(nowNs);
            if (RequestBodyPump.DRAIN_EXPIRED == body)
            {
                logError(receiving, 0, ErrorReason.TIMER_ENTITY_BODY);
                closeNow();
            }
            else if (RequestBodyPump.BODY_EXPIRED == body)
            {
                rejectAndClose(
                    receiving,
                    408,
                    "request timeout: request body not received in time",
                    ErrorReason.TIMER_ENTITY_BODY);
            }
        }
        if (!closing)
        {
            inFlight.expireQueueWaits(nowNs, deadlines, this);
        }
    }

    /**
     * @return true while the bytes after an upgrade request are held until its answer: reading stays off meanwhile.
     */
    boolean isUpgradePending()
    {
        return decoder.isUpgradePending();
    }

    /**
     * @return the exchange a {@code 101} made this connection a tunnel for, or null.
     */
    ServerExchange tunnel()
    {
        return tunnel;
    }

    /**
     * A {@code 101 Switching Protocols} head was sent: the connection is a tunnel from here. The decoder passes every
     * byte on as the request's body, half-closure is allowed (the client's end of input reaches the host as the last
     * body chunk), and the tunnel idle timer runs.
     *
     * @param exchange     the upgraded request.
     * @param tunnelIdleNs how long the tunnel may carry nothing either way, or {@link HttpConnectionConfig#DISABLED}.
     */
    void upgraded(final ServerExchange exchange, final long tunnelIdleNs)
    {
        tunnel = exchange;
        this.tunnelIdleNs = tunnelIdleNs;
        decoder.upgradeAccepted();
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, Boolean.TRUE);
        final long nowNs = clock.nanoTime();
        tunnelActivityNs = nowNs;
        deadlines.arm(nowNs, nowNs, tunnelIdleNs);
        resumeAfterUpgrade(nowNs);
    }

    /**
     * An upgrade request was answered without switching protocols: the bytes after it are requests again.
     */
    void upgradeDeclined()
    {
        if (decoder.isUpgradePending())
        {
            decoder.upgradeDeclined();
            resumeAfterUpgrade(clock.nanoTime());
        }
    }

    /**
     * Bytes went through the tunnel, one way or the other: its idle timer starts again.
     */
    void tunnelActivity()
    {
        tunnelActivityNs = clock.nanoTime();
    }

    private void resumeAfterUpgrade(final long nowNs)
    {
        ctx.executor().execute(decodeHeld);
        intake.resumeReading(nowNs);
    }

    private void decodeHeld()
    {
        if (!closing)
        {
            decoder.decodeHeld(ctx.pipeline().context(decoder));
        }
    }

    /**
     * The connection is closing: nothing more is read or handed on.
     */
    void markClosing()
    {
        closing = true;
        if (null != sendRate)
        {
            sendRate.connectionClosing();
        }
    }

    private void cancelTimers()
    {
        deadlines.cancel();
        if (null != sendRate)
        {
            sendRate.stop();
        }
    }

    private void closeNow()
    {
        stop();
        ctx.close();
    }

    /**
     * The connection ends: no timer fires, and every request in flight and every body piece held is let go.
     */
    private void stop()
    {
        markClosing();
        cancelTimers();
        abortAll();
    }

    private void abortAll()
    {
        inFlight.abortAll();
        pump.releaseAll();
    }
}
