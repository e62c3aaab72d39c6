package io.sluice.listener.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.sluice.listener.hosting.QueueBinding;
import io.sluice.listener.routing.PrefixRouter;

/**
 * Builds each accepted connection's pipeline: Netty's strict request decoder, then {@link HttpConnectionHandler}.
 * Only builds; the logic is in the handlers.
 */
public final class HttpServerInitializer extends ChannelInitializer<SocketChannel>
{
    private final PrefixRouter<QueueBinding> router;
    private final HttpDecoderConfig decoderConfig;
    private final int maxPipelinedRequests;

    /**
     * @param router               URL-prefix table.
     * @param maxInitialLineLength longest request line.
     * @param maxHeaderSize        largest header block.
     * @param maxPipelinedRequests most requests in flight per connection.
     */
    public HttpServerInitializer(
        final PrefixRouter<QueueBinding> router,
        final int maxInitialLineLength,
        final int maxHeaderSize,
        final int maxPipelinedRequests)
    {
        this.router = router;
        this.maxPipelinedRequests = maxPipelinedRequests;
        this.decoderConfig = new HttpDecoderConfig()
            .setMaxInitialLineLength(maxInitialLineLength)
            .setMaxHeaderSize(maxHeaderSize)
            .setMaxChunkSize(64 * 1024)
            .setChunkedSupported(true)
            .setValidateHeaders(true)
            .setAllowDuplicateContentLengths(false)
            .setAllowPartialChunks(true);
    }

    /**
     * {@inheritDoc}
     */
    protected void initChannel(final SocketChannel ch)
    {
        ch.pipeline()
            .addLast("decoder", new HttpRequestDecoder(decoderConfig))
            .addLast("connection", new HttpConnectionHandler(router, maxPipelinedRequests));
    }
}
