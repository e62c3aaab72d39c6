package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.SystemPropertyUtil;
import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.listener.queue.FlushListener;
import io.sluice.listener.queue.HandlerHeaders;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.ResponseHeads;
import io.sluice.listener.routing.PrefixRouter;
import io.sluice.listener.routing.RequestTargets;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The per-connection HTTP/1.1 stage behind {@link StrictRequestDecoder}: validates and routes each request, admits it
 * to its queue, hands it to the queue's host, streams its body with back-pressure, and writes responses in request
 * order (pipelining) with one flush per event-loop turn.
 * <p>
 * <b>Before routing</b> (RFC 9110/9112): one valid {@code Host} ({@code host[:port]}, no userinfo, port digits up to
 * 65535), required in HTTP/1.1, else 400. An absolute-form target's authority (checked alike) replaces {@code Host},
 * and the host is handed the origin-form target and that authority as {@code Host}, so every hosting model sees the
 * same request. {@code OPTIONS *} is answered here (200, {@code allow}, no body), {@code TRACE} refused with 405 and
 * the same {@code allow}; {@code CONNECT} is refused with 501
 * and the connection closed, as there is no tunnelling. An HTTP/1.0 request kept alive is answered with
 * {@code connection: keep-alive}.
 * <p>
 * <b>Limits after routing</b>: path segments ({@link HttpConnectionConfig#maxSegmentLength()},
 * {@link HttpConnectionConfig#maxSegmentCount()}: 400) and the queue's body limit
 * ({@link QueueBinding#maxRequestBodySize()}: 413 by Content-Length before the host sees the request, or mid-stream
 * once a chunked body passes it, with the host's sink aborted). The decoder enforces the listener-wide limits.
 * <p>
 * <b>Timers</b> (HTTP.sys semantics), all from one scheduled task per connection that carries the earliest deadline
 * in force, re-armed when it fires (as {@code IdleStateHandler} does): events only move timestamps, and the task is
 * rescheduled only when a deadline earlier than the armed one appears. The task is cancelled when the connection
 * closes, so it never keeps one alive.
 * <ul>
 *     <li>header wait: from accept, or from the end of the previous request or response, until a started request
 *     head is complete: 408, close;</li>
 *     <li>idle connection: nothing in flight and no byte of a next request: close without a response;</li>
 *     <li>entity body: silence between pieces of a request body while it is being read (time the connection itself
 *     stops reading, for back-pressure or pipelining, does not count): 408, close, sink aborted;</li>
 *     <li>drain entity body: the rest of a body still arriving after its response completed: close;</li>
 *     <li>queue wait: a request its host reports queued ({@link ServerExchange#markQueued()}) without a response head:
 *     503, sink aborted;</li>
 *     <li>minimum send rate: while the client holds a response back, it must accept at least
 *     {@link HttpConnectionConfig#minSendRate()} bytes per second over each window of
 *     {@link HttpConnectionConfig#minSendRateGraceNs()}: else close, in-flight requests aborted. "Holds back" is seen
 *     in the listener (the outbound buffer over its high water mark) or, on the epoll transport, in the kernel: the
 *     socket's {@code TCP_INFO} shows no segment in flight and a zero-window probe backoff ({@code tcpi_unacked == 0},
 *     {@code tcpi_backoff > 0}), which Linux only has while it holds bytes the client's closed receive window refuses.
 *     So a response that fits in the kernel's send buffer is measured too. The bytes "accepted" over a window are
 *     those the socket took from the listener; kernel progress since the previous sample (a data segment sent,
 *     {@code tcpi_last_data_sent}, or a drop of the backoff, which the kernel resets when the client's window opens)
 *     counts as the client accepting bytes and starts a new window. Samples are taken every quarter of the window while
 *     the connection has bytes outstanding (one {@code getsockopt(TCP_INFO)} each); see {@link SendRateWindow}.</li>
 * </ul>
 * <p>
 * <b>Lingering close</b> (as nginx's {@code lingering_close}): when the connection closes after a response while the
 * client may still be sending (a request answered before its body was all in: 413, 408, 404, 417, 503, ...; a
 * request refused while more of it may follow), it does not close at once, which could make the client's kernel
 * answer the bytes still coming with a reset and lose the response. Once the response is flushed it shuts its output
 * down (the FIN follows the response), stops decoding, and reads and discards whatever still arrives until the client
 * closes, {@link #LINGER_MAX_BYTES} have been discarded, or {@code drainEntityBody} ({@link #LINGER_DEFAULT_NS} when
 * that timer is off) has passed; then it closes.
 * <p>
 * <b>Graceful stop</b>: once the {@link ConnectionLimiter} is draining, every response gets {@code connection: close}
 * and its connection closes after it, and {@link #drain()} closes a connection with nothing in flight at once.
 * <p>
 * Pipeline position: after {@link StrictRequestDecoder}; it writes response bytes itself (no response encoder).
 * Event-loop confined.
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter
{
    private static final long BODY_RETRY_NS = TimeUnit.MICROSECONDS.toNanos(50);
    /**
     * How often a body chunk refused by a sink that wakes the connection itself ({@link RequestSink#resumesBody()}) is
     * offered again anyway, in case the exchange ends without the wake-up.
     */
    private static final long BODY_RESUME_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SEND_RATE_SAMPLES_PER_WINDOW = 4;

    /**
     * How long the connection must look drained (nothing buffered, nothing in flight, no zero-window probing) before
     * send-rate sampling stops; longer than Linux's least retransmission timeout (200 ms), after which the first
     * zero-window probe shows a closed window.
     */
    private static final long SEND_RATE_IDLE_CONFIRM_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long NONE = Long.MIN_VALUE;
    private static final String ASTERISK = "*";

    /**
     * The {@code allow} value of the listener's own answer to {@code OPTIONS *}: the methods it hands to hosts.
     */
    public static final String SERVER_OPTIONS_ALLOW = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS";

    /**
     * Body of the listener's {@code 405} answer to {@code TRACE}.
     */
    public static final String TRACE_REFUSED_BODY = "method not allowed: TRACE\n";

    private static final byte[] TRACE_REFUSED_BODY_BYTES = TRACE_REFUSED_BODY.getBytes(StandardCharsets.US_ASCII);

    /**
     * Most request bytes read and discarded during a lingering close before the connection is closed anyway.
     */
    public static final long LINGER_MAX_BYTES = 1024 * 1024;

    /**
     * Longest lingering close when the {@code drainEntityBody} timer is off.
     */
    public static final long LINGER_DEFAULT_NS = TimeUnit.SECONDS.toNanos(2);

    // Netty counts this much per queued message on top of its bytes in totalPendingWriteBytes (same property, default).
    private static final long OUTBOUND_ENTRY_OVERHEAD =
        SystemPropertyUtil.getInt("io.netty.transport.outboundBufferEntrySizeOverhead", 96);

    private final PrefixRouter<QueueBinding> router;
    private final StrictRequestDecoder decoder;
    private final int maxPipelinedRequests;
    private final int maxSegmentLength;
    private final int maxSegmentCount;
    private final long headerWaitNs;
    private final long idleConnectionNs;
    private final long entityBodyNs;
    private final long drainEntityBodyNs;
    private final long minSendRate;
    private final long minSendRateGraceNs;
    private final ConnectionLimiter connections;
    private final ArrayDeque<ServerExchange> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private final Runnable retryBody = this::retryBody;
    private final Runnable bodyRetryTimerTask = this::onBodyRetryTimer;
    private final Runnable timerTask = this::onTimer;
    private ChannelHandlerContext ctx;
    private FlushBatcher batcher;
    private String remoteAddress = "";
    private int remotePort;
    private int localPort;
    private ServerExchange receiving;
    private boolean receivingBody;
    private HttpContent blockedContent;
    private boolean bodyRetryPending;
    private boolean flushRequested;
    private boolean closing;
    private boolean closeAfterFlush;
    private boolean lingerOnClose;
    private boolean lingering;
    private long lingerStartNs;
    private long lingerBytes;

    private long receivingMaxBodySize;
    private long receivingEntityBodyNs;
    private long receivedBodySize;
    private boolean draining;
    private long waitStartNs;
    private long bodyProgressNs;
    private long drainStartNs;
    private long bytesWritten;
    private FlushMarker flushMarker;
    private boolean flushMarkerQueued;
    private long flushMarkerPosition;
    private FlushListener flushListener;
    private long flushToken;
    private long flushTarget;
    private final SendRateWindow sendRate;
    private final long sendRateSampleNs;
    private boolean sendRateSampling;
    private long sendRateSampleDueNs;
    private long sendRateIdleSinceNs = NONE;
    private EpollTcpInfo tcpInfo;
    private ScheduledFuture<?> timer;
    private long timerDeadlineNs;
    private boolean hasNextDeadline;
    private long nextDeadlineNs;

    /**
     * @param router  URL-prefix table built at start-up.
     * @param config  pipelining, path segment limits and timers.
     * @param decoder this connection's decoder, asked whether a request head is under way.
     */
    public HttpConnectionHandler(
        final PrefixRouter<QueueBinding> router, final HttpConnectionConfig config, final StrictRequestDecoder decoder)
    {
        this(router, config, decoder, null);
    }

    /**
     * @param router      URL-prefix table built at start-up.
     * @param config      pipelining, path segment limits and timers.
     * @param decoder     this connection's decoder, asked whether a request head is under way.
     * @param connections the listener's connections, asked whether a graceful stop is draining them; may be null.
     */
    public HttpConnectionHandler(
        final PrefixRouter<QueueBinding> router,
        final HttpConnectionConfig config,
        final StrictRequestDecoder decoder,
        final ConnectionLimiter connections)
    {
        this.connections = connections;
        this.router = router;
        this.decoder = decoder;
        this.maxPipelinedRequests = config.maxPipelinedRequests();
        this.maxSegmentLength = config.maxSegmentLength();
        this.maxSegmentCount = config.maxSegmentCount();
        this.headerWaitNs = config.headerWaitNs();
        this.idleConnectionNs = config.idleConnectionNs();
        this.entityBodyNs = config.entityBodyNs();
        this.drainEntityBodyNs = config.drainEntityBodyNs();
        this.minSendRate = config.minSendRate();
        this.minSendRateGraceNs = config.minSendRateGraceNs();
        this.sendRate = HttpConnectionConfig.DISABLED == minSendRate ?
            null : new SendRateWindow(minSendRate, minSendRateGraceNs);
        this.sendRateSampleNs = Math.max(1, minSendRateGraceNs / SEND_RATE_SAMPLES_PER_WINDOW);
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.batcher = FlushBatcher.current(ctx.channel().eventLoop());
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
        final long nowNs = System.nanoTime();
        waitStartNs = nowNs;
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
        if (lingering)
        {
            if (msg instanceof ByteBuf buf)
            {
                lingerBytes += buf.readableBytes();
            }
            else if (msg instanceof HttpContent content)
            {
                lingerBytes += content.content().readableBytes();
            }
            ReferenceCountUtil.release(msg);
            if (lingerBytes > LINGER_MAX_BYTES)
            {
                ctx.close();
            }
            return;
        }
        if (closing)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (null != blockedContent || !backlog.isEmpty())
        {
            backlog.add(msg);
            return;
        }
        handle(msg);
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        closing = true;
        cancelTimer();
        abortAll();
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        cancelTimer();
    }

    /**
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (!ctx.channel().isWritable())
        {
            startSendRateSampling(System.nanoTime());
        }
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
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        closing = true;
        cancelTimer();
        abortAll();
        ctx.close();
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
        if (inFlight.isEmpty() && null == receiving && decoder.isAwaitingRequest())
        {
            closing = true;
            cancelTimer();
            abortAll();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void write(final ByteBuf buf)
    {
        if (closeAfterFlush && !ctx.channel().isActive())
        {
            buf.release();
            return;
        }
        bytesWritten += buf.readableBytes();
        ctx.write(buf, ctx.voidPromise());
        if (!sendRateSampling && null != sendRate)
        {
            startSendRateSampling(System.nanoTime());
        }
        if (!flushRequested)
        {
            flushRequested = true;
            batcher.flushLater(ctx);
        }
    }

    /**
     * Ask to hear when every byte written so far has been taken by the socket. The connection's one
     * {@link FlushMarker} goes behind them (the channel releases it once the bytes before it are written); while it is
     * queued a later request waits for it and re-sends it if its own bytes go further. One request is kept: a new
     * one replaces it (only the exchange being written asks). Allocates nothing.
     *
     * @param listener told on the event loop; never when the connection closes first.
     * @param token    given back to the listener.
     */
    void notifyWhenFlushed(final FlushListener listener, final long token)
    {
        final Channel channel = ctx.channel();
        if (!channel.isActive() || null == channel.unsafe().outboundBuffer())
        {
            // closed, or its output shut down: nothing more is taken, and a write would only fail
            return;
        }
        flushListener = listener;
        flushToken = token;
        flushTarget = bytesWritten;
        if (!flushMarkerQueued)
        {
            writeFlushMarker();
        }
    }

    private void writeFlushMarker()
    {
        if (null == flushMarker)
        {
            flushMarker = new FlushMarker(this);
        }
        flushMarkerQueued = true;
        flushMarkerPosition = bytesWritten;
        ctx.write(flushMarker.rearm(), ctx.voidPromise());
        if (!flushRequested)
        {
            flushRequested = true;
            batcher.flushLater(ctx);
        }
    }

    /**
     * The channel let go of the {@link FlushMarker}: every byte written before it was taken by the socket, or the
     * connection is closing (its outbound buffer is gone then, and nobody is told).
     */
    void flushMarkerReleased()
    {
        flushMarkerQueued = false;
        final FlushListener listener = flushListener;
        if (null == listener)
        {
            return;
        }
        final Channel channel = ctx.channel();
        if (!channel.isActive() || null == channel.unsafe().outboundBuffer())
        {
            flushListener = null;
            return;
        }
        if (flushTarget - flushMarkerPosition > 0)
        {
            // asked again while the marker was queued, with more bytes written since: watch those too
            writeFlushMarker();
            return;
        }
        flushListener = null;
        listener.onFlushed(flushToken);
    }

    void flushNow()
    {
        flushRequested = false;
        if (closeAfterFlush)
        {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(
                lingerOnClose ? (ChannelFutureListener)this::startLinger : ChannelFutureListener.CLOSE);
        }
        else
        {
            ctx.flush();
        }
    }

    void responseComplete(final ServerExchange exchange)
    {
        if (exchange == receiving && receivingBody && !draining && !closing)
        {
            // answered before its body is in: read and discard the rest, for at most drainEntityBody
            draining = true;
            drainStartNs = System.nanoTime();
            if (HttpConnectionConfig.DISABLED != drainEntityBodyNs)
            {
                armTimer(drainStartNs, drainStartNs + drainEntityBodyNs);
            }
        }
        if (inFlight.peekFirst() != exchange)
        {
            return;
        }

        ServerExchange head = exchange;
        while (null != head && head.isDone())
        {
            inFlight.pollFirst();
            if (!head.keepAlive() && !closeAfterFlush)
            {
                // the client may still be sending (this request's body, or more requests): linger before closing
                lingerOnClose = lingerOnClose || !head.isRequestBodyComplete() || null != receiving ||
                    inFlight.size() > 0 || !decoder.isAwaitingRequest();
                closeAfterFlush = true;
                closing = true;
                abortAll();
                if (!flushRequested)
                {
                    flushRequested = true;
                    batcher.flushLater(ctx);
                }
                return;
            }
            head = inFlight.peekFirst();
            if (null != head)
            {
                head.activate();
            }
        }

        final long nowNs = System.nanoTime();
        if (inFlight.size() < maxPipelinedRequests && !ctx.channel().config().isAutoRead() && null == blockedContent)
        {
            ctx.channel().config().setAutoRead(true);
            resumedReading(nowNs);
        }
        if (null == receiving)
        {
            waitStartNs = nowNs;
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
            armTimer(System.nanoTime(), exchange.queueWaitDeadlineNs());
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
        final DecoderResult result = request.decoderResult();
        if (result.isFailure())
        {
            final ServerExchange exchange = enqueue(headRequest, false, null);
            rejectAndClose(exchange, statusOf(result.cause()), reasonOf(result.cause()));
            return;
        }

        if (HttpMethod.CONNECT.equals(request.method()))
        {
            // no tunnelling: refused here, never forwarded (a worker would wait for a tunnel that never comes)
            rejectAndClose(enqueue(false, false, null), 501, "not implemented: CONNECT");
            return;
        }

        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion() == HttpVersion.HTTP_1_1))
        {
            rejectAndClose(enqueue(headRequest, false, null), 400, "bad request: one Host header required");
            return;
        }
        CharSequence hostHeader = hosts.isEmpty() ? null : hosts.get(0);
        if (null != hostHeader && !RequestTargets.isValidAuthority(hostHeader))
        {
            rejectAndClose(enqueue(headRequest, false, null), 400, "bad request: invalid Host header");
            return;
        }

        final String uri = request.uri();
        String pathAndQuery = uri;
        if (RequestTargets.isAbsoluteForm(uri))
        {
            // RFC 9112 3.2.2: the authority replaces Host, for routing and for the host; the host gets origin form
            hostHeader = RequestTargets.authority(uri);
            if (null == hostHeader)
            {
                rejectAndClose(
                    enqueue(headRequest, false, null), 400, "bad request: invalid request target authority");
                return;
            }
            pathAndQuery = RequestTargets.pathAndQuery(uri).toString();
            request.setUri(pathAndQuery);
            HandlerHeaders.replaceHost(request.headers(), hostHeader);
        }

        final boolean serverOptions = ASTERISK.equals(pathAndQuery) && HttpMethod.OPTIONS.equals(request.method());
        final String path = serverOptions ? ASTERISK : PathNormalizer.normalize(pathAndQuery);
        if (null == path)
        {
            rejectAndClose(enqueue(headRequest, false, null), 400, "bad request: invalid request target");
            return;
        }
        if (!serverOptions && !PathNormalizer.isWithinSegmentLimits(path, maxSegmentLength, maxSegmentCount))
        {
            rejectAndClose(enqueue(headRequest, false, null), 400, "bad request: URL path segment longer than " +
                maxSegmentLength + " characters or more than " + maxSegmentCount + " segments");
            return;
        }

        // the decoder validated the framing: one Content-Length of digits, or chunked, or no body (RFC 9112 6.3)
        final String declaredLength = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        final long contentLength = HttpUtil.isTransferEncodingChunked(request) ?
            -1 : null == declaredLength ? 0 : Long.parseLong(declaredLength);
        final QueueBinding binding = serverOptions ? null : router.route(hostHeader, localPort, path);
        final ServerExchange exchange =
            enqueue(headRequest, keepAlive, null == binding ? null : binding.applicationPath());
        if (request.protocolVersion() == HttpVersion.HTTP_1_0)
        {
            exchange.http10();
        }
        final long nowNs = System.nanoTime();
        receiving = exchange;
        receivingBody = contentLength != 0;
        draining = false;
        receivedBodySize = 0;
        receivingMaxBodySize = null == binding ? Long.MAX_VALUE : binding.maxRequestBodySize();
        receivingEntityBodyNs = null == binding ? entityBodyNs : binding.entityBodyTimeoutNs();
        bodyProgressNs = nowNs;
        if (!receivingBody)
        {
            exchange.requestBodyComplete();
        }
        else if (HttpConnectionConfig.DISABLED != receivingEntityBodyNs)
        {
            armTimer(nowNs, nowNs + receivingEntityBodyNs);
        }

        if (serverOptions)
        {
            answerServerOptions(exchange);
            return;
        }
        if (HttpMethod.TRACE.equals(request.method()))
        {
            refuseTrace(exchange);
            return;
        }
        if (null == binding)
        {
            exchange.sendError(404, "not found");
            return;
        }
        if (contentLength > receivingMaxBodySize)
        {
            rejectAndClose(exchange, 413, tooLarge("Content-Length"));
            return;
        }
        if (isUnsupportedExpectation(request))
        {
            exchange.sendError(417, "expectation failed");
            return;
        }
        if (!binding.queue().tryAcquire())
        {
            exchange.sendError(503, "service unavailable: request queue full");
            return;
        }

        exchange.enterQueue(binding.queue(), binding.queueWaitTimeoutNs(), nowNs);
        if (receivingBody && HttpUtil.is100ContinueExpected(request))
        {
            // before the host sees the request: an in-process handler may answer within open()
            exchange.sendContinue();
        }
        // every model hands its handler the same fields: the client's, less those of the client's connection
        HandlerHeaders.strip(request.headers(), contentLength);
        final RequestSink sink = binding.host().open(exchange, request, contentLength);
        if (null == sink)
        {
            exchange.sendError(503, "service unavailable");
            return;
        }
        if (!exchange.isDone())
        {
            exchange.admitted(binding.queue(), sink);
        }
    }

    /**
     * {@code OPTIONS *} asks about the server itself (RFC 9110 9.3.7): the listener answers it, 200 with
     * {@code allow} and no body, and never routes it.
     */
    private static void answerServerOptions(final ServerExchange exchange)
    {
        final ByteBuf head = exchange.beginHead(HttpResponseStatus.OK.code());
        ResponseHeads.header(head, HttpHeaderNames.ALLOW, SERVER_OPTIONS_ALLOW);
        exchange.finishHead(head, HttpResponseStatus.OK.code(), 0, null, 0, 0, true);
    }

    /**
     * {@code TRACE} would echo the request, credentials and cookies included, to whoever can make a client send it:
     * the listener refuses it for every route and every hosting model, 405 with the {@code allow} of
     * {@code OPTIONS *}, and never hands it to a host.
     */
    private static void refuseTrace(final ServerExchange exchange)
    {
        final int status = HttpResponseStatus.METHOD_NOT_ALLOWED.code();
        final ByteBuf head = exchange.beginHead(status);
        ResponseHeads.header(head, HttpHeaderNames.ALLOW, SERVER_OPTIONS_ALLOW);
        ResponseHeads.header(head, HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        exchange.finishHead(
            head, status, TRACE_REFUSED_BODY_BYTES.length, new UnsafeBuffer(TRACE_REFUSED_BODY_BYTES), 0,
            TRACE_REFUSED_BODY_BYTES.length, true);
    }

    private boolean onContent(final HttpContent content)
    {
        final ServerExchange exchange = receiving;
        final boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure())
        {
            if (null != exchange)
            {
                rejectAndClose(
                    exchange, statusOf(content.decoderResult().cause()), reasonOf(content.decoderResult().cause()));
            }
            closing = true;
            return true;
        }
        if (null == exchange)
        {
            return true;
        }

        if (receivingBody)
        {
            bodyProgressNs = System.nanoTime();
            receivedBodySize += content.content().readableBytes();
            if (receivedBodySize > receivingMaxBodySize && !exchange.isDone())
            {
                rejectAndClose(exchange, 413, tooLarge("chunked body"));
                return true;
            }
        }
        final RequestSink sink = exchange.sink();
        if (receivingBody && null != sink && !exchange.isDone())
        {
            if (!sink.body(content.content(), last))
            {
                blockedContent = content;
                ctx.channel().config().setAutoRead(false);
                scheduleBodyRetry(sink);
                return false;
            }
        }
        if (last)
        {
            bodyComplete(exchange);
        }
        return true;
    }

    private void bodyComplete(final ServerExchange exchange)
    {
        exchange.requestBodyComplete();
        receiving = null;
        receivingBody = false;
        draining = false;
        // the end of this request starts the next one's header wait; bodyProgressNs is when its last piece came
        waitStartNs = bodyProgressNs;
        if (inFlight.isEmpty())
        {
            armHeadWait(bodyProgressNs);
        }
    }

    private void retryBody()
    {
        final HttpContent content = blockedContent;
        if (null == content)
        {
            return;
        }
        final ServerExchange exchange = receiving;
        final RequestSink sink = null == exchange ? null : exchange.sink();
        final boolean last = content instanceof LastHttpContent;
        if (!closing && null != sink && !exchange.isDone() && !sink.body(content.content(), last))
        {
            scheduleBodyRetry(sink);
            return;
        }

        blockedContent = null;
        content.release();
        if (last && null != exchange)
        {
            // the piece went in only now: the next request's header wait starts from here
            bodyProgressNs = System.nanoTime();
            bodyComplete(exchange);
        }

        Object msg;
        while (null == blockedContent && null != (msg = backlog.poll()))
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
        if (null == blockedContent && !closing && inFlight.size() < maxPipelinedRequests)
        {
            ctx.channel().config().setAutoRead(true);
            resumedReading(System.nanoTime());
            ctx.read();
        }
    }

    /**
     * Offer the blocked body chunk again after a while, unless a look is already scheduled (a wake-up from the sink
     * may have run the retry in between).
     */
    private void scheduleBodyRetry(final RequestSink sink)
    {
        if (!bodyRetryPending)
        {
            bodyRetryPending = true;
            final long delayNs = sink.resumesBody() ? BODY_RESUME_CHECK_NS : BODY_RETRY_NS;
            ctx.executor().schedule(bodyRetryTimerTask, delayNs, TimeUnit.NANOSECONDS);
        }
    }

    private void onBodyRetryTimer()
    {
        bodyRetryPending = false;
        retryBody();
    }

    /**
     * The sink of the request being received can take its refused body chunk again.
     */
    void resumeBody(final ServerExchange exchange)
    {
        if (exchange == receiving && null != blockedContent)
        {
            ctx.executor().execute(retryBody);
        }
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
        lingerOnClose = true;
        receiving = null;
        receivingBody = false;
        draining = false;
        exchange.sendError(status, message);
        closing = true;
    }

    private String tooLarge(final String what)
    {
        return "request entity too large: " + what + " over the limit: limit=" + receivingMaxBodySize;
    }

    /**
     * Reading the socket starts again after the connection paused it (back-pressure, pipelining): the entity body
     * timer restarts, as the pause was not the client's.
     */
    private void resumedReading(final long nowNs)
    {
        if (null != receiving && receivingBody)
        {
            bodyProgressNs = nowNs;
            if (HttpConnectionConfig.DISABLED != receivingEntityBodyNs)
            {
                armTimer(nowNs, nowNs + receivingEntityBodyNs);
            }
        }
    }

    private void armHeadWait(final long nowNs)
    {
        if (!closing)
        {
            if (HttpConnectionConfig.DISABLED != headerWaitNs)
            {
                armTimer(nowNs, waitStartNs + headerWaitNs);
            }
            if (HttpConnectionConfig.DISABLED != idleConnectionNs)
            {
                armTimer(nowNs, waitStartNs + idleConnectionNs);
            }
        }
    }

    /**
     * Make sure the timer fires no later than a deadline: a no-op when it is already armed for that time or earlier.
     */
    private void armTimer(final long nowNs, final long deadlineNs)
    {
        final ScheduledFuture<?> armed = timer;
        if (null != armed)
        {
            if (deadlineNs - timerDeadlineNs >= 0)
            {
                return;
            }
            armed.cancel(false);
        }
        timerDeadlineNs = deadlineNs;
        timer = ctx.executor().schedule(timerTask, Math.max(0, deadlineNs - nowNs), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer()
    {
        final ScheduledFuture<?> armed = timer;
        if (null != armed)
        {
            timer = null;
            armed.cancel(false);
        }
    }

    private void onTimer()
    {
        timer = null;
        if (!ctx.channel().isActive())
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (lingering)
        {
            final long deadlineNs = lingerStartNs + lingerNs();
            if (nowNs - deadlineNs >= 0)
            {
                ctx.close();
            }
            else
            {
                armTimer(nowNs, deadlineNs);
            }
            return;
        }
        hasNextDeadline = false;
        checkTimers(nowNs);
        if (hasNextDeadline && ctx.channel().isActive())
        {
            armTimer(nowNs, nextDeadlineNs);
        }
    }

    /**
     * Act on every expired deadline; note the earliest one still ahead in {@link #nextDeadlineNs}.
     */
    private void checkTimers(final long nowNs)
    {
        if (!checkSendRate(nowNs) || closing)
        {
            return;
        }
        if (null == receiving)
        {
            checkHeadWait(nowNs);
        }
        else if (receivingBody && (draining || receiving.isDone()))
        {
            if (draining && isExpired(nowNs, drainStartNs, drainEntityBodyNs))
            {
                closeNow();
            }
        }
        else if (receivingBody && null == blockedContent && ctx.channel().config().isAutoRead())
        {
            if (isExpired(nowNs, bodyProgressNs, receivingEntityBodyNs))
            {
                rejectAndClose(receiving, 408, "request timeout: request body not received in time");
            }
        }
        if (!closing)
        {
            checkQueueWait(nowNs);
        }
    }

    private void checkHeadWait(final long nowNs)
    {
        if (hasPendingOutput())
        {
            // the previous response is still being sent (the send rate guards that): the wait starts after it
            waitStartNs = nowNs;
            armHeadWait(nowNs);
            return;
        }
        if (decoder.isAwaitingRequest())
        {
            if (inFlight.isEmpty() && isExpired(nowNs, waitStartNs, idleConnectionNs))
            {
                closeNow();
            }
        }
        else if (decoder.isReceivingHead() && isExpired(nowNs, waitStartNs, headerWaitNs))
        {
            rejectAndClose(enqueue(false, false, null), 408, "request timeout: request head not received in time");
        }
    }

    private void checkQueueWait(final long nowNs)
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
                    considerDeadline(deadlineNs);
                }
            }
            if (null != expired)
            {
                expired.sendError(503, "service unavailable: request waited too long in the queue");
            }
        }
        while (null != expired && !closing);
    }

    /**
     * Sample the send rate every quarter of its window while the connection has response bytes outstanding.
     */
    private void startSendRateSampling(final long nowNs)
    {
        if (null == sendRate || sendRateSampling || closing)
        {
            return;
        }
        sendRateSampling = true;
        sendRateIdleSinceNs = NONE;
        sendRateSampleDueNs = nowNs + sendRateSampleNs;
        armTimer(nowNs, sendRateSampleDueNs);
    }

    /**
     * @return false when the client accepted too little of a held-back response and the connection was closed.
     */
    private boolean checkSendRate(final long nowNs)
    {
        if (!sendRateSampling)
        {
            return true;
        }
        if (nowNs - sendRateSampleDueNs < 0)
        {
            considerDeadline(sendRateSampleDueNs);
            return true;
        }

        final Channel channel = ctx.channel();
        boolean kernelHolds = false;
        boolean windowClosed = false;
        int backoff = 0;
        long dataSentAgoNs = Long.MAX_VALUE;
        if (channel instanceof EpollSocketChannel epoll)
        {
            if (null == tcpInfo)
            {
                tcpInfo = new EpollTcpInfo();
            }
            try
            {
                epoll.tcpInfo(tcpInfo);
                backoff = tcpInfo.backoff();
                dataSentAgoNs = TimeUnit.MILLISECONDS.toNanos(tcpInfo.lastDataSent());
                kernelHolds = tcpInfo.unacked() > 0 || backoff > 0;
                windowClosed = tcpInfo.unacked() == 0 && backoff > 0;
            }
            catch (final RuntimeException ex)
            {
                // the socket is closing: the connection's own close handling follows
            }
        }
        final boolean stalled = !channel.isWritable() || windowClosed;
        if (SendRateWindow.TOO_SLOW == sendRate.sample(nowNs, bytesAccepted(), stalled, backoff, dataSentAgoNs))
        {
            // reset, as HTTP.sys does: what the kernel still holds for this client is dropped, not delivered later
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            closeNow();
            return false;
        }

        if (stalled || kernelHolds || hasPendingOutput())
        {
            sendRateIdleSinceNs = NONE;
        }
        else if (NONE == sendRateIdleSinceNs)
        {
            sendRateIdleSinceNs = nowNs;
        }
        else if (nowNs - sendRateIdleSinceNs >= SEND_RATE_IDLE_CONFIRM_NS)
        {
            // everything sent was acknowledged: sample again once more is written
            sendRateSampling = false;
            sendRate.reset();
            return true;
        }
        sendRateSampleDueNs = nowNs + sendRateSampleNs;
        considerDeadline(sendRateSampleDueNs);
        return true;
    }

    /**
     * @return true when a timer of {@code durationNs} started at {@code startNs} has run out; when it has not, its
     * deadline is considered for the next check. A disabled timer never runs out.
     */
    private boolean isExpired(final long nowNs, final long startNs, final long durationNs)
    {
        if (HttpConnectionConfig.DISABLED == durationNs)
        {
            return false;
        }
        final long deadlineNs = startNs + durationNs;
        if (nowNs - deadlineNs >= 0)
        {
            return true;
        }
        considerDeadline(deadlineNs);
        return false;
    }

    private void considerDeadline(final long deadlineNs)
    {
        if (!hasNextDeadline || deadlineNs - nextDeadlineNs < 0)
        {
            hasNextDeadline = true;
            nextDeadlineNs = deadlineNs;
        }
    }

    /**
     * @return response bytes the socket has taken since the connection opened: bytes written to the channel less
     * those still queued in it (Netty counts a fixed overhead per queued message, taken off here).
     */
    private long bytesAccepted()
    {
        final ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        if (null == outbound)
        {
            return bytesWritten;
        }
        final long pendingBytes = outbound.totalPendingWriteBytes() - OUTBOUND_ENTRY_OVERHEAD * outbound.size();
        return bytesWritten - Math.max(0, pendingBytes);
    }

    private boolean hasPendingOutput()
    {
        final ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return null != outbound && outbound.totalPendingWriteBytes() > 0;
    }

    /**
     * The response that ends the connection is flushed: half-close, then read and discard until the client closes,
     * the byte cap, or the linger time.
     */
    private void startLinger(final ChannelFuture flushed)
    {
        final Channel channel = ctx.channel();
        if (lingering || !channel.isActive())
        {
            return;
        }
        if (!flushed.isSuccess() || !(channel instanceof DuplexChannel duplex) || duplex.isInputShutdown())
        {
            channel.close();
            return;
        }
        lingering = true;
        lingerStartNs = System.nanoTime();
        cancelTimer();
        armTimer(lingerStartNs, lingerStartNs + lingerNs());
        if (null != ctx.pipeline().context(decoder))
        {
            // stop decoding: what the decoder still holds, and everything after, arrives here as bytes to discard
            ctx.pipeline().remove(decoder);
        }
        duplex.shutdownOutput().addListener((ChannelFutureListener)(future) ->
        {
            if (!future.isSuccess())
            {
                future.channel().close();
            }
        });
        channel.config().setAutoRead(true);
        channel.read();
    }

    private long lingerNs()
    {
        return HttpConnectionConfig.DISABLED == drainEntityBodyNs ? LINGER_DEFAULT_NS : drainEntityBodyNs;
    }

    private void closeNow()
    {
        closing = true;
        cancelTimer();
        abortAll();
        ctx.close();
    }

    private void abortAll()
    {
        ServerExchange exchange;
        while (null != (exchange = inFlight.pollFirst()))
        {
            exchange.abort();
        }
        receiving = null;
        if (null != blockedContent)
        {
            blockedContent.release();
            blockedContent = null;
        }
        Object msg;
        while (null != (msg = backlog.poll()))
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private static boolean isUnsupportedExpectation(final HttpRequest request)
    {
        final String expect = request.headers().get(HttpHeaderNames.EXPECT);
        return null != expect && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }

    private static String reasonOf(final Throwable cause)
    {
        final String reason = HttpResponseStatus.valueOf(statusOf(cause)).reasonPhrase().toLowerCase(Locale.ROOT);
        final String detail = null == cause ? null : cause.getMessage();
        return null == detail ? reason : reason + ": " + detail;
    }

    private static int statusOf(final Throwable cause)
    {
        if (cause instanceof HttpStatusException refusal)
        {
            return refusal.status();
        }
        if (cause instanceof TooLongHttpLineException)
        {
            return 414;
        }
        if (cause instanceof TooLongHttpHeaderException)
        {
            return 431;
        }
        if (cause instanceof TooLongFrameException)
        {
            return 413;
        }
        return 400;
    }
}
