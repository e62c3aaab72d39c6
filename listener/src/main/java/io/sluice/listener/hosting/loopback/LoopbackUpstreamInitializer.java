package io.sluice.listener.hosting.loopback;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Builds a forwarding connection's pipeline: the {@link LoopbackResponseDecoder}, then the connection's
 * {@link LoopbackUpstream}. Requests are written as bytes, so there is no encoder.
 */
final class LoopbackUpstreamInitializer extends ChannelInitializer<Channel>
{
    private final LoopbackUpstream upstream;

    LoopbackUpstreamInitializer(final LoopbackUpstream upstream)
    {
        this.upstream = upstream;
    }

    /**
     * {@inheritDoc}
     */
    protected void initChannel(final Channel channel)
    {
        channel.pipeline()
            .addLast("decoder", new LoopbackResponseDecoder(upstream))
            .addLast("upstream", upstream);
    }
}
