package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * The first stage of a cleartext connection: tells HTTP/2 with prior knowledge (h2c, RFC 9113 3.3) from HTTP/1.1 by
 * the client's first bytes. While they match the start of the connection preface ({@code PRI * HTTP/2.0\r\n\r\nSM
 * \r\n\r\n}) they are held; the whole preface switches the connection to HTTP/2 (the HTTP/1.1 stages are taken out,
 * the HTTP/2 ones put in, and the bytes handed to them); any other byte hands everything to HTTP/1.1 as it came.
 * Either way this stage then leaves the pipeline. At most 24 bytes are held. Event-loop confined.
 */
final class H2cPrefaceDetector extends ChannelInboundHandlerAdapter
{
    private final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
    private final HttpServerInitializer initializer;
    private CompositeByteBuf held;

    /**
     * @param initializer builds the HTTP/2 stages.
     */
    H2cPrefaceDetector(final HttpServerInitializer initializer)
    {
        this.initializer = initializer;
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf buf))
        {
            ctx.fireChannelRead(msg);
            return;
        }
        final int seen = null == held ? 0 : held.readableBytes();
        final int compareLength = Math.min(buf.readableBytes(), preface.readableBytes() - seen);
        final boolean matches = ByteBufUtil.equals(buf, buf.readerIndex(), preface, seen, compareLength);
        final CompositeByteBuf previous = held;
        held = null;
        final ByteBuf all = null == previous ? buf : previous.addComponent(true, buf);
        if (!matches)
        {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(all);
            return;
        }
        if (seen + compareLength < preface.readableBytes())
        {
            held = null == previous ? ctx.alloc().compositeBuffer().addComponent(true, buf) : previous;
            return;
        }
        initializer.switchToHttp2(ctx.channel());
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(all);
    }

    /**
     * {@inheritDoc}
     */
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        preface.release();
        if (null != held)
        {
            ReferenceCountUtil.release(held);
            held = null;
        }
    }
}
