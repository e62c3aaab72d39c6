package io.sluice.listener;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for the tests, Netty's own (handshake, masking, framing): frames received are aggregated into
 * whole messages and queued; the end of the connection is queued as {@link #CLOSED}. Owns one event loop thread.
 */
final class WebSocketTestClient implements AutoCloseable
{
    /**
     * Queued once the connection is closed.
     */
    static final Object CLOSED = new Object();

    private static final long TIMEOUT_MS = 20_000;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> handshake = new CompletableFuture<>();
    private Channel channel;

    private WebSocketTestClient()
    {
    }

    /**
     * @param port the listener's port.
     * @param path the WebSocket path, e.g. {@code /inproc/ws}.
     * @return a client whose handshake completed.
     * @throws Exception when the connection or the handshake fails (a non-101 answer fails the handshake).
     */
    static WebSocketTestClient connect(final int port, final String path) throws Exception
    {
        final WebSocketTestClient client = new WebSocketTestClient();
        try
        {
            client.open(port, path);
            return client;
        }
        catch (final Exception ex)
        {
            client.close();
            throw ex;
        }
    }

    private void open(final int port, final String path) throws Exception
    {
        final WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(new URI("ws://127.0.0.1:" + port + path))
            .version(WebSocketVersion.V13)
            .customHeaders(new DefaultHttpHeaders())
            .maxFramePayloadLength(WebSocketEchoHandler.MAX_FRAME_LENGTH)
            .handleCloseFrames(false)
            .sendCloseFrame(null)
            .dropPongFrames(false)
            .handshakeTimeoutMillis(TIMEOUT_MS)
            .build();
        channel = new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(
                        new HttpClientCodec(),
                        new HttpObjectAggregator(64 * 1024),
                        new WebSocketClientProtocolHandler(config),
                        new WebSocketFrameAggregator(WebSocketEchoHandler.MAX_FRAME_LENGTH),
                        new Receiver());
                }
            })
            .connect("127.0.0.1", port).sync().channel();
        handshake.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * @param text a text message.
     */
    void sendText(final String text)
    {
        channel.writeAndFlush(new TextWebSocketFrame(text)).syncUninterruptibly();
    }

    /**
     * @param text a text message, written and flushed on its own without waiting for the write to complete.
     */
    void sendTextNoWait(final String text)
    {
        channel.writeAndFlush(new TextWebSocketFrame(text));
    }

    /**
     * Send text messages {@code prefix + i} for i from 0 to count - 1, written at once and flushed once.
     *
     * @param prefix of each message.
     * @param count  of messages.
     */
    void sendTexts(final String prefix, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            channel.write(new TextWebSocketFrame(prefix + i));
        }
        channel.flush();
    }

    /**
     * @param bytes a binary message.
     */
    void sendBinary(final byte[] bytes)
    {
        channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes))).syncUninterruptibly();
    }

    /**
     * @param bytes the ping's application data.
     */
    void ping(final byte[] bytes)
    {
        channel.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(bytes))).syncUninterruptibly();
    }

    /**
     * Send a close frame.
     *
     * @param status the close status.
     */
    void sendClose(final int status)
    {
        channel.writeAndFlush(new CloseWebSocketFrame(status, "bye")).syncUninterruptibly();
    }

    /**
     * End the client's output (TCP FIN), keeping the input open.
     */
    void shutdownOutput()
    {
        ((SocketChannel)channel).shutdownOutput().syncUninterruptibly();
    }

    /**
     * Close the connection at once, without a close frame, with a reset (linger 0): an abrupt end, not a half-close.
     */
    void abort()
    {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
        channel.close().syncUninterruptibly();
    }

    /**
     * @return the next message ({@link TextWebSocketFrame}, {@link BinaryWebSocketFrame}, pong or close frame, the
     * caller releases it) or {@link #CLOSED}.
     * @throws InterruptedException when interrupted.
     * @throws AssertionError       when nothing comes within the time limit.
     */
    Object next() throws InterruptedException
    {
        return next(TIMEOUT_MS);
    }

    /**
     * @param timeoutMs longest wait.
     * @return the next message, as {@link #next()}.
     * @throws InterruptedException when interrupted.
     * @throws AssertionError       when nothing comes within the time limit.
     */
    Object next(final long timeoutMs) throws InterruptedException
    {
        final Object message = received.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (null == message)
        {
            throw new AssertionError("nothing received in " + timeoutMs + " ms");
        }
        return message;
    }

    /**
     * @param frame a frame received.
     * @return its payload.
     */
    static byte[] bytes(final WebSocketFrame frame)
    {
        final ByteBuf content = frame.content();
        final byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        frame.release();
        return bytes;
    }

    /**
     * Await the end of the connection, skipping what arrives first.
     *
     * @return true when the connection closed within the time limit.
     * @throws InterruptedException when interrupted.
     */
    boolean awaitClosed() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (true)
        {
            final Object message = received.poll(deadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (null == message)
            {
                return false;
            }
            if (CLOSED == message)
            {
                return true;
            }
            if (message instanceof WebSocketFrame frame)
            {
                frame.release();
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        if (null != channel)
        {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        Object message;
        while (null != (message = received.poll()))
        {
            if (message instanceof WebSocketFrame frame)
            {
                frame.release();
            }
        }
    }

    private final class Receiver extends SimpleChannelInboundHandler<WebSocketFrame>
    {
        Receiver()
        {
            super(false);
        }

        protected void channelRead0(final ChannelHandlerContext ctx, final WebSocketFrame frame)
        {
            received.add(frame);
        }

        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
        {
            if (WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE == evt)
            {
                handshake.complete(null);
            }
            ctx.fireUserEventTriggered(evt);
        }

        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            handshake.completeExceptionally(cause);
            ctx.close();
        }

        public void channelInactive(final ChannelHandlerContext ctx)
        {
            handshake.completeExceptionally(new IllegalStateException("connection closed"));
            received.add(CLOSED);
            ctx.fireChannelInactive();
        }
    }
}
