package io.sluice.listener.http;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.HandlerHeaders;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.Router;
import org.agrona.concurrent.NanoClock;

/**
 * The read side of a connection: every message of {@link StrictRequestDecoder} taken in. A request head is judged by
 * {@link RequestAdmission} and its exchange put {@link InFlightExchanges in flight}, then answered by the listener
 * ({@link ServerAnswers}, a refusal) or handed to its queue's host; its body goes through the {@link RequestBodyPump},
 * whose requests of the connection are answered here. Reading from the socket stops while the pipelining queue is full
 * or a body piece is refused, and goes on once there is room and nothing is blocked. One per connection, the
 * {@link HttpConnectionHandler}'s. Event-loop confined.
 */
final class RequestIntake implements RequestBodyPump.Connection
{
    private final HttpConnectionHandler connection;
    private final RequestAdmission admission;
    private final InFlightExchanges inFlight;
    private final NextRequestWait nextRequest;
    private final NanoClock clock;
    private final long entityBodyNs;
    private final RequestBodyPump pump;
    private ChannelHandlerContext ctx;
    private int localPort;

    /**
     * @param connection  the connection handler: its exchanges' connection, and how a request is refused.
     * @param router      URL-prefix table built at start-up.
     * @param config      path segment limits and body timers.
     * @param inFlight    the connection's requests in pipelining order.
     * @param deadlines   the connection's timer.
     * @param nextRequest the wait for the next request, started when a body is all in.
     * @param clock       the connection's clock.
     */
    RequestIntake(
        final HttpConnectionHandler connection,
        final Router<QueueBinding> router,
        final HttpConnectionConfig config,
        final InFlightExchanges inFlight,
        final ConnectionDeadlines deadlines,
        final NextRequestWait nextRequest,
        final NanoClock clock)
    {
        this.connection = connection;
        this.admission = new RequestAdmission(router, config.maxSegmentLength(), config.maxSegmentCount());
        this.inFlight = inFlight;
        this.nextRequest = nextRequest;
        this.clock = clock;
        this.entityBodyNs = config.entityBodyNs();
        this.pump = new RequestBodyPump(this, deadlines, config.drainEntityBodyNs());
    }

    /**
     * @param ctx the connection handler's context: reading is switched on and off through it.
     */
    void context(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        pump.context(ctx);
    }

    /**
     * @param localPort the port the connection was accepted on, for the {@code Host} check.
     */
    void localPort(final int localPort)
    {
        this.localPort = localPort;
    }

    /**
     * @return the body pump of the connection's requests.
     */
    RequestBodyPump pump()
    {
        return pump;
    }

    /**
     * Take in a message of the decoder: dropped once the connection is closing, held while a body piece waits.
     *
     * @param msg a request head or body piece; released here or handed on.
     */
    void read(final Object msg)
    {
        if (connection.isClosing())
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
     * Put a new exchange in flight; reading stops once {@code maxPipelinedRequests} are.
     *
     * @param headRequest     true for a {@code HEAD} request: its response has no body.
     * @param keepAlive       true when the request lets the connection stay open.
     * @param applicationPath the URL prefix of its queue, or null when it is not routed.
     * @return the exchange.
     */
    ServerExchange enqueue(final boolean headRequest, final boolean keepAlive, final String applicationPath)
    {
        final ServerExchange exchange = new ServerExchange(connection, headRequest, keepAlive, applicationPath);
        inFlight.add(exchange);
        if (inFlight.isFull())
        {
            ctx.channel().config().setAutoRead(false);
        }
        return exchange;
    }

    /**
     * A response completed: reading stopped for a full queue goes on once there is room, unless a body piece is
     * refused.
     *
     * @param nowNs the clock now.
     */
    void resumeReading(final long nowNs)
    {
        final ChannelConfig config = ctx.channel().config();
        if (!inFlight.isFull() && !config.isAutoRead() && !pump.isBlocked() && !connection.isUpgradePending())
        {
            config.setAutoRead(true);
            pump.resumedReading(nowNs);
        }
    }

    /**
     * {@inheritDoc}
     */
    public boolean isClosing()
    {
        return connection.isClosing();
    }

    /**
     * {@inheritDoc}
     */
    public void refuse(final ServerExchange exchange, final int status, final String reason)
    {
        connection.rejectAndClose(exchange, status, reason, ErrorReason.ofStatus(status));
    }

    /**
     * {@inheritDoc}
     */
    public void bodyComplete(final long lastPieceNs)
    {
        // the end of this request starts the next one's header wait, from when its last piece came
        nextRequest.start(lastPieceNs);
        if (inFlight.isEmpty())
        {
            connection.armHeadWait(lastPieceNs);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void replay(final Object msg)
    {
        if (connection.isClosing())
        {
            ReferenceCountUtil.release(msg);
        }
        else
        {
            handle(msg);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void bodyUnblocked()
    {
        if (!connection.isClosing() && !inFlight.isFull() && !connection.isUpgradePending())
        {
            ctx.channel().config().setAutoRead(true);
            pump.resumedReading(clock.nanoTime());
            ctx.read();
        }
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
                final ServerExchange tunnel = connection.tunnel();
                if (null != tunnel)
                {
                    tunnelContent(tunnel);
                }
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
        final long nowNs = clock.nanoTime();
        final boolean headRequest = HttpMethod.HEAD.equals(request.method());
        if (RequestAdmission.REFUSE_AND_CLOSE == admission.checkHead(request, localPort))
        {
            final ServerExchange refused = enqueue(headRequest, false, null);
            refused.request(request, null, connection.isAccessLogged(null), nowNs);
            connection.rejectAndClose(refused, admission.status(), admission.reason(), admission.errorReason());
            return;
        }

        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final QueueBinding binding = admission.binding();
        final long contentLength = admission.contentLength();
        final ServerExchange exchange =
            enqueue(headRequest, keepAlive, null == binding ? null : binding.applicationPath());
        exchange.request(request, binding, connection.isAccessLogged(binding), nowNs);
        if (request.protocolVersion() == HttpVersion.HTTP_1_0)
        {
            exchange.http10();
        }
        exchange.countIn(connection.queueCounters(binding), nowNs);
        pump.begin(
            exchange,
            contentLength,
            null == binding ? Long.MAX_VALUE : binding.maxRequestBodySize(),
            null == binding ? entityBodyNs : binding.entityBodyTimeoutNs(),
            nowNs);

        if (connection.isUpgradePending())
        {
            upgradeRequest(request, binding, exchange);
        }
        switch (admission.admit(request))
        {
            case RequestAdmission.ANSWER_SERVER_OPTIONS -> ServerAnswers.serverOptions(exchange);
            case RequestAdmission.REFUSE_TRACE -> ServerAnswers.refuseTrace(exchange);
            case RequestAdmission.REFUSE ->
                exchange.sendError(admission.status(), admission.reason(), admission.errorReason());
            case RequestAdmission.REFUSE_AND_CLOSE -> connection.rejectAndClose(
                exchange, admission.status(), admission.reason(), admission.errorReason());
            default -> admission.handOff(request, exchange, nowNs);
        }
        if (connection.isUpgradePending())
        {
            // the bytes after an upgrade request wait in the decoder until its answer: read no more meanwhile
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * The decoder holds the bytes after a request that may switch protocols: it may when its queue allows upgrades
     * ({@code webSockets}) and it asks for another protocol than {@code h2c}; otherwise the bytes after it are
     * requests again at once, and the host never sees its {@code Upgrade}.
     */
    private void upgradeRequest(final HttpRequest request, final QueueBinding binding, final ServerExchange exchange)
    {
        final String protocols = HandlerHeaders.tunnelUpgrade(request.headers());
        if (null != binding && binding.webSockets() && null != protocols)
        {
            exchange.upgradeRequested(protocols, binding.tunnelIdleTimeoutNs());
        }
        else
        {
            connection.upgradeDeclined();
        }
    }

    /**
     * A piece of a tunnel's input: the first one (or the end of input) opens the request body again, and every one
     * restarts the tunnel's idle timer.
     */
    private void tunnelContent(final ServerExchange tunnel)
    {
        final long nowNs = clock.nanoTime();
        if (null == pump.receiving() && !tunnel.isDone())
        {
            tunnel.tunnelInputOpened();
            pump.beginTunnel(tunnel, nowNs);
        }
        connection.tunnelActivity();
    }

    private boolean onContent(final HttpContent content)
    {
        final DecoderResult result = content.decoderResult();
        if (result.isFailure())
        {
            final ServerExchange exchange = pump.receiving();
            if (null != exchange)
            {
                connection.rejectAndClose(
                    exchange,
                    RequestAdmission.statusOf(result.cause()),
                    RequestAdmission.reasonOf(result.cause()),
                    RequestAdmission.errorReasonOf(result.cause()));
            }
            connection.markClosing();
            return true;
        }
        final ServerExchange receiving = pump.receiving();
        if (null != receiving)
        {
            receiving.received(content.content().readableBytes());
        }
        return pump.content(content);
    }
}
