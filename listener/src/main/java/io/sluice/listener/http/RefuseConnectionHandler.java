package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * The whole pipeline of a connection accepted past {@link ConnectionLimiter}'s bound: it answers
 * {@code 503 Service Unavailable} with {@code connection: close} as soon as the connection is up, without reading a
 * request, and closes it once the answer is written. A client sees the refusal at once, never a hang. Stateless;
 * one shared instance.
 */
@ChannelHandler.Sharable
final class RefuseConnectionHandler extends ChannelInboundHandlerAdapter
{
    static final RefuseConnectionHandler INSTANCE = new RefuseConnectionHandler();

    private static final String BODY = "service unavailable: too many connections\n";
    private static final ByteBuf RESPONSE = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes((
        "HTTP/1.1 503 Service Unavailable\r\n" +
        "content-type: text/plain\r\n" +
        "content-length: " + BODY.length() + "\r\n" +
        "connection: close\r\n" +
        "\r\n" +
        BODY).getBytes(StandardCharsets.US_ASCII)));

    private RefuseConnectionHandler()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        ctx.writeAndFlush(RESPONSE.duplicate()).addListener(ChannelFutureListener.CLOSE);
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
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }
}
