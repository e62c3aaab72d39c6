package io.sluice.dispatch.worker;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a loopback worker connection's pipeline: the {@link LoopbackConnectionGuard} (timers of a connection that has
 * not carried the token), {@code HttpServerCodec} (request decoder, into {@link LoopbackRequestFields}, and response
 * encoder), then the {@link LoopbackConnectionHandler}. A connection past {@code maxConnections} open ones is closed
 * at once. Header limits are generous: the listener already enforced the real ones before forwarding.
 */
final class LoopbackWorkerInitializer extends ChannelInitializer<SocketChannel>
{
    /**
     * Longest request line accepted from the listener: {@value} bytes.
     */
    static final int MAX_INITIAL_LINE_LENGTH = 64 * 1024;

    /**
     * Largest request head accepted from the listener: {@value} bytes.
     */
    static final int MAX_HEADER_LENGTH = 64 * 1024;

    private final HandlerInvoker invoker;
    private final byte[] token;
    private final String applicationPath;
    private final Runnable onShutdown;
    private final long headerWaitMs;
    private final long idleConnectionMs;
    private final int maxConnections;
    private final AtomicInteger openConnections = new AtomicInteger();

    LoopbackWorkerInitializer(
        final HandlerInvoker invoker,
        final byte[] token,
        final String applicationPath,
        final Runnable onShutdown,
        final long headerWaitMs,
        final long idleConnectionMs,
        final int maxConnections)
    {
        this.invoker = invoker;
        this.token = token;
        this.applicationPath = applicationPath;
        this.onShutdown = onShutdown;
        this.headerWaitMs = headerWaitMs;
        this.idleConnectionMs = idleConnectionMs;
        this.maxConnections = maxConnections;
    }

    /**
     * @return connections open now.
     */
    int openConnections()
    {
        return openConnections.get();
    }

    /**
     * {@inheritDoc}
     */
    protected void initChannel(final SocketChannel channel)
    {
        if (openConnections.incrementAndGet() > maxConnections)
        {
            openConnections.decrementAndGet();
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
            return;
        }
        channel.closeFuture().addListener((ChannelFutureListener)(future) -> openConnections.decrementAndGet());
        final LoopbackConnectionGuard guard = new LoopbackConnectionGuard(headerWaitMs, idleConnectionMs);
        final HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
            .setMaxHeaderSize(MAX_HEADER_LENGTH)
            .setHeadersFactory(LoopbackRequestFields.FACTORY);
        channel.pipeline()
            .addLast("guard", guard)
            .addLast(LoopbackConnectionHandler.HTTP_CODEC_NAME, new HttpServerCodec(decoderConfig))
            .addLast("loopback", new LoopbackConnectionHandler(invoker, token, applicationPath, onShutdown, guard));
    }
}
