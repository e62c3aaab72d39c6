package io.sluice.dispatch.worker;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds a loopback worker connection's pipeline: {@code HttpServerCodec} (request decoder and response encoder),
 * then the {@link LoopbackConnectionHandler}. Header limits are generous: the listener already enforced the real ones
 * before forwarding.
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

    private final Handler handler;
    private final byte[] token;
    private final String applicationPath;
    private final Runnable onShutdown;

    LoopbackWorkerInitializer(
        final Handler handler, final byte[] token, final String applicationPath, final Runnable onShutdown)
    {
        this.handler = handler;
        this.token = token;
        this.applicationPath = applicationPath;
        this.onShutdown = onShutdown;
    }

    /**
     * {@inheritDoc}
     */
    protected void initChannel(final SocketChannel channel)
    {
        final HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
            .setMaxHeaderSize(MAX_HEADER_LENGTH);
        channel.pipeline()
            .addLast("http", new HttpServerCodec(decoderConfig))
            .addLast("loopback", new LoopbackConnectionHandler(handler, token, applicationPath, onShutdown));
    }
}
