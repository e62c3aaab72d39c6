package io.sluice.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A test handler speaking RFC 6455 through the {@link Exchange} tunnel contract, the same in every hosting model, with
 * Netty's frame codec in an {@link EmbeddedChannel}: an upgrade request with a {@code Sec-WebSocket-Key} is answered
 * {@code 101} and every data frame is echoed as it came (text, binary, continuation), a ping answered with a pong and
 * a close with a close, after which the tunnel ends. Other requests: {@code .../force101} answers {@code 101} whatever
 * the request asked (a protocol error the listener must turn into 502), {@code .../env} the worker's
 * {@code SLUICE_WEBSOCKETS_SUPPORTED}, anything else {@code 200 hello}.
 * <p>
 * With {@code ?marker=<path>} the handler writes {@code input-end} to that file when the client ends its input, and
 * {@code abort} when it is told the tunnel was abandoned, so a test in another process sees what the handler saw.
 */
public final class WebSocketEchoHandler implements Handler
{
    /**
     * Largest frame echoed: above the largest test message (16 MiB).
     */
    static final int MAX_FRAME_LENGTH = 17 * 1024 * 1024;

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        if (exchange.path().endsWith("/env"))
        {
            final String supported = String.valueOf(System.getenv("SLUICE_WEBSOCKETS_SUPPORTED"));
            exchange.respond(200, "text/plain", supported.getBytes(StandardCharsets.US_ASCII));
            return;
        }
        if (exchange.path().endsWith("/force101"))
        {
            exchange.sendHead(101, null, Exchange.UNKNOWN_LENGTH);
            return;
        }
        final String key = exchange.header("Sec-WebSocket-Key");
        if (!exchange.isUpgradeRequest() || null == key)
        {
            exchange.respond(200, "text/plain", HELLO);
            return;
        }
        final Session session = new Session(exchange);
        exchange.attachment(session);
        exchange.responseHeader("Sec-WebSocket-Accept", accept(key));
        exchange.sendHead(101, null, Exchange.UNKNOWN_LENGTH);
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (exchange.attachment() instanceof Session session)
        {
            session.input(buffer, offset, length, last);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onAbort(final Exchange exchange)
    {
        if (exchange.attachment() instanceof Session session)
        {
            session.mark("abort");
            session.release();
        }
    }

    static String accept(final String key)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-1")
                .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * One tunnel: the frame codec between the client's bytes and the handler's.
     */
    private static final class Session extends SimpleChannelInboundHandler<WebSocketFrame>
    {
        private final Exchange exchange;
        private final EmbeddedChannel codec;
        private final String marker;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private boolean closed;

        Session(final Exchange exchange)
        {
            super(false);
            this.exchange = exchange;
            final String query = exchange.query();
            this.marker = null != query && query.startsWith("marker=") ? query.substring("marker=".length()) : null;
            this.codec = new EmbeddedChannel(
                new WebSocket13FrameEncoder(false),
                new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(MAX_FRAME_LENGTH)
                    .expectMaskedFrames(true)
                    .allowMaskMismatch(false)
                    .build()),
                this);
        }

        void input(final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
            if (length > 0 && !closed)
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                codec.writeInbound(Unpooled.wrappedBuffer(bytes));
                flushOutput();
            }
            if (last)
            {
                mark("input-end");
                if (!closed)
                {
                    closed = true;
                    exchange.sendBody(view, 0, 0, true);
                    release();
                }
            }
        }

        protected void channelRead0(final ChannelHandlerContext ctx, final WebSocketFrame frame)
        {
            if (frame instanceof PingWebSocketFrame)
            {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content()));
            }
            else if (frame instanceof CloseWebSocketFrame)
            {
                ctx.writeAndFlush(frame);
                closed = true;
            }
            else if (frame instanceof PongWebSocketFrame)
            {
                frame.release();
            }
            else
            {
                ctx.writeAndFlush(frame);
            }
        }

        private void flushOutput()
        {
            ByteBuf out;
            while (null != (out = codec.readOutbound()))
            {
                try
                {
                    final int length = out.readableBytes();
                    final byte[] bytes = new byte[length];
                    out.getBytes(out.readerIndex(), bytes);
                    view.wrap(bytes);
                    exchange.sendBody(view, 0, length, false);
                }
                finally
                {
                    out.release();
                }
            }
            if (closed)
            {
                exchange.sendBody(view, 0, 0, true);
                release();
            }
        }

        void release()
        {
            codec.finishAndReleaseAll();
        }

        void mark(final String event)
        {
            if (null != marker)
            {
                try
                {
                    Files.writeString(
                        Path.of(marker), event + "\n", StandardCharsets.US_ASCII,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        }
    }
}
