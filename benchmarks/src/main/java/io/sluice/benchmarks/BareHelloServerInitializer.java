package io.sluice.benchmarks;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

/**
 * Builds {@link BareHelloServer}'s pipeline, as Netty's {@code HttpHelloWorldServerInitializer}: the server codec,
 * the expect-continue answerer, then {@link BareHelloServerHandler}. Only builds.
 */
final class BareHelloServerInitializer extends ChannelInitializer<SocketChannel>
{
    /**
     * {@inheritDoc}
     */
    protected void initChannel(final SocketChannel ch)
    {
        ch.pipeline()
            .addLast("codec", new HttpServerCodec())
            .addLast("expectContinue", new HttpServerExpectContinueHandler())
            .addLast("hello", new BareHelloServerHandler());
    }
}
