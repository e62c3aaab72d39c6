package io.sluice.listener.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestSink;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream: the handler of its child channel ({@code Http2MultiplexHandler}), one request through the same
 * rules as an HTTP/1.1 request. Its {@code HEADERS} are made an HTTP/1.1-shaped head ({@link Http2Requests}) and
 * judged by the connection's {@link RequestAdmission} (host, target, path segments, body limit, route, a place in the
 * queue: a full queue answers this stream 503, never the connection); an admitted request goes to its queue's host
 * with an {@link Http2StreamExchange}, and its {@code DATA} frames are streamed to the host's sink. A frame the sink
 * refuses is kept and the stream stops reading: the client's window for it is not opened again, so it stops sending
 * on this stream while its siblings go on; the frame is offered again after a while, or when the sink asks.
 * <p>
 * <b>Timers</b> per stream: entity body (408 on the stream when the client sends nothing of the body for
 * {@code entityBody}, not counting time the stream itself stopped reading) and queue wait (503 when the host reports
 * the request queued longer than {@code queueWait}). A stream answered while its client is still sending its body is
 * reset ({@code RST_STREAM CANCEL}) once the answer is out; a stream the client resets (or whose connection closes)
 * aborts its request: the host is told.
 * <p>
 * Event-loop confined.
 */
final class Http2StreamHandler extends ChannelInboundHandlerAdapter
{
    private static final long RETRY_NS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long RESUME_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Http2ServerConnection connection;
    private final Runnable retryTask = this::onRetryTimer;
    private final Runnable resumeTask = this::retry;
    private final Runnable flushTask = this::flushNow;
    private final Runnable entityBodyTask = this::onEntityBodyTimer;
    private final ArrayDeque<Http2DataFrame> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Http2StreamExchange exchange;
    private boolean headersSeen;
    private boolean receivingBody;
    private boolean hostBody;
    private boolean opened;
    private long receivedLength;
    private long maxBodyLength;
    private long entityBodyNs;
    private long progressNs;
    private Http2DataFrame blocked;
    private boolean retryPending;
    private boolean flushPending;
    private ScheduledFuture<?> entityBodyTimer;
    private ScheduledFuture<?> queueWaitTimer;

    /**
     * @param connection the stream's connection: its facts, rules and clock.
     */
    Http2StreamHandler(final Http2ServerConnection connection)
    {
        this.connection = connection;
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        opened = true;
        connection.streamOpened();
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof Http2HeadersFrame headers)
        {
            if (!headersSeen)
            {
                onHeaders(headers);
            }
            else if (headers.isEndStream())
            {
                // trailers end the body; their fields are not passed on, as over HTTP/1.1
                onData(null);
            }
            return;
        }
        if (msg instanceof Http2DataFrame data)
        {
            onData(data);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    /**
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        final Http2StreamExchange exchange = this.exchange;
        if (null != exchange && ctx.channel().isWritable())
        {
            exchange.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        end();
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        end();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }

    Http2ServerConnection connection()
    {
        return connection;
    }

    EventLoop eventLoop()
    {
        return ctx.channel().eventLoop();
    }

    ByteBufAllocator alloc()
    {
        return ctx.alloc();
    }

    boolean isWritable()
    {
        return ctx.channel().isWritable();
    }

    /**
     * Write a frame, flushed at the end of this event-loop turn.
     *
     * @param frame the frame; the channel's from here.
     * @return the write's future: done once the frame has been written to the socket.
     */
    ChannelFuture write(final Object frame)
    {
        final ChannelFuture future = ctx.write(frame);
        if (!flushPending)
        {
            flushPending = true;
            ctx.executor().execute(flushTask);
        }
        return future;
    }

    /**
     * The response is complete: when the client is still sending its body, the stream is reset once the answer is
     * out (it needs no more of it).
     *
     * @param lastWrite the write of the response's last frame, or null.
     */
    void responseComplete(final ChannelFuture lastWrite)
    {
        cancelQueueWait();
        if (null != exchange && !exchange.isRequestBodyComplete())
        {
            receivingBody = false;
            cancelEntityBody();
            if (null == lastWrite)
            {
                ctx.close();
            }
            else
            {
                lastWrite.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /**
     * The response cannot be completed (it ends short, or failed after its head): reset the stream so the client sees
     * it incomplete.
     */
    void resetIncomplete()
    {
        receivingBody = false;
        cancelQueueWait();
        cancelEntityBody();
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
        ctx.close();
    }

    /**
     * The sink can take the body frame it refused again.
     */
    void resumeBody()
    {
        if (null != blocked)
        {
            ctx.executor().execute(resumeTask);
        }
    }

    /**
     * The host reports the request queued: answer it 503 when it is still waiting at the deadline.
     *
     * @param deadlineNs when its time in queue runs out, on the connection's clock.
     */
    void armQueueWait(final long deadlineNs)
    {
        cancelQueueWait();
        final long delayNs = Math.max(0, deadlineNs - connection.nowNs());
        queueWaitTimer = ctx.executor().schedule(this::onQueueWaitTimer, delayNs, TimeUnit.NANOSECONDS);
    }

    private void onHeaders(final Http2HeadersFrame frame)
    {
        headersSeen = true;
        final boolean endStream = frame.isEndStream();
        final long nowNs = connection.nowNs();
        final HttpRequest request;
        try
        {
            request = connection.toRequest(frame.headers(), endStream);
        }
        catch (final HttpStatusException ex)
        {
            // a 431 here is one field over maxFieldLength (the whole list over its limit is the codec's 431); a 501 is
            // CONNECT
            refuse(frame, nowNs, ex.status(), RequestAdmission.reasonOf(ex),
                431 == ex.status() ? ErrorReason.FIELD_LENGTH :
                501 == ex.status() ? ErrorReason.VERB : ErrorReason.ofStatus(ex.status()));
            return;
        }
        final RequestAdmission admission = connection.admission();
        final boolean headRequest = HttpMethod.HEAD.equals(request.method());
        if (RequestAdmission.REFUSE_AND_CLOSE == admission.checkHead(request, connection.addresses().serverPort()))
        {
            refuse(frame, nowNs, admission.status(), admission.reason(), admission.errorReason());
            return;
        }

        final QueueBinding binding = admission.binding();
        final Http2StreamExchange exchange =
            new Http2StreamExchange(this, headRequest, null == binding ? null : binding.applicationPath());
        this.exchange = exchange;
        exchange.countIn(connection.queueCounters(binding), nowNs);
        exchange.facts().request(request.method().name(), request.uri(), binding, frame.headers());
        receivingBody = !endStream;
        // a declared empty body is all in for the host at once, as over HTTP/1.1; its empty DATA frames are dropped
        hostBody = admission.contentLength() != 0;
        maxBodyLength = null == binding ? Long.MAX_VALUE : binding.maxRequestBodySize();
        entityBodyNs = null == binding ? connection.entityBodyNs() : binding.entityBodyTimeoutNs();
        progressNs = nowNs;
        if (receivingBody)
        {
            armEntityBody(nowNs);
        }
        if (!receivingBody || !hostBody)
        {
            exchange.requestBodyComplete();
        }

        switch (admission.admit(request))
        {
            case RequestAdmission.ANSWER_SERVER_OPTIONS -> ServerAnswers.serverOptions(exchange);
            case RequestAdmission.REFUSE_TRACE ->
            {
                connection.logError(exchange.facts(), 405, ErrorReason.VERB);
                ServerAnswers.refuseTrace(exchange);
            }
            case RequestAdmission.REFUSE, RequestAdmission.REFUSE_AND_CLOSE ->
                exchange.sendError(admission.status(), admission.reason(), admission.errorReason());
            default -> admission.handOff(request, exchange, nowNs);
        }
    }

    private void refuse(
        final Http2HeadersFrame frame,
        final long nowNs,
        final int status,
        final String reason,
        final ErrorReason errorReason)
    {
        final Http2StreamExchange exchange = new Http2StreamExchange(this, false, null);
        this.exchange = exchange;
        exchange.countIn(null, nowNs);
        final CharSequence method = frame.headers().method();
        final CharSequence path = frame.headers().path();
        exchange.facts().request(
            null == method ? null : method.toString(), null == path ? null : path.toString(), null, frame.headers());
        if (frame.isEndStream())
        {
            exchange.requestBodyComplete();
        }
        exchange.sendError(status, reason, errorReason);
    }

    /**
     * @return the connection's clock now.
     */
    long connectionNowNs()
    {
        return connection.nowNs();
    }

    /**
     * A body frame, or the end of the body ({@code frame} null: trailers).
     */
    private void onData(final Http2DataFrame frame)
    {
        final Http2StreamExchange exchange = this.exchange;
        if (null == exchange || !receivingBody)
        {
            ReferenceCountUtil.release(frame);
            return;
        }
        progressNs = connection.nowNs();
        final Http2DataFrame piece = null == frame ? new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true) : frame;
        receivedLength += piece.content().readableBytes();
        exchange.requestBytes(piece.content().readableBytes());
        if (receivedLength > maxBodyLength && !exchange.isDone())
        {
            piece.release();
            receivingBody = false;
            exchange.sendError(413, RequestAdmission.tooLarge("body", maxBodyLength), ErrorReason.ENTITY_TOO_LARGE);
            return;
        }
        if (null != blocked || !backlog.isEmpty())
        {
            // the stream stopped reading, but frames already read in this turn still come: they wait their turn
            backlog.add(piece);
            return;
        }
        offer(piece);
    }

    /**
     * Offer a body piece to the host's sink: a refused piece is kept and the stream stops reading.
     *
     * @return false when refused.
     */
    private boolean offer(final Http2DataFrame piece)
    {
        final boolean last = piece.isEndStream();
        final RequestSink sink = hostBody ? exchange.sink() : null;
        if (null != sink && !exchange.isDone() && ctx.channel().isActive() && !sink.body(piece.content(), last))
        {
            blocked = piece;
            ctx.channel().config().setAutoRead(false);
            scheduleRetry(sink);
            return false;
        }
        piece.release();
        if (last)
        {
            bodyComplete();
        }
        return true;
    }

    private void bodyComplete()
    {
        receivingBody = false;
        cancelEntityBody();
        exchange.requestBodyComplete();
    }

    private void retry()
    {
        final Http2DataFrame piece = blocked;
        if (null == piece)
        {
            return;
        }
        blocked = null;
        if (!offer(piece))
        {
            return;
        }
        Http2DataFrame next;
        while (null == blocked && null != (next = backlog.poll()))
        {
            offer(next);
        }
        if (null == blocked && ctx.channel().isActive())
        {
            progressNs = connection.nowNs();
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    private void scheduleRetry(final RequestSink sink)
    {
        if (!retryPending)
        {
            retryPending = true;
            ctx.executor().schedule(
                retryTask, sink.resumesBody() ? RESUME_CHECK_NS : RETRY_NS, TimeUnit.NANOSECONDS);
        }
    }

    private void onRetryTimer()
    {
        retryPending = false;
        retry();
    }

    private void armEntityBody(final long nowNs)
    {
        if (entityBodyNs > 0)
        {
            cancelEntityBody();
            final long delayNs = Math.max(0, progressNs + entityBodyNs - nowNs);
            entityBodyTimer = ctx.executor().schedule(entityBodyTask, delayNs, TimeUnit.NANOSECONDS);
        }
    }

    private void onEntityBodyTimer()
    {
        entityBodyTimer = null;
        final Http2StreamExchange exchange = this.exchange;
        if (!receivingBody || null == exchange || !ctx.channel().isActive())
        {
            return;
        }
        final long nowNs = connection.nowNs();
        if (null != blocked || !ctx.channel().config().isAutoRead())
        {
            // the stream itself stopped reading: that time is not the client's
            progressNs = nowNs;
        }
        if (nowNs - progressNs >= entityBodyNs)
        {
            receivingBody = false;
            exchange.sendError(
                408, "request timeout: request body not received in time", ErrorReason.TIMER_ENTITY_BODY);
            return;
        }
        armEntityBody(nowNs);
    }

    private void onQueueWaitTimer()
    {
        queueWaitTimer = null;
        final Http2StreamExchange exchange = this.exchange;
        if (null != exchange && exchange.isWaitingForStart())
        {
            exchange.sendError(
                503, "service unavailable: request waited too long in the queue", ErrorReason.TIMER_QUEUE_WAIT);
        }
    }

    private void flushNow()
    {
        flushPending = false;
        ctx.flush();
        // what was flushed may wait for the client's window rather than reach the socket
        connection.responsePending();
    }

    private void cancelEntityBody()
    {
        final ScheduledFuture<?> timer = entityBodyTimer;
        if (null != timer)
        {
            entityBodyTimer = null;
            timer.cancel(false);
        }
    }

    private void cancelQueueWait()
    {
        final ScheduledFuture<?> timer = queueWaitTimer;
        if (null != timer)
        {
            queueWaitTimer = null;
            timer.cancel(false);
        }
    }

    /**
     * The stream is gone: its request, if unanswered, is aborted, and everything held is let go.
     */
    private void end()
    {
        receivingBody = false;
        cancelEntityBody();
        cancelQueueWait();
        final Http2DataFrame piece = blocked;
        if (null != piece)
        {
            blocked = null;
            piece.release();
        }
        Http2DataFrame held;
        while (null != (held = backlog.poll()))
        {
            held.release();
        }
        final Http2StreamExchange exchange = this.exchange;
        if (null != exchange)
        {
            exchange.abort();
        }
        if (opened)
        {
            opened = false;
            if (null != exchange)
            {
                connection.streamCut(exchange.facts());
            }
            connection.streamClosed();
        }
    }
}
