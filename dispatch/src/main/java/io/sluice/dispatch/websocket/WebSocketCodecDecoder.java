package io.sluice.dispatch.websocket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.buffer.ByteBuf;

import java.util.List;

/**
 * Netty's frame decoder that also tells whether it is idle: between frames, holding no byte, and not inside a
 * fragmented message. Only then may the bytes that follow be read by {@link WebSocketFrameReader} instead: what they
 * begin with is a frame's first byte, and a data frame there starts a new message. (The decoder is at a frame's
 * start whenever it has just emitted a frame; it leaves it as soon as it takes a byte of the next one.)
 */
final class WebSocketCodecDecoder extends WebSocket08FrameDecoder
{
    private boolean atFrameStart = true;
    private boolean inFragmentedMessage;

    WebSocketCodecDecoder(final WebSocketDecoderConfig config)
    {
        super(config);
    }

    /**
     * @return true when the decoder holds nothing of a frame and no fragmented message is under way.
     */
    boolean isIdle()
    {
        return atFrameStart && !inFragmentedMessage && !internalBuffer().isReadable();
    }

    /**
     * {@inheritDoc}
     */
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) throws Exception
    {
        final int frames = out.size();
        final int readerIndex = in.readerIndex();
        super.decode(ctx, in, out);
        if (out.size() > frames)
        {
            atFrameStart = true;
            final Object frame = out.get(out.size() - 1);
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)
            {
                inFragmentedMessage = !((WebSocketFrame)frame).isFinalFragment();
            }
            else if (frame instanceof ContinuationWebSocketFrame continuation && continuation.isFinalFragment())
            {
                inFragmentedMessage = false;
            }
        }
        else if (in.readerIndex() != readerIndex)
        {
            atFrameStart = false;
        }
    }
}
