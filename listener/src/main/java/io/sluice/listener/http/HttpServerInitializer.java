package io.sluice.listener.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.PrefixRouter;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Builds each accepted connection's pipeline: {@link MinSendRateHandler} (unless the minimum send rate is off),
 * {@link StrictRequestDecoder}, then {@link HttpConnectionHandler}; or,
 * past the {@link ConnectionLimiter}'s bound, only {@link RefuseConnectionHandler} (503 and close). Only builds; the
 * logic is in the handlers.
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

    private static final WriteBufferWaterMark WRITE_BUFFER_WATER_MARK =
        new WriteBufferWaterMark(WRITE_BUFFER_LOW_WATER_MARK_LENGTH, WRITE_BUFFER_HIGH_WATER_MARK_LENGTH);

    private final PrefixRouter<QueueBinding> router;
    private final StrictDecoderConfig decoderConfig;
    private final HttpConnectionConfig connectionConfig;
    private final ConnectionLimiter connections;
    private final LoopConnectionCounts loopCounts;
    private final ChannelFutureListener releaseOnClose;

    /**
     * @param router           URL-prefix table.
     * @param decoderConfig    request line, header, URL and body limits; copied by each decoder.
     * @param connectionConfig pipelining, path segment limits, timers; read by each connection, not changed after.
     * @param connections      counts open connections and bounds them.
     * @param loopCounts       counts the connections each event loop is given.
     */
    public HttpServerInitializer(
        final PrefixRouter<QueueBinding> router,
        final StrictDecoderConfig decoderConfig,
        final HttpConnectionConfig connectionConfig,
        final ConnectionLimiter connections,
        final LoopConnectionCounts loopCounts)
    {
        this.router = router;
        this.decoderConfig = decoderConfig;
        this.connectionConfig = connectionConfig;
        this.connections = connections;
        this.loopCounts = loopCounts;
        this.releaseOnClose = (future) -> connections.release();
    }

    /**
     * {@inheritDoc}
     */
    protected void initChannel(final SocketChannel ch)
    {
        loopCounts.record(ch.eventLoop());
        if (!connections.tryAcquire())
        {
            ch.pipeline().addLast("refuse", RefuseConnectionHandler.INSTANCE);
            return;
        }
        ch.config().setWriteBufferWaterMark(WRITE_BUFFER_WATER_MARK);
        ch.closeFuture().addListener(releaseOnClose);
        connections.track(ch);
        final MinSendRateHandler sendRate = MinSendRateHandler.newInstance(connectionConfig, SystemNanoClock.INSTANCE);
        if (null != sendRate)
        {
            ch.pipeline().addLast("sendRate", sendRate);
        }
        final StrictRequestDecoder decoder = new StrictRequestDecoder(decoderConfig);
        ch.pipeline()
            .addLast("decoder", decoder)
            .addLast("connection", new HttpConnectionHandler(
                router, connectionConfig, decoder, connections, SystemNanoClock.INSTANCE));
    }
}
