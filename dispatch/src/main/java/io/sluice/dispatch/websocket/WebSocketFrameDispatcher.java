package io.sluice.dispatch.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * The last stage of a {@link WebSocket}'s embedded pipeline: hands whole messages to the WebSocket, answers pings,
 * echoes the client's close, and turns what the codec refuses into the close code the RFC asks for. It owns (and
 * releases) every frame it reads.
 */
final class WebSocketFrameDispatcher extends ChannelInboundHandlerAdapter
{
    private final WebSocket webSocket;

    WebSocketFrameDispatcher(final WebSocket webSocket)
    {
        this.webSocket = webSocket;
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof PingWebSocketFrame ping)
        {
            if (webSocket.closeSent())
            {
                ping.release();
            }
            else
            {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
            }
            return;
        }

        try
        {
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame)
            {
                final ByteBuf content = ((ByteBufHolder)msg).content();
                final ByteBuf flat = flat(ctx, content);
                try
                {
                    if (msg instanceof TextWebSocketFrame)
                    {
                        webSocket.onText(flat);
                    }
                    else
                    {
                        webSocket.onBinary(flat);
                    }
                }
                finally
                {
                    if (flat != content)
                    {
                        flat.release();
                    }
                }
            }
            else if (msg instanceof PongWebSocketFrame pong)
            {
                webSocket.onPong(pong.content());
            }
            else if (msg instanceof CloseWebSocketFrame close)
            {
                final int code = close.statusCode() < 0 ? WebSocket.NO_STATUS_RECEIVED : close.statusCode();
                final String reason = close.reasonText();
                final boolean answer = !webSocket.closeSent();
                webSocket.onCloseReceived(code, reason);
                if (answer)
                {
                    webSocket.onCloseSent(code, reason);
                    final CloseWebSocketFrame answerFrame = WebSocket.NO_STATUS_RECEIVED == code ?
                        new CloseWebSocketFrame() : new CloseWebSocketFrame(code, "");
                    ctx.writeAndFlush(answerFrame);
                }
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (cause instanceof CorruptedWebSocketFrameException corrupted)
        {
            // the decoder or the UTF-8 check has already written the close frame and closed the channel
            final WebSocketCloseStatus status = corrupted.closeStatus();
            webSocket.onCloseSent(status.code(), null == corrupted.getMessage() ?
                status.reasonText() : corrupted.getMessage());
            if (ctx.channel().isOpen())
            {
                ctx.close();
            }
        }
        else if (cause instanceof TooLongFrameException)
        {
            closeWith(ctx, WebSocket.MESSAGE_TOO_BIG, "message too big");
        }
        else
        {
            closeWith(ctx, WebSocket.INTERNAL_ERROR, "internal error");
        }
    }

    private void closeWith(final ChannelHandlerContext ctx, final int code, final String reason)
    {
        if (!webSocket.closeSent() && ctx.channel().isOpen())
        {
            webSocket.onCloseSent(code, reason);
            ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
        }
        else
        {
            ctx.close();
        }
    }

    /**
     * A message's content in one piece: a message joined from fragments is a composite, copied here into one pooled
     * buffer that the caller releases.
     */
    private static ByteBuf flat(final ChannelHandlerContext ctx, final ByteBuf content)
    {
        if (content.nioBufferCount() <= 1 && (content.hasMemoryAddress() || content.hasArray()))
        {
            return content;
        }
        final ByteBuf copy = ctx.alloc().directBuffer(content.readableBytes());
        copy.writeBytes(content, content.readerIndex(), content.readableBytes());
        return copy;
    }
}
