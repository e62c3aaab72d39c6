package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
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
import io.sluice.listener.hosting.QueueBinding;
import io.sluice.listener.hosting.RequestSink;
import io.sluice.listener.routing.PathNormalizer;
import io.sluice.listener.routing.PrefixRouter;
import io.sluice.listener.routing.RequestTargets;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The per-connection HTTP/1.1 stage behind Netty's request decoder: validates and routes each request, admits it to
 * its queue, hands it to the queue's host, streams its body with back-pressure, and writes responses in request order
 * (pipelining) with one flush per event-loop turn.
 * <p>
 * Pipeline position: after {@code HttpRequestDecoder}; it writes response bytes itself (no response encoder).
 * Event-loop confined.
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter
{
    private static final long BODY_RETRY_NS = TimeUnit.MICROSECONDS.toNanos(50);

    private final PrefixRouter<QueueBinding> router;
    private final int maxPipelinedRequests;
    private final ArrayDeque<ServerExchange> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private final Runnable retryBody = this::retryBody;
    private ChannelHandlerContext ctx;
    private FlushBatcher batcher;
    private String remoteAddress = "";
    private int remotePort;
    private int localPort;
    private ServerExchange receiving;
    private boolean receivingBody;
    private HttpContent blockedContent;
    private boolean flushRequested;
    private boolean closing;
    private boolean closeAfterFlush;

    /**
     * @param router               URL-prefix table built at start-up.
     * @param maxPipelinedRequests most requests in flight before reading pauses.
     */
    public HttpConnectionHandler(final PrefixRouter<QueueBinding> router, final int maxPipelinedRequests)
    {
        this.router = router;
        this.maxPipelinedRequests = maxPipelinedRequests;
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
        ctx.fireChannelActive();
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
        abortAll();
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        closing = true;
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

    int remotePort()
    {
        return remotePort;
    }

    boolean isClosing()
    {
        return closing;
    }

    void write(final ByteBuf buf)
    {
        if (closeAfterFlush && !ctx.channel().isActive())
        {
            buf.release();
            return;
        }
        ctx.write(buf, ctx.voidPromise());
        if (!flushRequested)
        {
            flushRequested = true;
            batcher.flushLater(ctx);
        }
    }

    void flushNow()
    {
        flushRequested = false;
        if (closeAfterFlush)
        {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        else
        {
            ctx.flush();
        }
    }

    void responseComplete(final ServerExchange exchange)
    {
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

        if (inFlight.size() < maxPipelinedRequests && !ctx.channel().config().isAutoRead() && null == blockedContent)
        {
            ctx.channel().config().setAutoRead(true);
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

        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        final String uri = request.uri();
        CharSequence hostHeader = hosts.isEmpty() ? null : hosts.get(0);
        CharSequence pathAndQuery = uri;
        if (RequestTargets.isAbsoluteForm(uri))
        {
            hostHeader = RequestTargets.authority(uri);
            pathAndQuery = RequestTargets.pathAndQuery(uri);
        }

        if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion() == HttpVersion.HTTP_1_1))
        {
            rejectAndClose(enqueue(headRequest, false, null), 400, "bad request: one Host header required");
            return;
        }

        final String path = null == pathAndQuery ? null : PathNormalizer.normalize(pathAndQuery);
        if (null == path)
        {
            rejectAndClose(enqueue(headRequest, false, null), 400, "bad request: invalid request target");
            return;
        }

        // the decoder validated the framing: one Content-Length of digits, or chunked, or no body (RFC 9112 6.3)
        final String declaredLength = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        final long contentLength = HttpUtil.isTransferEncodingChunked(request) ?
            -1 : null == declaredLength ? 0 : Long.parseLong(declaredLength);
        final QueueBinding binding = router.route(hostHeader, localPort, path);
        final ServerExchange exchange = enqueue(headRequest, keepAlive, null == binding ? null : binding.applicationPath());
        receiving = exchange;
        receivingBody = contentLength != 0;
        if (!receivingBody)
        {
            exchange.requestBodyComplete();
        }

        if (null == binding)
        {
            exchange.sendError(404, "not found");
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

        exchange.queueOnly(binding.queue());
        if (receivingBody && HttpUtil.is100ContinueExpected(request))
        {
            // before the host sees the request: an in-process handler may answer within open()
            exchange.sendContinue();
        }
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

        final RequestSink sink = exchange.sink();
        if (receivingBody && null != sink && !exchange.isDone())
        {
            if (!sink.body(content.content(), last))
            {
                blockedContent = content;
                ctx.channel().config().setAutoRead(false);
                ctx.executor().schedule(retryBody, BODY_RETRY_NS, TimeUnit.NANOSECONDS);
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
            ctx.executor().schedule(retryBody, BODY_RETRY_NS, TimeUnit.NANOSECONDS);
            return;
        }

        blockedContent = null;
        content.release();
        if (last && null != exchange)
        {
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
            ctx.read();
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
        receiving = null;
        receivingBody = false;
        exchange.sendError(status, message);
        closing = true;
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
