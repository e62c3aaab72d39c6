package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * The whole pipeline of a connection accepted past {@link ConnectionLimiter}'s bound: it answers
 * {@code 503 Service Unavailable} with {@code connection: close} as soon as the connection is up, without reading a
 * request, and closes it once the answer is written. It carries the listener's {@code date}, as every response does.
 * A client sees the refusal at once, never a hang. Stateless; one shared instance.
 */
@ChannelHandler.Sharable
final class RefuseConnectionHandler extends ChannelInboundHandlerAdapter
{
    static final RefuseConnectionHandler INSTANCE = new RefuseConnectionHandler();

    private static final String BODY = "service unavailable: too many connections\n";
    private static final byte[] HEAD_START = (
        "HTTP/1.1 503 Service Unavailable\r\n" +
        "content-type: text/plain\r\n" +
        "content-length: " + BODY.length() + "\r\n" +
        "connection: close\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD_END_AND_BODY = ("\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);
    private static final int DATE_LINE_LENGTH = 64;

    private RefuseConnectionHandler()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        // every response carries the listener's date, this one too: one small buffer per refused connection
        final ByteBuf response =
            ctx.alloc().buffer(HEAD_START.length + DATE_LINE_LENGTH + HEAD_END_AND_BODY.length);
        response.writeBytes(HEAD_START);
        DateHeader.SYSTEM.write(response);
        response.writeBytes(HEAD_END_AND_BODY);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
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
