package io.sluice.dispatch.worker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.dispatch.buffer.ByteBufViews;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
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
 * Tunnel: once the handler answers {@code 101 Switching Protocols} ({@link #upgraded}), the HTTP codec leaves the
 * pipeline; every byte the listener sends after is handed to the handler through {@link Handler#onBody} (the end of
 * the listener's output, a half-close, as the last chunk), and the handler's go out as they are; the end of the
 * tunnel closes the connection.
 * <p>
 * Threading: event-loop confined, except its {@link LoopbackHop}, which the exchange uses from the handler's
 * threads.
 */
final class LoopbackConnectionHandler extends ChannelInboundHandlerAdapter
{
    private static final Logger LOG = Logger.getLogger(LoopbackConnectionHandler.class.getName());
    private static final byte[] EMPTY = new byte[0];

    /**
     * Name of the HTTP codec in the connection's pipeline, before this handler; it leaves when the exchange switches
     * protocols.
     */
    static final String HTTP_CODEC_NAME = "http";

    private final HandlerInvoker invoker;
    private final LoopbackRequestGate gate;
    private final Runnable onShutdown;
    private final LoopbackConnectionGuard guard;
    private final UnsafeBuffer bodyView = new UnsafeBuffer(EMPTY);
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private LoopbackHop hop;
    private String peerAddress = "";
    private LoopbackExchange current;
    private LoopbackExchange shutdownExchange;
    private LoopbackExchange writableWaiter;
    private LoopbackExchange tunnel;
    private boolean tunnelInputEnded;
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
        this.gate = new LoopbackRequestGate(token, applicationPath);
        this.onShutdown = onShutdown;
        this.guard = guard;
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.hop = new LoopbackHop(ctx.channel());
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
        if (null != tunnel && msg instanceof ByteBuf bytes)
        {
            tunnelInput(bytes, false);
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
        if (null != waiting && hop.isWritable())
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
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (ChannelInputShutdownEvent.INSTANCE == evt && null != tunnel && !closing)
        {
            // the listener ended its output (its client half-closed): the handler's input ends, it may still send
            tunnelInput(Unpooled.EMPTY_BUFFER, true);
        }
        ctx.fireUserEventTriggered(evt);
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
     * @return the bytes on their way to this connection from handler threads.
     */
    LoopbackHop hop()
    {
        return hop;
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
     * The exchange's {@code 101} head was written: the HTTP codec leaves the connection, whose bytes from here are the
     * tunnel's, and half-closure is allowed so that the end of the listener's output reaches the handler. Event loop
     * only.
     *
     * @param exchange the exchange that switched protocols.
     */
    void upgraded(final LoopbackExchange exchange)
    {
        if (exchange != current)
        {
            return;
        }
        tunnel = exchange;
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, Boolean.TRUE);
        final ChannelPipeline pipeline = ctx.pipeline();
        if (null != pipeline.get(HTTP_CODEC_NAME))
        {
            // what the decoder still holds comes here as bytes
            pipeline.remove(HTTP_CODEC_NAME);
        }
        // a request after it was never the listener's to send: what the backlog holds is dropped
        releaseBacklog();
        updateAutoRead();
    }

    private void tunnelInput(final ByteBuf bytes, final boolean last)
    {
        final LoopbackExchange exchange = tunnel;
        try
        {
            if (tunnelInputEnded || exchange.isComplete() || exchange.isAborted())
            {
                return;
            }
            tunnelInputEnded = last;
            final int length = wrap(bytes);
            try
            {
                invoker.onBody(exchange, bodyView, 0, length, last);
            }
            finally
            {
                bodyView.wrap(EMPTY);
            }
        }
        finally
        {
            ReferenceCountUtil.release(bytes);
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
     * The exchange's handler is owed {@link Handler#onWritable(Exchange)}: call it once the connection has room (at
     * once, in a later task, if it has room now). Event loop only.
     */
    void notifyWhenWritable(final LoopbackExchange exchange)
    {
        if (exchange != current)
        {
            return;
        }
        if (hop.isWritable())
        {
            ctx.channel().eventLoop().execute(() -> tellWritable(exchange));
        }
        else
        {
            writableWaiter = exchange;
        }
    }

    private void tellWritable(final LoopbackExchange exchange)
    {
        if (exchange != current || !exchange.takeWritableOwed())
        {
            return;
        }
        if (!hop.isWritable())
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
        if (!(request.headers() instanceof LoopbackRequestFields fields))
        {
            begin(request, 0).reply(400, "bad request: missing or wrong Sluice-Token", true);
            return;
        }
        // the framing as decoded, before the field the listener added for it leaves
        final long contentLength = HttpUtil.isTransferEncodingChunked(request) ?
            Exchange.UNKNOWN_LENGTH : HttpUtil.getContentLength(request, 0L);
        fields.endOfHead();
        final String probe = fields.event();
        if (null != probe && LoopbackProtocol.READY_EVENT.equalsIgnoreCase(probe.trim()))
        {
            answerReadiness(request, fields.get(LoopbackProtocol.SLUICE_CHALLENGE));
            return;
        }
        if (!gate.tokenMatches(fields.token()))
        {
            begin(request, 0).reply(400, "bad request: missing or wrong Sluice-Token", true);
            return;
        }
        if (null != guard)
        {
            guard.trust();
        }

        final String event = fields.event();
        if (null != event)
        {
            final LoopbackExchange exchange = begin(request, contentLength);
            if (LoopbackProtocol.SHUTDOWN_EVENT.equalsIgnoreCase(event.trim()))
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
        exchange.forwardedFor(fields.forwardedFor());
        exchange.tls(fields.tls());
        if (!gate.isInApplication(exchange.path(), fields.applicationPath()))
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
        if (!LoopbackRequestGate.isValidChallenge(challenge))
        {
            exchange.reply(400, "bad request: missing or invalid Sluice-Challenge", true);
            return;
        }
        final String proof;
        try
        {
            proof = gate.proof(challenge);
        }
        catch (final GeneralSecurityException ex)
        {
            LOG.log(Level.WARNING, "cannot answer the readiness probe", ex);
            exchange.reply(500, "internal server error", true);
            return;
        }
        exchange.responseHeader(LoopbackProtocol.SLUICE_PROOF.toString(), proof);
        exchange.reply(200, LoopbackProtocol.READY_EVENT, true);
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

    private void releaseBacklog()
    {
        Object msg;
        while (null != (msg = backlog.pollFirst()))
        {
            ReferenceCountUtil.release(msg);
        }
    }
}
