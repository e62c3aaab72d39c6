package io.sluice.listener.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.sluice.listener.hosting.QueueBinding;
import io.sluice.listener.routing.PrefixRouter;

/**
 * Builds each accepted connection's pipeline: {@link StrictRequestDecoder}, then {@link HttpConnectionHandler}.
 * Only builds; the logic is in the handlers. The request body limit is
 * {@link StrictDecoderConfig#MAX_REQUEST_BODY_SIZE_DEFAULT} until the configuration file has a key for it.
 */
public final class HttpServerInitializer extends ChannelInitializer<SocketChannel>
{
    private final PrefixRouter<QueueBinding> router;
    private final StrictDecoderConfig decoderConfig;
    private final int maxPipelinedRequests;

    /**
     * @param router               URL-prefix table.
     * @param maxInitialLineLength longest request line, in bytes (414 past it).
     * @param maxHeaderSize        largest request line plus header section, in bytes (431 past it).
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
        this.decoderConfig = new StrictDecoderConfig()
            .maxInitialLineLength(maxInitialLineLength)
            .maxHeaderSize(maxHeaderSize);
    }

    /**
     * {@inheritDoc}
     */
    protected void initChannel(final SocketChannel ch)
    {
        ch.pipeline()
            .addLast("decoder", new StrictRequestDecoder(decoderConfig))
            .addLast("connection", new HttpConnectionHandler(router, maxPipelinedRequests));
    }
}
