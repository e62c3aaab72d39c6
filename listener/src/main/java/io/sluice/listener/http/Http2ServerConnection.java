package io.sluice.listener.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamVisitor;
import io.netty.util.ReferenceCountUtil;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.listener.counters.LoopCounters;
import io.sluice.listener.counters.QueueLoopCounters;
import io.sluice.listener.log.RequestLog;
import io.sluice.listener.log.RequestLogFacts;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.Router;
import org.agrona.concurrent.NanoClock;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An HTTP/2 connection's own stage, behind Netty's frame codec and stream multiplexer: what its streams
 * ({@link Http2StreamHandler}) share — the client's address, the TLS facts, the port, the request rules
 * ({@link RequestAdmission}, {@link Http2Requests}) and clock — and what belongs to the connection alone: its
 * flow-control window (opened to every stream's window at once, so that a stream whose host does not take its body
 * never holds back a sibling), its timers, the graceful stop ({@link #drain(long)}: {@code GOAWAY}, the open streams
 * finish, then the connection closes), and the minimum send rate's verdict ({@link MinSendRateHandler}, when on).
 * Frames of the connection itself (settings, ping, goaway) are the codec's; they end here.
 * <p>
 * <b>Minimum send rate</b>: a response is held back by the client when the socket does not take it (the
 * {@link MinSendRateHandler}'s own view) or when a stream's {@code DATA} waits in the codec's flow controller for a
 * window the client keeps shut (its stream's or the connection's): {@link #isHoldingResponse()}. A connection with no
 * response waiting is never measured, however long it idles (the idle timer is for that), and a client that keeps a
 * small window but opens it as it reads is measured by what it takes. Too slow: the streams' requests are told the
 * connection is gone ({@code Timer_MinBytesPerSecond} in the error log, one line per stream cut, or one for the
 * connection when none was open), {@code GOAWAY ENHANCE_YOUR_CALM}, then the connection closes without waiting for
 * its streams.
 * <p>
 * The timers run on one {@link ConnectionDeadlines}, with HTTP/1.1's meanings ({@link NextRequestWait}): while no
 * stream is open the connection waits for its next request, from its start or its last stream's end; with no header
 * block begun for {@code idleConnection} it is closed ({@code GOAWAY NO_ERROR}, reason {@code Timer_ConnectionIdle}).
 * A header block must be complete within {@code headerWait} ({@link Http2HeaderBlockWatch} tells when one begins and
 * ends), counted from the start of that wait, or from its own first frame when streams are open: past it the
 * connection is closed with {@code GOAWAY PROTOCOL_ERROR} (reason {@code Timer_HeaderWait}), as no other frame may
 * come between a header block's frames — the connection is stuck, not just the stream.
 * <p>
 * Event-loop confined.
 */
final class Http2ServerConnection extends ChannelInboundHandlerAdapter
{
    private LoopCounters loopCounters;
    private static final Logger LOG = Logger.getLogger(Http2ServerConnection.class.getName());

    private final RequestAdmission admission;
    private final NanoClock clock;
    private final ConnectionLimiter connections;
    private final TlsInfo tls;
    private final int maxUrlLength;
    private final int maxFieldLength;
    private final long entityBodyNs;
    private final long idleConnectionNs;
    private final long headerWaitNs;
    private final int connectionWindowIncrement;
    private final Http2StreamVisitor heldStreamFinder = this::isNotHeld;
    private final ConnectionDeadlines deadlines;
    private final RequestLog requestLog;
    private final int accessLogFileId;
    private ChannelHandlerContext ctx;
    private final ConnectionAddresses addresses = new ConnectionAddresses();
    private int openStreams;
    private boolean protocolErrorLogged;
    private MinSendRateHandler sendRate;
    private Http2Connection http2;
    private Http2RemoteFlowController flowController;
    private ErrorReason closeReason;
    private long waitStartNs;
    private boolean headerBlockOpen;
    private long headerBlockStartNs;

    /**
     * @param router         URL-prefix table built at start-up.
     * @param config         path segment limits, timers and HTTP/2 settings.
     * @param decoderConfig  URL and field limits, as for HTTP/1.1.
     * @param connections    the listener's connections, asked whether a graceful stop is draining them; may be null.
     * @param clock          the connection's clock.
     * @param tls            the connection's TLS facts, or null for a cleartext one.
     */
    Http2ServerConnection(
        final Router<QueueBinding> router,
        final HttpConnectionConfig config,
        final StrictDecoderConfig decoderConfig,
        final ConnectionLimiter connections,
        final NanoClock clock,
        final TlsInfo tls)
    {
        this.admission = new RequestAdmission(router, config.maxSegmentLength(), config.maxSegmentCount());
        this.clock = clock;
        this.connections = connections;
        this.tls = tls;
        this.maxUrlLength = decoderConfig.maxUrlLength();
        this.maxFieldLength = decoderConfig.maxFieldLength();
        this.entityBodyNs = config.entityBodyNs();
        this.idleConnectionNs = config.idleConnectionNs();
        this.headerWaitNs = config.headerWaitNs();
        this.deadlines = new ConnectionDeadlines(clock, this::onDeadlines);
        this.connectionWindowIncrement =
            Math.max(0, config.http2().connectionWindowSize() - Http2Config.INITIAL_WINDOW_SIZE_DEFAULT);
        this.requestLog = config.requestLog();
        this.accessLogFileId = config.accessLogFileId();
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        deadlines.context(ctx);
        addresses.read(ctx.channel());
        final Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        sendRate = ctx.pipeline().get(MinSendRateHandler.class);
        if (null != codec && null != sendRate)
        {
            http2 = codec.connection();
            flowController = http2.remote().flowController();
            sendRate.protocolHold(this::isHoldingResponse);
        }
        if (connectionWindowIncrement > 0)
        {
            // a window update without a stream opens the connection's window (the frame codec's convention)
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindowIncrement));
        }
        startWait(clock.nanoTime());
        if (null != connections && connections.isDraining())
        {
            drain(connections.drainTimeLimitMs());
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        ReferenceCountUtil.release(msg);
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        deadlines.cancel();
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (MinSendRateHandler.TOO_SLOW == evt)
        {
            tooSlow();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.log(Level.FINE, "HTTP/2 connection failed", cause);
        final Http2Exception http2Exception = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (null == http2Exception)
        {
            ctx.close();
            return;
        }
        // the codec answers it: GOAWAY with the error's code, then close; a connection error is logged once
        if (!(http2Exception instanceof Http2Exception.StreamException) && !protocolErrorLogged)
        {
            protocolErrorLogged = true;
            logError(new Http2StreamFacts(this), 0, ErrorReason.HTTP2_PROTOCOL_ERROR);
        }
    }

    /**
     * The listener began a graceful stop: {@code GOAWAY} now, the streams open go on to their end, then the
     * connection closes (Netty's graceful close), after {@code timeLimitMs} at the latest.
     *
     * @param timeLimitMs how long the open streams may take: the graceful stop's time limit.
     */
    void drain(final long timeLimitMs)
    {
        if (ctx.channel().isActive())
        {
            final Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
            if (null != codec)
            {
                codec.gracefulShutdownTimeoutMillis(timeLimitMs);
            }
            ctx.channel().close();
        }
    }

    /**
     * @return the connection's addresses and ports.
     */
    ConnectionAddresses addresses()
    {
        return addresses;
    }

    /**
     * @param binding a stream's route, or null.
     * @return true when the access log writes the stream: routed to a logged queue, or not routed and the listener's
     * access log is on.
     */
    boolean isAccessLogged(final QueueBinding binding)
    {
        return null != requestLog &&
            (null == binding ? accessLogFileId : binding.accessLogFileId()) != RequestLog.FILE_NONE;
    }

    /**
     * Write a stream's record to its access log, when it has one.
     *
     * @param facts   the stream.
     * @param binding its route, or null.
     */
    void logAccess(final RequestLogFacts facts, final QueueBinding binding)
    {
        if (null != requestLog)
        {
            requestLog.access(null == binding ? accessLogFileId : binding.accessLogFileId(), facts, clock.nanoTime());
        }
    }

    /**
     * Write a refusal or failure on a stream to the error log, when there is one.
     *
     * @param facts  the stream.
     * @param status the status answered, or 0 when the stream was reset without one.
     * @param reason why.
     */
    void logError(final RequestLogFacts facts, final int status, final ErrorReason reason)
    {
        if (null != requestLog)
        {
            requestLog.error(facts, status, reason, clock.nanoTime());
        }
    }

    TlsInfo tls()
    {
        return tls;
    }

    long nowNs()
    {
        return clock.nanoTime();
    }

    long entityBodyNs()
    {
        return entityBodyNs;
    }

    /**
     * Count this connection's streams in its event loop's counters.
     *
     * @param loopCounters the counters of the loop the connection is on, or null.
     */
    void loopCounters(final LoopCounters loopCounters)
    {
        this.loopCounters = loopCounters;
    }

    /**
     * @param binding a stream's route, or null.
     * @return its queue's counters on this connection's loop, or null when not counted.
     */
    QueueLoopCounters queueCounters(final QueueBinding binding)
    {
        return null == loopCounters || null == binding ? null : binding.queue().loopCounters(loopCounters.loopIndex());
    }

    /**
     * @return the connection's request rules; its answer is read within the same call, as the streams share it.
     */
    RequestAdmission admission()
    {
        return admission;
    }

    /**
     * @param headers   a stream's decoded head.
     * @param endStream true when it has no body.
     * @return the head as an HTTP/1.1-shaped request.
     * @throws HttpStatusException when it breaks a limit or rule.
     */
    HttpRequest toRequest(final Http2Headers headers, final boolean endStream)
    {
        return Http2Requests.toRequest(headers, endStream, maxUrlLength, maxFieldLength);
    }

    /**
     * A stream wrote response frames: they may wait for the client's window, so the minimum send rate looks.
     */
    void responsePending()
    {
        final MinSendRateHandler sendRate = this.sendRate;
        if (null != sendRate)
        {
            sendRate.responsePending();
        }
    }

    /**
     * A stream ends: when the connection is closing for a reason of its own (the client too slow), the stream is cut,
     * with that reason as its error line.
     *
     * @param facts the stream.
     */
    void streamCut(final RequestLogFacts facts)
    {
        if (null != closeReason)
        {
            logError(facts, 0, closeReason);
        }
    }

    /**
     * @return true while a stream's response {@code DATA} waits in the flow controller for the client's window.
     */
    boolean isHoldingResponse()
    {
        final Http2Connection http2 = this.http2;
        if (null == http2 || http2.numActiveStreams() == 0)
        {
            return false;
        }
        try
        {
            return null != http2.forEachActiveStream(heldStreamFinder);
        }
        catch (final Http2Exception ex)
        {
            // the visitor throws nothing
            return false;
        }
    }

    /**
     * A stream opened: the connection is not idle.
     */
    void streamOpened()
    {
        openStreams++;
    }

    /**
     * A stream ended: with none left open, the wait for the next request starts.
     */
    void streamClosed()
    {
        openStreams--;
        if (openStreams == 0)
        {
            startWait(clock.nanoTime());
        }
    }

    /**
     * A read ended with a header block begun and not complete: it has {@code headerWait} from
     * the start of the wait for a request when no stream is open, else from now.
     */
    void headerBlockBegun()
    {
        final long nowNs = clock.nanoTime();
        headerBlockOpen = true;
        headerBlockStartNs = openStreams == 0 ? waitStartNs : nowNs;
        deadlines.arm(nowNs, headerBlockStartNs, headerWaitNs);
    }

    /**
     * The client's header block is complete.
     */
    void headerBlockEnded()
    {
        headerBlockOpen = false;
    }

    private boolean isNotHeld(final Http2Stream stream)
    {
        return !flowController.hasFlowControlled(stream);
    }

    /**
     * The client took the response slower than the minimum send rate: its streams are cut with that reason,
     * {@code GOAWAY}, and the connection closes ({@link MinSendRateHandler} closes it under the codec, so the codec's
     * graceful close does not wait for the streams).
     */
    private void tooSlow()
    {
        closeReason = ErrorReason.TIMER_MIN_BYTES_PER_SECOND;
        if (openStreams == 0)
        {
            logError(new Http2StreamFacts(this), 0, closeReason);
        }
        deadlines.cancel();
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM));
    }

    private void startWait(final long nowNs)
    {
        waitStartNs = nowNs;
        deadlines.arm(nowNs, waitStartNs, idleConnectionNs);
    }

    private void onDeadlines(final long nowNs)
    {
        if (headerBlockOpen)
        {
            if (deadlines.isExpired(nowNs, headerBlockStartNs, headerWaitNs))
            {
                headerWaitExpired();
            }
        }
        else if (openStreams == 0 && deadlines.isExpired(nowNs, waitStartNs, idleConnectionNs))
        {
            // nothing in flight and no request begun: GOAWAY and close
            logError(new Http2StreamFacts(this), 0, ErrorReason.TIMER_CONNECTION_IDLE);
            ctx.channel().close();
        }
    }

    private void headerWaitExpired()
    {
        logError(new Http2StreamFacts(this), 0, ErrorReason.TIMER_HEADER_WAIT);
        protocolErrorLogged = true;
        final Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        final ChannelHandlerContext codecCtx = ctx.pipeline().context(codec);
        if (null == codecCtx)
        {
            ctx.channel().close();
            return;
        }
        // a connection error of the codec's: GOAWAY PROTOCOL_ERROR, then close at once (the streams open end too)
        codec.onError(codecCtx, false, Http2Exception.connectionError(
            Http2Error.PROTOCOL_ERROR, "header block not complete within headerWait"));
    }
}
