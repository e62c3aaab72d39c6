package io.sluice.listener.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.listener.counters.LoopCounters;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.Router;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * Builds the HTTP/2 stages of a connection (h2 chosen by ALPN, or h2c with prior knowledge): the
 * {@link MinSendRateHandler} under the codec (unless the minimum send rate is off), Netty's
 * {@link Http2FrameCodec} with the listener's settings and flood limits ({@link Http2Config}), an
 * {@link Http2MultiplexHandler} that gives each stream a child channel with an {@link Http2StreamHandler}, and the
 * connection's own {@link Http2ServerConnection}, its timers told of the client's header blocks by an
 * {@link Http2HeaderBlockWatch} in front of the codec. What the codec enforces:
 * <ul>
 *     <li>{@code SETTINGS_MAX_CONCURRENT_STREAMS} ({@code maxConcurrentStreams}): a stream past it is refused;</li>
 *     <li>{@code SETTINGS_MAX_HEADER_LIST_SIZE} = {@code maxRequestBytes}: a larger head is answered 431 on its stream
 *     (up to a quarter more; past that, and for any header block whose CONTINUATION frames go on without bound, the
 *     connection is closed with {@code GOAWAY}), HPACK decoding stops at the limit (HPACK bombs), and the dynamic
 *     table is bounded by {@code SETTINGS_HEADER_TABLE_SIZE};</li>
 *     <li>rapid reset (CVE-2023-44487): more than {@code maxResets} {@code RST_STREAM} per {@code resetWindow} closes
 *     the connection with {@code GOAWAY ENHANCE_YOUR_CALM};</li>
 *     <li>CONTINUATION floods (CVE-2024-27316): more than {@code maxSmallContinuationFrames} small CONTINUATION frames
 *     in one header block close the connection;</li>
 *     <li>SETTINGS and PING floods: more than {@code maxQueuedControlFrames} answers the client does not read close
 *     the connection;</li>
 *     <li>empty DATA floods: more than {@code maxConsecutiveEmptyFrames} in a row close the connection;</li>
 *     <li>header names and values are validated (lower case, no connection-specific fields).</li>
 * </ul>
 * The refusals the codec answers itself (its 431, {@code REFUSED_STREAM}) are written to the error log by
 * {@link Http2CodecRefusals}.
 * Stateless.
 */
final class Http2Pipeline
{
    /**
     * Longest a close of the connection waits for the streams open at its {@code GOAWAY} to finish before it closes
     * anyway; a graceful stop of the listener sets its own bound, its longest {@code shutdownTimeLimit}
     * ({@link Http2ServerConnection#drain(long)}).
     */
    static final long GRACEFUL_CLOSE_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(30);

    private Http2Pipeline()
    {
    }

    /**
     * @param ch               the connection; the stages are added at the end of its pipeline.
     * @param router           URL-prefix table.
     * @param decoderConfig    the header list, URL and field limits.
     * @param connectionConfig segment limits, timers and HTTP/2 settings.
     * @param connections      the listener's connections, asked whether a graceful stop is draining them.
     * @param tls              the connection's TLS facts, or null for a cleartext one.
     * @param loopCounters     the counters of the connection's event loop, or null when not counted.
     */
    static void add(
        final Channel ch,
        final Router<QueueBinding> router,
        final StrictDecoderConfig decoderConfig,
        final HttpConnectionConfig connectionConfig,
        final ConnectionLimiter connections,
        final TlsInfo tls,
        final LoopCounters loopCounters)
    {
        add(ch, router, decoderConfig, connectionConfig, connections, tls, loopCounters, SystemNanoClock.INSTANCE);
    }

    /**
     * As {@link #add(Channel, Router, StrictDecoderConfig, HttpConnectionConfig, ConnectionLimiter, TlsInfo,
     * LoopCounters)}, on the clock given.
     *
     * @param ch               the connection; the stages are added at the end of its pipeline.
     * @param router           URL-prefix table.
     * @param decoderConfig    the header list, URL and field limits.
     * @param connectionConfig segment limits, timers and HTTP/2 settings.
     * @param connections      the listener's connections, asked whether a graceful stop is draining them.
     * @param tls              the connection's TLS facts, or null for a cleartext one.
     * @param loopCounters     the counters of the connection's event loop, or null when not counted.
     * @param clock            the connection's clock (the minimum send rate's and the streams').
     */
    static void add(
        final Channel ch,
        final Router<QueueBinding> router,
        final StrictDecoderConfig decoderConfig,
        final HttpConnectionConfig connectionConfig,
        final ConnectionLimiter connections,
        final TlsInfo tls,
        final LoopCounters loopCounters,
        final NanoClock clock)
    {
        final MinSendRateHandler sendRate = MinSendRateHandler.newInstance(connectionConfig, clock);
        if (null != sendRate)
        {
            // under the codec: it counts the connection's bytes, and its close does not wait for the streams
            ch.pipeline().addLast(HttpServerInitializer.SEND_RATE_NAME, sendRate);
        }
        final Http2Config config = connectionConfig.http2();
        final Http2Settings settings = Http2Settings.defaultSettings()
            .maxConcurrentStreams(config.maxConcurrentStreams())
            .maxHeaderListSize(decoderConfig.maxHeaderSize())
            .initialWindowSize(config.initialWindowSize())
            .headerTableSize(config.headerTableSize());
        final Http2CodecRefusals refusals = new Http2CodecRefusals();
        final Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
            .initialSettings(settings)
            .validateHeaders(true)
            .decoderEnforceMaxRstFramesPerWindow(config.maxResets(), config.resetWindowSeconds())
            .decoderEnforceMaxSmallContinuationFrames(config.maxSmallContinuationFrames())
            .decoderEnforceMaxConsecutiveEmptyDataFrames(config.maxConsecutiveEmptyFrames())
            .encoderEnforceMaxQueuedControlFrames(config.maxQueuedControlFrames())
            .gracefulShutdownTimeoutMillis(GRACEFUL_CLOSE_TIMEOUT_MS)
            .frameLogger(refusals)
            .build();
        final Http2ServerConnection connection = new Http2ServerConnection(
            router, connectionConfig, decoderConfig, connections, clock, tls);
        refusals.connection(connection);
        connection.loopCounters(loopCounters);
        ch.pipeline()
            .addLast("h2blocks", new Http2HeaderBlockWatch(connection))
            .addLast("h2", codec)
            .addLast("h2streams", new Http2MultiplexHandler(new StreamInitializer(connection)))
            .addLast("h2connection", connection);
    }

    /**
     * Gives each stream's child channel its {@link Http2StreamHandler}.
     */
    private static final class StreamInitializer extends ChannelInitializer<Channel>
    {
        private final Http2ServerConnection connection;

        StreamInitializer(final Http2ServerConnection connection)
        {
            this.connection = connection;
        }

        protected void initChannel(final Channel ch)
        {
            ch.pipeline().addLast(new Http2StreamHandler(connection));
        }
    }
}
