package io.sluice.listener.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.listener.counters.ConnectionProtocol;
import io.sluice.listener.counters.LoopCounters;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.Router;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Builds each accepted connection's pipeline: {@link H2cPrefaceDetector} on a cleartext port (the HTTP/2 preface
 * switches the connection to HTTP/2 with prior knowledge), {@link MinSendRateHandler} (unless the minimum send rate is
 * off), {@link StrictRequestDecoder}, then {@link HttpConnectionHandler}; or,
 * past the {@link ConnectionLimiter}'s bound, only {@link RefuseConnectionHandler} (503 and close; on an HTTPS port a
 * close without a byte, as a cleartext answer would only break the client's handshake). On an HTTPS port
 * ({@link TlsServerSetup}) the connection starts with {@link PlainHttpDetector} (a cleartext request is answered 400),
 * {@link SniServerHandler} and {@link ProtocolSelector}, which adds the HTTP/1.1 or HTTP/2 handlers
 * ({@link Http2Pipeline}, with a {@link MinSendRateHandler} of its own) behind the TLS handler once the handshake is
 * complete (the protocol ALPN chose picks the pipeline). Only builds; the logic is in the handlers.
 */
public final class HttpServerInitializer extends ChannelInitializer<SocketChannel>
{
    /**
     * Response bytes a client connection may hold in the listener before it counts as not writable and its response's
     * producer (handler, worker connection) is told to wait: {@value}. With the chunk that crosses it, this bounds
     * what one slow reader costs the listener's memory.
     */
    public static final int WRITE_BUFFER_HIGH_WATER_MARK_LENGTH = 128 * 1024;

    /**
     * Held response bytes below which a client connection that was not writable becomes writable again and the
     * producer is told to go on: {@value}.
     */
    public static final int WRITE_BUFFER_LOW_WATER_MARK_LENGTH = 64 * 1024;

    /**
     * The pipeline name of a connection's {@link MinSendRateHandler}, over HTTP/1.1 and HTTP/2.
     */
    static final String SEND_RATE_NAME = "sendRate";

    private static final String H2C_DETECTOR_NAME = "h2c";
    private static final String DECODER_NAME = "decoder";
    private static final String CONNECTION_NAME = "connection";

    private static final WriteBufferWaterMark WRITE_BUFFER_WATER_MARK =
        new WriteBufferWaterMark(WRITE_BUFFER_LOW_WATER_MARK_LENGTH, WRITE_BUFFER_HIGH_WATER_MARK_LENGTH);

    private final Router<QueueBinding> router;
    private final ConnectionLimiter connections;
    private final LoopConnectionCounts loopCounts;
    private final ChannelFutureListener releaseOnClose;
    private volatile Settings settings;

    /**
     * @param router           URL-prefix table.
     * @param decoderConfig    request line, header, URL and body limits; copied by each decoder.
     * @param connectionConfig pipelining, path segment limits, timers; read by each connection, not changed after.
     * @param connections      counts open connections and bounds them.
     * @param loopCounts       counts the connections each event loop is given.
     */
    public HttpServerInitializer(
        final Router<QueueBinding> router,
        final StrictDecoderConfig decoderConfig,
        final HttpConnectionConfig connectionConfig,
        final ConnectionLimiter connections,
        final LoopConnectionCounts loopCounts)
    {
        this(router, decoderConfig, connectionConfig, connections, loopCounts, null);
    }

    /**
     * @param router           URL-prefix table.
     * @param decoderConfig    request line, header, URL and body limits; copied by each decoder.
     * @param connectionConfig pipelining, path segment limits, timers; read by each connection, not changed after.
     * @param connections      counts open connections and bounds them.
     * @param loopCounts       counts the connections each event loop is given.
     * @param tls              the certificates of an HTTPS port; null for a cleartext one.
     */
    public HttpServerInitializer(
        final Router<QueueBinding> router,
        final StrictDecoderConfig decoderConfig,
        final HttpConnectionConfig connectionConfig,
        final ConnectionLimiter connections,
        final LoopConnectionCounts loopCounts,
        final TlsServerSetup tls)
    {
        this.settings = new Settings(decoderConfig, connectionConfig, tls);
        this.router = router;
        this.connections = connections;
        this.loopCounts = loopCounts;
        this.releaseOnClose = (future) -> connections.release();
    }

    /**
     * Put new connection settings in force (a reload): each connection accepted from now on reads them once, at
     * accept; connections already open keep theirs.
     *
     * @param decoderConfig    request line, header, URL and body limits; not changed after.
     * @param connectionConfig pipelining, path segment limits, timers; not changed after.
     * @param tls              the certificates of an HTTPS port (new handshakes use them); null for a cleartext one,
     *                         as at construction.
     */
    public void settings(
        final StrictDecoderConfig decoderConfig, final HttpConnectionConfig connectionConfig, final TlsServerSetup tls)
    {
        if ((null == tls) != (null == settings.tls))
        {
            throw new IllegalArgumentException("a port keeps its scheme: tls=" + tls);
        }
        settings = new Settings(decoderConfig, connectionConfig, tls);
    }

    /**
     * {@inheritDoc}
     */
    protected void initChannel(final SocketChannel ch)
    {
        final TlsServerSetup tls = settings.tls;
        final LoopCounters loopCounters = loopCounts.record(ch.eventLoop());
        if (!connections.tryAcquire())
        {
            if (null != loopCounters)
            {
                loopCounters.refused();
            }
            if (null == tls)
            {
                ch.pipeline().addLast("refuse", RefuseConnectionHandler.INSTANCE);
            }
            else
            {
                // a TLS client would take a cleartext 503 for a broken handshake: close without a byte
                ch.close();
            }
            return;
        }
        ch.config().setWriteBufferWaterMark(WRITE_BUFFER_WATER_MARK);
        ch.closeFuture().addListener(releaseOnClose);
        connections.track(ch);
        if (null == tls)
        {
            ch.pipeline().addLast(H2C_DETECTOR_NAME, new H2cPrefaceDetector(this));
            addHttp1(ch, null);
        }
        else
        {
            final ProtocolSelector selector = new ProtocolSelector(this, tls.verifiedClientCertificatesOnly());
            ch.pipeline()
                .addLast("plain", new PlainHttpDetector(SystemNanoClock.INSTANCE, DateHeader.SYSTEM))
                .addLast("tls", new SniServerHandler(tls, SystemNanoClock.INSTANCE, selector))
                .addLast("protocol", selector);
        }
    }

    /**
     * Add the HTTP/1.1 handlers at the end of a connection's pipeline.
     *
     * @param ch  the connection.
     * @param tls the connection's TLS facts, or null for a cleartext one.
     */
    void addHttp1(final Channel ch, final TlsInfo tls)
    {
        final Settings current = settings;
        final StrictDecoderConfig decoderConfig = current.decoderConfig;
        final HttpConnectionConfig connectionConfig = current.connectionConfig;
        final MinSendRateHandler sendRate = MinSendRateHandler.newInstance(connectionConfig, SystemNanoClock.INSTANCE);
        if (null != sendRate)
        {
            ch.pipeline().addLast(SEND_RATE_NAME, sendRate);
        }
        final StrictRequestDecoder decoder = new StrictRequestDecoder(decoderConfig);
        final HttpConnectionHandler connection = new HttpConnectionHandler(
            router, connectionConfig, decoder, connections, SystemNanoClock.INSTANCE);
        connection.tls(tls);
        final LoopCounters loopCounters = loopCounts.loopCounters(ch.eventLoop());
        if (null != loopCounters)
        {
            loopCounters.connection(null == tls ? ConnectionProtocol.HTTP1 : ConnectionProtocol.HTTP1_TLS);
            connection.loopCounters(loopCounters);
        }
        ch.pipeline()
            .addLast(DECODER_NAME, decoder)
            .addLast(CONNECTION_NAME, connection);
    }

    /**
     * Add the HTTP/2 handlers at the end of a connection's pipeline: Netty's frame codec with the listener's limits
     * ({@link Http2Pipeline}), its stream multiplexer, and the connection's own stage ({@link Http2ServerConnection}).
     *
     * @param ch  the connection.
     * @param tls the connection's TLS facts, or null for a cleartext one.
     */
    void addHttp2(final Channel ch, final TlsInfo tls)
    {
        final LoopCounters loopCounters = loopCounts.loopCounters(ch.eventLoop());
        if (null != loopCounters && null != tls)
        {
            loopCounters.connection(ConnectionProtocol.H2);
        }
        final Settings current = settings;
        Http2Pipeline.add(ch, router, current.decoderConfig, current.connectionConfig, connections, tls, loopCounters);
    }

    /**
     * A cleartext connection sent the HTTP/2 preface: its HTTP/1.1 handlers (which have seen none of its bytes) give
     * way to the HTTP/2 ones.
     *
     * @param ch the connection.
     */
    void switchToHttp2(final Channel ch)
    {
        final ChannelPipeline pipeline = ch.pipeline();
        for (final String name : new String[] { SEND_RATE_NAME, DECODER_NAME, CONNECTION_NAME })
        {
            if (null != pipeline.context(name))
            {
                pipeline.remove(name);
            }
        }
        final LoopCounters loopCounters = loopCounts.loopCounters(ch.eventLoop());
        if (null != loopCounters)
        {
            // counted as HTTP/1.1 when its pipeline was built: it speaks h2c instead
            loopCounters.switched(ConnectionProtocol.HTTP1, ConnectionProtocol.H2C);
        }
        addHttp2(ch, null);
    }

    /**
     * The settings a connection reads once, when accepted; replaced whole by {@link #settings}.
     */
    private record Settings(
        StrictDecoderConfig decoderConfig, HttpConnectionConfig connectionConfig, TlsServerSetup tls)
    {
    }
}
