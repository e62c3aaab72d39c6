package io.sluice.dispatch.worker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.sluice.dispatch.buffer.ByteBufViews;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection to a loopback worker, behind Netty's {@code HttpServerCodec}: answers the listener's readiness probe
 * ({@code Sluice-Event: ready}, with the proof of the token), checks each other request's {@code Sluice-Token},
 * answers the listener's {@code Sluice-Event: shutdown}, refuses paths outside the application path, and hands the
 * rest to the {@link Handler} through a {@link LoopbackExchange}.
 * <p>
 * Requests on a connection are answered in order: a pipelined request waits (and reading pauses) until the response
 * before it is complete. Responses written during a read are flushed once, in {@link #channelReadComplete}; responses
 * written at any other time are flushed at once. Reading also pauses while the connection is over its write limit,
 * so a peer that does not read cannot make the worker buffer without bound.
 * <p>
 * Threading: event-loop confined, except {@link #hopped}, {@link #landed}, {@link #isWritable} and
 * {@link #awaitWritable}, which the exchange calls from the handler's threads.
 */
final class LoopbackConnectionHandler extends ChannelInboundHandlerAdapter
{
    static final AsciiString SLUICE_TOKEN = LoopbackProtocol.SLUICE_TOKEN;
    static final AsciiString SLUICE_EVENT = LoopbackProtocol.SLUICE_EVENT;
    static final AsciiString SLUICE_APPL_PATH = LoopbackProtocol.SLUICE_APPL_PATH;
    static final AsciiString X_FORWARDED_FOR = LoopbackProtocol.X_FORWARDED_FOR;
    static final AsciiString X_FORWARDED_PROTO = LoopbackProtocol.X_FORWARDED_PROTO;
    static final AsciiString SLUICE_CHALLENGE = LoopbackProtocol.SLUICE_CHALLENGE;
    static final AsciiString SLUICE_PROOF = LoopbackProtocol.SLUICE_PROOF;
    static final String SHUTDOWN_EVENT = LoopbackProtocol.SHUTDOWN_EVENT;
    static final String READY_EVENT = LoopbackProtocol.READY_EVENT;

    /**
     * Longest challenge answered: {@value} characters.
     */
    static final int MAX_CHALLENGE_LENGTH = 256;

    /**
     * Bytes handed over from other threads and not yet written, past which {@code sendBody} waits: {@value}.
     */
    static final long HOP_HIGH_WATER_MARK_LENGTH = 256 * 1024;

    private static final Logger LOG = Logger.getLogger(LoopbackConnectionHandler.class.getName());
    private static final long BACK_PRESSURE_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final byte[] EMPTY = new byte[0];
    private static final String HMAC = "HmacSHA256";

    private final HandlerInvoker invoker;
    private final byte[] token;
    private final String applicationPath;
    private final Runnable onShutdown;
    private final LoopbackConnectionGuard guard;
    private final UnsafeBuffer bodyView = new UnsafeBuffer(EMPTY);
    private final UnsafeBuffer copyView = new UnsafeBuffer(EMPTY);
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private final AtomicLong hopLength = new AtomicLong();
    private ChannelHandlerContext ctx;
    private String peerAddress = "";
    private LoopbackExchange current;
    private LoopbackExchange shutdownExchange;
    private LoopbackExchange writableWaiter;
    private boolean receiving;
    private boolean reading;
    private boolean flushPending;
    private boolean draining;
    private boolean closing;

    /**
     * @param invoker         calls the application under the failure policy.
     * @param token           the secret every request must carry, as bytes.
     * @param applicationPath the path the worker serves, ending with {@code /}.
     * @param onShutdown      run once the acknowledgement of a shutdown event is written.
     * @param guard           the connection's timers, told when a request carried the token.
     */
    LoopbackConnectionHandler(
        final HandlerInvoker invoker,
        final byte[] token,
        final String applicationPath,
        final Runnable onShutdown,
        final LoopbackConnectionGuard guard)
    {
        this.invoker = invoker;
        this.token = token;
        this.applicationPath = applicationPath;
        this.onShutdown = onShutdown;
        this.guard = guard;
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote)
        {
            peerAddress = remote.getAddress().getHostAddress();
        }
        ctx.fireChannelActive();
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        reading = true;
        if (closing)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!backlog.isEmpty() || (null != current && !receiving))
        {
            backlog.addLast(msg);
            updateAutoRead();
            return;
        }
        handle(msg);
    }

    /**
     * {@inheritDoc}
     */
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        reading = false;
        if (flushPending)
        {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        updateAutoRead();
        final LoopbackExchange waiting = writableWaiter;
        if (null != waiting && isWritable())
        {
            writableWaiter = null;
            tellWritable(waiting);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        closing = true;
        final LoopbackExchange exchange = current;
        current = null;
        if (null != exchange && !exchange.isComplete() && !exchange.isAborted())
        {
            exchange.abort();
            if (exchange.isDispatched())
            {
                invoker.onAbort(exchange);
            }
        }
        releaseBacklog();
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.log(Level.FINE, "loopback connection failed", cause);
        closing = true;
        ctx.close();
    }

    EventLoop eventLoop()
    {
        return ctx.channel().eventLoop();
    }

    String peerAddress()
    {
        return peerAddress;
    }

    /**
     * Copy bytes into a buffer from the connection's allocator. Event loop only.
     */
    ByteBuf copy(final DirectBuffer src, final int offset, final int length)
    {
        if (length == 0)
        {
            return Unpooled.EMPTY_BUFFER;
        }
        final ByteBuf buf = ctx.alloc().directBuffer(length);
        if (buf.hasMemoryAddress())
        {
            copyView.wrap(buf.memoryAddress() + buf.writerIndex(), length);
            src.getBytes(offset, copyView, 0, length);
            copyView.wrap(EMPTY);
        }
        else
        {
            src.getBytes(offset, buf.nioBuffer(buf.writerIndex(), length), 0, length);
        }
        buf.writerIndex(buf.writerIndex() + length);
        return buf;
    }

    /**
     * Write a response part: flushed at the end of the current read, or at once outside a read. Event loop only.
     */
    void write(final Object msg)
    {
        if (closing && !ctx.channel().isActive())
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.write(msg, ctx.voidPromise());
        if (reading)
        {
            flushPending = true;
        }
        else
        {
            ctx.flush();
        }
    }

    /**
     * The current exchange's response is complete: close, or go on with the next pipelined request. Event loop only.
     */
    void responseComplete(final LoopbackExchange exchange)
    {
        if (exchange != current)
        {
            return;
        }
        if (!exchange.keepAlive())
        {
            closing = true;
            current = null;
            releaseBacklog();
            flushPending = false;
            final boolean shutdown = exchange == shutdownExchange;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(
                (ChannelFutureListener)(future) ->
                {
                    future.channel().close();
                    if (shutdown)
                    {
                        onShutdown.run();
                    }
                });
            return;
        }
        if (!receiving)
        {
            next();
        }
    }

    /**
     * A handler thread handed bytes to the event loop.
     */
    void hopped(final int length)
    {
        hopLength.addAndGet(length);
    }

    /**
     * Bytes handed over by a handler thread reached the event loop.
     */
    void landed(final int length)
    {
        hopLength.addAndGet(-length);
    }

    /**
     * @return true while the connection is under its write-buffer high water mark and handler threads have at most
     * {@link #HOP_HIGH_WATER_MARK_LENGTH} bytes on their way to it. Any thread.
     */
    boolean isWritable()
    {
        return hopLength.get() <= HOP_HIGH_WATER_MARK_LENGTH && ctx.channel().isWritable();
    }

    /**
     * The exchange's handler is owed {@link Handler#onWritable(Exchange)}: call it once the connection has room (at
     * once, in a later task, if it has room now). Event loop only.
     */
    void notifyWhenWritable(final LoopbackExchange exchange)
    {
        if (exchange != current)
        {
            return;
        }
        if (isWritable())
        {
            ctx.channel().eventLoop().execute(() -> tellWritable(exchange));
        }
        else
        {
            writableWaiter = exchange;
        }
    }

    /**
     * Back-pressure for handler threads that send on after {@code sendBody} answered false: wait while the connection
     * holds more than it may.
     */
    void awaitWritable(final LoopbackExchange exchange)
    {
        final Channel channel = ctx.channel();
        while ((hopLength.get() > HOP_HIGH_WATER_MARK_LENGTH || !channel.isWritable()) &&
            channel.isActive() && !exchange.isAborted())
        {
            LockSupport.parkNanos(BACK_PRESSURE_PARK_NS);
        }
    }

    private void tellWritable(final LoopbackExchange exchange)
    {
        if (exchange != current || !exchange.takeWritableOwed())
        {
            return;
        }
        if (!isWritable())
        {
            // filled up again meanwhile: the call is still owed
            exchange.oweWritable();
            writableWaiter = exchange;
            return;
        }
        invoker.onWritable(exchange);
    }

    private void handle(final Object msg)
    {
        try
        {
            if (msg instanceof HttpRequest request)
            {
                onRequest(request);
            }
            if (msg instanceof HttpContent content)
            {
                onContent(content);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(final HttpRequest request)
    {
        if (request.decoderResult().isFailure())
        {
            begin(request, 0).reply(400, "bad request", true);
            return;
        }
        final HttpHeaders headers = request.headers();
        final String probe = headers.get(SLUICE_EVENT);
        if (null != probe && READY_EVENT.equalsIgnoreCase(probe.trim()))
        {
            answerReadiness(request, headers.get(SLUICE_CHALLENGE));
            return;
        }
        if (!tokenMatches(headers.get(SLUICE_TOKEN)))
        {
            begin(request, 0).reply(400, "bad request: missing or wrong Sluice-Token", true);
            return;
        }
        headers.remove(SLUICE_TOKEN);
        if (null != guard)
        {
            guard.trust();
        }

        final long contentLength = HttpUtil.isTransferEncodingChunked(request) ?
            Exchange.UNKNOWN_LENGTH : HttpUtil.getContentLength(request, 0L);
        final String event = headers.get(SLUICE_EVENT);
        final String forwardedFor = headers.get(X_FORWARDED_FOR);
        final String matchedPath = headers.get(SLUICE_APPL_PATH);
        hideTransportFields(headers);
        if (null != event)
        {
            final LoopbackExchange exchange = begin(request, contentLength);
            if (SHUTDOWN_EVENT.equalsIgnoreCase(event.trim()))
            {
                LOG.info("loopback worker: shutdown requested by the listener");
                shutdownExchange = exchange;
                exchange.reply(200, "stopping", true);
            }
            else
            {
                exchange.reply(400, "bad request: unknown Sluice-Event", false);
            }
            return;
        }

        final LoopbackExchange exchange = begin(request, contentLength);
        exchange.forwardedFor(forwardedFor);
        if (!isInApplication(exchange.path(), matchedPath))
        {
            exchange.reply(404, "not found", false);
            return;
        }
        exchange.dispatch();
        invoker.onRequest(exchange);
    }

    /**
     * The listener's readiness probe (no token): prove this process holds the token by answering the challenge with
     * its HMAC-SHA256 keyed with the token, then close. The token itself never leaves the worker.
     */
    private void answerReadiness(final HttpRequest request, final String challenge)
    {
        final LoopbackExchange exchange = begin(request, 0);
        if (null == challenge || challenge.isEmpty() || challenge.length() > MAX_CHALLENGE_LENGTH ||
            !isHex(challenge))
        {
            exchange.reply(400, "bad request: missing or invalid Sluice-Challenge", true);
            return;
        }
        final String proof;
        try
        {
            final Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(token, HMAC));
            proof = HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final GeneralSecurityException ex)
        {
            LOG.log(Level.WARNING, "cannot answer the readiness probe", ex);
            exchange.reply(500, "internal server error", true);
            return;
        }
        exchange.responseHeader(SLUICE_PROOF.toString(), proof);
        exchange.reply(200, READY_EVENT, true);
    }

    private static boolean isHex(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A queue may have several prefixes with different paths, while the environment names the first: the listener
     * says which prefix matched in {@code Sluice-Appl-Path}, trusted because the request carried the token.
     */
    private boolean isInApplication(final String path, final String matched)
    {
        if (LoopbackPaths.isUnder(path, applicationPath))
        {
            return true;
        }
        return null != matched && LoopbackPaths.isUnder(path, LoopbackPaths.withTrailingSlash(matched));
    }

    /**
     * Give the handler the fields a handler of the in-process or shared-memory model would see: remove those the
     * listener adds for the hop to this worker ({@code X-Forwarded-For}, {@code X-Forwarded-Proto},
     * {@code Sluice-*}, and the {@code Content-Length} or {@code Transfer-Encoding} it writes after
     * {@code X-Forwarded-For} when the client sent no such framing). The listener never forwards a client's copy of
     * these, and writes its own after the client's fields, {@code X-Forwarded-For} first; the client's
     * {@code Content-Length} stays in its place. What they carry is {@link Exchange#remoteAddress()} and
     * {@link Exchange#contentLength()}. Called after the request head was decoded: the body's framing is already
     * known.
     */
    static void hideTransportFields(final HttpHeaders headers)
    {
        boolean afterForwardedFor = false;
        boolean addedLength = false;
        boolean addedChunked = false;
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext())
        {
            final CharSequence name = it.next().getKey();
            if (X_FORWARDED_FOR.contentEqualsIgnoreCase(name))
            {
                afterForwardedFor = true;
            }
            else if (afterForwardedFor && HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name))
            {
                addedLength = true;
            }
            else if (afterForwardedFor && HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name))
            {
                addedChunked = true;
            }
        }
        headers.remove(X_FORWARDED_FOR);
        headers.remove(X_FORWARDED_PROTO);
        headers.remove(SLUICE_APPL_PATH);
        headers.remove(SLUICE_EVENT);
        headers.remove(SLUICE_TOKEN);
        if (addedLength)
        {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        if (addedChunked)
        {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
    }

    private LoopbackExchange begin(final HttpRequest request, final long contentLength)
    {
        final boolean keepAlive = !request.decoderResult().isFailure() && HttpUtil.isKeepAlive(request);
        final LoopbackExchange exchange = new LoopbackExchange(this, request, contentLength, keepAlive);
        current = exchange;
        receiving = true;
        return exchange;
    }

    private void onContent(final HttpContent content)
    {
        final LoopbackExchange exchange = current;
        if (null == exchange || !receiving)
        {
            return;
        }
        final boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure())
        {
            receiving = false;
            if (!exchange.isHeadSent())
            {
                exchange.reply(400, "bad request: invalid body", true);
            }
            closing = true;
            ctx.close();
            return;
        }
        if (exchange.isDispatched() && exchange.hasBody() && !exchange.isComplete() && !exchange.isAborted())
        {
            final ByteBuf data = content.content();
            final int length = wrap(data);
            try
            {
                invoker.onBody(exchange, bodyView, 0, length, last);
            }
            finally
            {
                bodyView.wrap(EMPTY);
            }
        }
        if (last)
        {
            receiving = false;
            if (exchange.isComplete() && exchange == current)
            {
                next();
            }
        }
    }

    private int wrap(final ByteBuf data)
    {
        final int length = data.readableBytes();
        ByteBufViews.wrap(bodyView, data, length);
        return length;
    }

    private void next()
    {
        current = null;
        if (draining)
        {
            return;
        }
        draining = true;
        try
        {
            Object msg;
            while (!closing && (null == current || receiving) && null != (msg = backlog.pollFirst()))
            {
                handle(msg);
            }
        }
        finally
        {
            draining = false;
        }
        updateAutoRead();
    }

    private void updateAutoRead()
    {
        final Channel channel = ctx.channel();
        final boolean wanted = !closing && backlog.isEmpty() && channel.isWritable();
        if (channel.config().isAutoRead() != wanted)
        {
            channel.config().setAutoRead(wanted);
        }
    }

    private boolean tokenMatches(final String presented)
    {
        return null != presented && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.US_ASCII));
    }

    private void releaseBacklog()
    {
        Object msg;
        while (null != (msg = backlog.pollFirst()))
        {
            ReferenceCountUtil.release(msg);
        }
    }
}
