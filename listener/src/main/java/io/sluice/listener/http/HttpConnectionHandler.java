package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.sluice.listener.queue.FlushListener;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.PrefixRouter;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The per-connection HTTP/1.1 stage behind {@link StrictRequestDecoder}: the coordinator of a connection's requests in
 * pipelining order. It has each request head judged by {@link RequestAdmission} (host, target, path segments, body
 * limit, {@code Expect}, route, a place in the queue), hands an admitted request to its queue's host, has its body
 * streamed with back-pressure by {@link RequestBodyPump}, and writes responses in request order with one flush per
 * event-loop turn ({@link FlushBatcher}); {@link FlushNotices} tells a host when the socket has taken its bytes.
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

    private final RequestAdmission admission;
    private final StrictRequestDecoder decoder;
    private final NanoClock clock;
    private final int maxPipelinedRequests;
    private final long entityBodyNs;
    private final ConnectionLimiter connections;
    private final ArrayDeque<ServerExchange> inFlight = new ArrayDeque<>();
    private final ConnectionDeadlines deadlines;
    private final NextRequestWait nextRequest;
    private final RequestBodyPump pump;
    private final ConnectionOutput output;
    private ChannelHandlerContext ctx;
    private MinSendRateHandler sendRate;
    private String remoteAddress = "";
    private int remotePort;
    private int localPort;
    private boolean closing;

    /**
     * @param router  URL-prefix table built at start-up.
     * @param config  pipelining, path segment limits and timers.
     * @param decoder this connection's decoder, asked whether a request head is under way.
     */
    public HttpConnectionHandler(
        final PrefixRouter<QueueBinding> router, final HttpConnectionConfig config, final StrictRequestDecoder decoder)
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
        final PrefixRouter<QueueBinding> router,
        final HttpConnectionConfig config,
        final StrictRequestDecoder decoder,
        final ConnectionLimiter connections,
        final NanoClock clock)
    {
        this.admission = new RequestAdmission(router, config.maxSegmentLength(), config.maxSegmentCount());
        this.decoder = decoder;
        this.connections = connections;
        this.clock = clock;
        this.maxPipelinedRequests = config.maxPipelinedRequests();
        this.entityBodyNs = config.entityBodyNs();
        final long drainEntityBodyNs = config.drainEntityBodyNs();
        this.deadlines = new ConnectionDeadlines(clock, this::onDeadlines);
        this.nextRequest = new NextRequestWait(deadlines, decoder, config.headerWaitNs(), config.idleConnectionNs());
        this.pump = new RequestBodyPump(new PumpEvents(), deadlines, drainEntityBodyNs);
        this.output = new ConnectionOutput(
            this, decoder, clock, LingeringCloseHandler.lingerNs(drainEntityBodyNs), this::cancelTimers);
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.sendRate = ctx.pipeline().get(MinSendRateHandler.class);
        deadlines.context(ctx);
        pump.context(ctx);
        output.context(ctx);
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote)
        {
            remoteAddress = remote.getAddress().getHostAddress();
            remotePort = remote.getPort();
        }
        if (ctx.channel().localAddress() instanceof InetSocketAddress local)
        {
            localPort = local.getPort();
        }
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
        if (closing)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (pump.isHolding())
        {
            pump.hold(msg);
            return;
        }
        handle(msg);
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
            // only the response being written may go on; the ones behind it are told when their turn comes
            final ServerExchange first = inFlight.peekFirst();
            if (null != first)
            {
                first.writabilityChanged();
            }
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

    String remoteAddress()
    {
        return remoteAddress;
    }

    boolean isWritable()
    {
        return ctx.channel().isWritable();
    }

    int remotePort()
    {
        return remotePort;
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

    void write(final ByteBuf buf)
    {
        output.write(buf);
    }

    void notifyWhenFlushed(final FlushListener listener, final long token)
    {
        output.notifyWhenFlushed(listener, token);
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
        if (inFlight.peekFirst() != exchange)
        {
            return;
        }

        ServerExchange head = exchange;
        while (null != head && head.isDone())
        {
            inFlight.pollFirst();
            if (!head.keepAlive() && !output.isClosingAfterFlush())
            {
                // the client may still be sending (this request's body, or more requests): linger before closing
                final boolean linger = !head.isRequestBodyComplete() || null != pump.receiving() ||
                    inFlight.size() > 0 || !decoder.isAwaitingRequest();
                output.closeAfterFlush(linger);
                markClosing();
                abortAll();
                return;
            }
            head = inFlight.peekFirst();
            if (null != head)
            {
                head.activate();
            }
        }

        if (inFlight.size() < maxPipelinedRequests && !ctx.channel().config().isAutoRead() && !pump.isBlocked())
        {
            ctx.channel().config().setAutoRead(true);
            pump.resumedReading(nowNs);
        }
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

    private void handle(final Object msg)
    {
        boolean release = true;
        try
        {
            if (msg instanceof HttpRequest request)
            {
                onRequest(request);
            }
            if (msg instanceof HttpContent content)
            {
                release = onContent(content);
            }
        }
        finally
        {
            if (release)
            {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private void onRequest(final HttpRequest request)
    {
        final boolean headRequest = HttpMethod.HEAD.equals(request.method());
        if (RequestAdmission.REFUSE_AND_CLOSE == admission.checkHead(request, localPort))
        {
            rejectAndClose(enqueue(headRequest, false, null), admission.status(), admission.reason());
            return;
        }

        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final QueueBinding binding = admission.binding();
        final long contentLength = admission.contentLength();
        final ServerExchange exchange =
            enqueue(headRequest, keepAlive, null == binding ? null : binding.applicationPath());
        if (request.protocolVersion() == HttpVersion.HTTP_1_0)
        {
            exchange.http10();
        }
        final long nowNs = clock.nanoTime();
        pump.begin(
            exchange,
            contentLength,
            null == binding ? Long.MAX_VALUE : binding.maxRequestBodySize(),
            null == binding ? entityBodyNs : binding.entityBodyTimeoutNs(),
            nowNs);

        switch (admission.admit(request))
        {
            case RequestAdmission.ANSWER_SERVER_OPTIONS -> ServerAnswers.serverOptions(exchange);
            case RequestAdmission.REFUSE_TRACE -> ServerAnswers.refuseTrace(exchange);
            case RequestAdmission.REFUSE -> exchange.sendError(admission.status(), admission.reason());
            case RequestAdmission.REFUSE_AND_CLOSE -> rejectAndClose(exchange, admission.status(), admission.reason());
            default -> admission.handOff(request, exchange, nowNs);
        }
    }

    private boolean onContent(final HttpContent content)
    {
        final DecoderResult result = content.decoderResult();
        if (result.isFailure())
        {
            final ServerExchange exchange = pump.receiving();
            if (null != exchange)
            {
                rejectAndClose(
                    exchange, RequestAdmission.statusOf(result.cause()), RequestAdmission.reasonOf(result.cause()));
            }
            markClosing();
            return true;
        }
        return pump.content(content);
    }

    private ServerExchange enqueue(final boolean headRequest, final boolean keepAlive, final String applicationPath)
    {
        final ServerExchange exchange = new ServerExchange(this, headRequest, keepAlive, applicationPath);
        inFlight.addLast(exchange);
        if (inFlight.size() == 1)
        {
            exchange.activate();
        }
        if (inFlight.size() >= maxPipelinedRequests)
        {
            ctx.channel().config().setAutoRead(false);
        }
        return exchange;
    }

    private void rejectAndClose(final ServerExchange exchange, final int status, final String message)
    {
        output.lingerOnClose();
        pump.end();
        exchange.sendError(status, message);
        markClosing();
    }

    private void armHeadWait(final long nowNs)
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
        final ServerExchange receiving = pump.receiving();
        if (null == receiving)
        {
            final int wait = nextRequest.check(
                nowNs, inFlight.isEmpty(), MinSendRateHandler.hasPendingOutput(ctx.channel()));
            if (NextRequestWait.IDLE_EXPIRED == wait)
            {
                closeNow();
            }
            else if (NextRequestWait.HEAD_EXPIRED == wait)
            {
                rejectAndClose(
                    enqueue(false, false, null), 408, "request timeout: request head not received in time");
            }
        }
        else
        {
            final int body = pump.checkDeadlines(nowNs);
            if (RequestBodyPump.DRAIN_EXPIRED == body)
            {
                closeNow();
            }
            else if (RequestBodyPump.BODY_EXPIRED == body)
            {
                rejectAndClose(receiving, 408, "request timeout: request body not received in time");
            }
        }
        if (!closing)
        {
            QueueWaits.expire(inFlight, nowNs, deadlines, this);
        }
    }

    private void markClosing()
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
        ServerExchange exchange;
        while (null != (exchange = inFlight.pollFirst()))
        {
            exchange.abort();
        }
        pump.releaseAll();
    }

    /**
     * What the body pump asks of the connection.
     */
    private final class PumpEvents implements RequestBodyPump.Connection
    {
        public boolean isClosing()
        {
            return closing;
        }

        public void refuse(final ServerExchange exchange, final int status, final String reason)
        {
            rejectAndClose(exchange, status, reason);
        }

        public void bodyComplete(final long lastPieceNs)
        {
            // the end of this request starts the next one's header wait, from when its last piece came
            nextRequest.start(lastPieceNs);
            if (inFlight.isEmpty())
            {
                armHeadWait(lastPieceNs);
            }
        }

        public void replay(final Object msg)
        {
            if (closing)
            {
                ReferenceCountUtil.release(msg);
            }
            else
            {
                handle(msg);
            }
        }

        public void bodyUnblocked()
        {
            if (!closing && inFlight.size() < maxPipelinedRequests)
            {
                ctx.channel().config().setAutoRead(true);
                pump.resumedReading(clock.nanoTime());
                ctx.read();
            }
        }
    }
}
