package io.sluice.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.sluice.listener.counters.PrometheusText;
import io.sluice.listener.http.DateHeader;
import io.sluice.listener.http.LingeringCloseHandler;
import io.sluice.listener.http.SendRateWindow;
import io.sluice.listener.http.StrictDecoderConfig;
import io.sluice.listener.http.StrictRequestDecoder;
import io.sluice.listener.queue.ResponseHeads;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One admin connection: its decoder, its timers, its backlog of decoded requests waiting for the socket to drain,
 * and the answers ({@link AdminServer} has the limits it keeps). Event-loop confined.
 */
final class AdminConnection extends ChannelInboundHandlerAdapter
{
    private static final int HEAD_LENGTH_ESTIMATE = 256;
    private static final String CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final String JSON_CONTENT_TYPE = "application/json";
    private static final String ALLOW = "GET, HEAD";
    private static final StrictDecoderConfig DECODER_CONFIG = new StrictDecoderConfig()
        .maxInitialLineLength(AdminServer.MAX_REQUEST_LENGTH)
        .maxUrlLength(AdminServer.MAX_REQUEST_LENGTH)
        .maxFieldLength(AdminServer.MAX_REQUEST_LENGTH)
        .maxHeaderSize(AdminServer.MAX_REQUEST_LENGTH)
        .maxRequestBodySize(AdminServer.MAX_REQUEST_LENGTH)
        .maxChunkSize(AdminServer.READ_LENGTH);

    private final Channel ch;
    private final StrictRequestDecoder decoder = new StrictRequestDecoder(DECODER_CONFIG);
    private final AdminTimeouts timeouts;
    private final AdminCounters counters;
    private final Supplier<String> metrics;
    private final Function<String, String> documents;
    private final AdminOperations operations;
    private final ArrayDeque<AdminAnswer> backlog = new ArrayDeque<>();
    private final SendRateWindow sendRate;
    private final ScheduledFuture<?> timer;
    private final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter()
    {
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof ByteBuf buf && buf.isReadable())
            {
                if (lingering)
                {
                    lingerLength += buf.readableBytes();
                    if (lingerLength > LingeringCloseHandler.LINGER_MAX_BYTES)
                    {
                        ctx.close();
                    }
                }
                final long nowNs = System.nanoTime();
                lastActivityNs = nowNs;
                if (decoder.isAwaitingRequest())
                {
                    headStartNs = nowNs;
                }
            }
            ctx.fireChannelRead(msg);
        }
    };
    private AdminAnswer receiving;
    private boolean closing;
    private boolean lingering;
    private long lingerStartNs;
    private long lingerLength;
    private long writtenBytes;
    private long headStartNs = System.nanoTime();
    private long lastActivityNs = headStartNs;

    /**
     * @param ch       the admin connection.
     * @param timeouts the admin port's time limits.
     * @param counters the admin port's counters, shared by its connections.
     * @param metrics  makes the text of {@code /metrics} when it is answered.
     */
    AdminConnection(
        final Channel ch, final AdminTimeouts timeouts, final AdminCounters counters, final Supplier<String> metrics)
    {
        this(ch, timeouts, counters, metrics, (path) -> null);
    }

    /**
     * @param ch        the admin connection.
     * @param timeouts  the admin port's time limits.
     * @param counters  the admin port's counters, shared by its connections.
     * @param metrics   makes the text of {@code /metrics} when it is answered.
     * @param documents the text of a further path (e.g. {@code /config}), or null for a path not served.
     */
    AdminConnection(
        final Channel ch,
        final AdminTimeouts timeouts,
        final AdminCounters counters,
        final Supplier<String> metrics,
        final Function<String, String> documents)
    {
        this(ch, timeouts, counters, metrics, documents, null);
    }

    /**
     * @param ch         the admin connection.
     * @param timeouts   the admin port's time limits.
     * @param counters   the admin port's counters, shared by its connections.
     * @param metrics    makes the text of {@code /metrics} when it is answered.
     * @param documents  the text of a further path (e.g. {@code /config}), or null for a path not served.
     * @param operations the status document and queue operations, or null for none.
     */
    AdminConnection(
        final Channel ch,
        final AdminTimeouts timeouts,
        final AdminCounters counters,
        final Supplier<String> metrics,
        final Function<String, String> documents,
        final AdminOperations operations)
    {
        this.documents = documents;
        this.operations = operations;
        this.ch = ch;
        this.timeouts = timeouts;
        this.counters = counters;
        this.metrics = metrics;
        this.sendRate = new SendRateWindow(AdminServer.MIN_SEND_RATE, timeouts.sendRateGraceNs());
        this.timer = ch.eventLoop().scheduleAtFixedRate(
            this::onTimer, timeouts.timerPeriodMs(), timeouts.timerPeriodMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * Put the connection's stages in its pipeline: the byte watcher (activity and lingering), the decoder, and this.
     */
    void install()
    {
        ch.pipeline()
            .addLast(bytes)
            .addLast(decoder)
            .addLast(this);
    }

    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (closing)
            {
                return;
            }
            if (msg instanceof HttpRequest request)
            {
                receiving = AdminAnswer.to(request, documents);
                if (receiving.status() == HttpResponseStatus.NOT_FOUND.code() && null != operations)
                {
                    // the status document and the queue operations
                    final AdminAnswer operation = operations.answer(request, receiving);
                    receiving = null == operation ? receiving : operation;
                }
                if (request.decoderResult().isFailure())
                {
                    // the decoder refused the request and emits nothing after it: answer now, then close
                    final AdminAnswer refusal = receiving;
                    receiving = null;
                    admit(ctx, refusal);
                    return;
                }
            }
            if (msg instanceof LastHttpContent last && null != receiving)
            {
                final AdminAnswer answer = last.decoderResult().isFailure() ?
                    AdminAnswer.refusalOf(last.decoderResult().cause()) : receiving;
                receiving = null;
                // the next head, if any, is timed from the end of this request
                headStartNs = System.nanoTime();
                lastActivityNs = headStartNs;
                admit(ctx, answer);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void admit(final ChannelHandlerContext ctx, final AdminAnswer answer)
    {
        if (backlog.isEmpty() && ch.isWritable())
        {
            answer(ctx, answer);
        }
        else if (backlog.size() < AdminServer.BACKLOG_MAX)
        {
            backlog.addLast(answer);
        }
        else
        {
            ctx.close();
            return;
        }
        updateAutoRead();
    }

    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        AdminAnswer answer;
        while (!closing && ch.isWritable() && null != (answer = backlog.pollFirst()))
        {
            answer(ctx, answer);
        }
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    public void channelInactive(final ChannelHandlerContext ctx)
    {
        timer.cancel(false);
        closing = true;
        backlog.clear();
        ctx.fireChannelInactive();
    }

    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }

    private void updateAutoRead()
    {
        final boolean wanted = lingering || (!closing && backlog.isEmpty() && ch.isWritable());
        if (ch.config().isAutoRead() != wanted)
        {
            if (wanted && isReceivingRequest())
            {
                // the head waited on the listener, not on the client: its time starts again
                headStartNs = System.nanoTime();
            }
            ch.config().setAutoRead(wanted);
        }
    }

    private void onTimer()
    {
        if (!ch.isActive())
        {
            timer.cancel(false);
            return;
        }
        final long nowNs = System.nanoTime();
        final long pendingLength = pendingOutboundLength();
        if (SendRateWindow.TOO_SLOW ==
            sendRate.sample(nowNs, writtenBytes - pendingLength, pendingLength > 0, 0, Long.MAX_VALUE))
        {
            // the client does not take its answers: reset, dropping what is pending, as the data plane does
            counters.slowClosed();
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            closing = true;
            ch.close();
            return;
        }
        if (lingering && nowNs - lingerStartNs > LingeringCloseHandler.LINGER_DEFAULT_NS)
        {
            ch.close();
            return;
        }
        if (closing)
        {
            return;
        }
        if (timeouts.headerWaitNs() > 0 && ch.config().isAutoRead() && isReceivingRequest() &&
            nowNs - headStartNs > timeouts.headerWaitNs())
        {
            if (backlog.isEmpty() && 0 == pendingLength)
            {
                answer(ch.pipeline().context(this), AdminAnswer.refusal(
                    HttpResponseStatus.REQUEST_TIMEOUT.code(), "request timeout: request head not received"));
            }
            else
            {
                ch.close();
            }
        }
        else if (timeouts.idleConnectionNs() > 0 && backlog.isEmpty() && 0 == pendingLength &&
            nowNs - lastActivityNs > timeouts.idleConnectionNs())
        {
            ch.close();
        }
    }

    /**
     * Close after the last answer as the data plane does (RFC 9112 9.6): shut the output, then read and discard
     * what the client still sends, so that it is not reset before it has read the answer, until it closes, or
     * {@link LingeringCloseHandler#LINGER_MAX_BYTES} or {@link LingeringCloseHandler#LINGER_DEFAULT_NS} pass.
     */
    private void linger(final Future<? super Void> flushed)
    {
        if (!flushed.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel duplex) ||
            duplex.isInputShutdown())
        {
            ch.close();
            return;
        }
        lingering = true;
        lingerStartNs = System.nanoTime();
        duplex.shutdownOutput().addListener((ChannelFutureListener)(future) ->
        {
            if (!future.isSuccess())
            {
                future.channel().close();
            }
        });
        updateAutoRead();
    }

    /**
     * @return true from the first byte of a request to its last: the header wait bounds the whole request (its
     * body, of at most {@value AdminServer#MAX_REQUEST_LENGTH} bytes, too), so a client trickling a body holds no connection.
     */
    private boolean isReceivingRequest()
    {
        return null != receiving || decoder.isReceivingHead();
    }

    private long pendingOutboundLength()
    {
        final ChannelOutboundBuffer outbound = ch.unsafe().outboundBuffer();
        return null == outbound ? 0 : outbound.totalPendingWriteBytes();
    }

    private void answer(final ChannelHandlerContext ctx, final AdminAnswer answer)
    {
        final byte[] body = (null == answer.body() ? metrics.get() : answer.body()).getBytes(StandardCharsets.UTF_8);
        final ByteBuf buf = ctx.alloc().buffer(HEAD_LENGTH_ESTIMATE + body.length);
        ResponseHeads.statusLine(buf, answer.status());
        if (body.length > 0)
        {
            final String type = null == answer.body() ? PrometheusText.CONTENT_TYPE :
                body[0] == '{' ? JSON_CONTENT_TYPE : CONTENT_TYPE;
            ResponseHeads.header(buf, HttpHeaderNames.CONTENT_TYPE, type);
        }
        ResponseHeads.header(buf, HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (answer.allow())
        {
            ResponseHeads.header(buf, HttpHeaderNames.ALLOW, ALLOW);
        }
        DateHeader.SYSTEM.write(buf);
        if (!answer.keepAlive())
        {
            ResponseHeads.header(buf, HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (answer.http10())
        {
            // HTTP/1.0 closes by default: a client that asked to keep the connection is told it is kept
            ResponseHeads.header(buf, HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ResponseHeads.end(buf);
        if (!answer.headRequest())
        {
            buf.writeBytes(body);
        }
        writtenBytes += buf.readableBytes();
        lastActivityNs = System.nanoTime();
        if (answer.keepAlive())
        {
            ctx.writeAndFlush(buf, ctx.voidPromise());
        }
        else
        {
            closing = true;
            backlog.clear();
            ctx.writeAndFlush(buf).addListener(this::linger);
        }
        counters.answered(pendingOutboundLength());
    }
}
