package io.sluice.listener;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client for the tests, on Netty's HTTP/2 codec: one connection (h2 over TLS with ALPN, or h2c with prior
 * knowledge), each request on a stream of its own ({@link Http2StreamChannelBootstrap}), its response collected whole.
 * A request body is sent in 16 KiB DATA frames, as fast as the server's windows let it. Close it to close the
 * connection.
 */
final class Http2TestClient implements AutoCloseable
{
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private static final int FRAME_LENGTH = 16 * 1024;
    private static final long CONNECT_TIMEOUT_MS = 10_000;
    private static final int CONNECTION_WINDOW_INCREMENT = 64 * 1024 * 1024;

    private final Channel channel;
    private final CompletableFuture<Http2GoAwayFrame> goAway = new CompletableFuture<>();

    /**
     * The response of one stream.
     *
     * @param status  the final status; 0 when the stream was reset before one.
     * @param headers the final head's fields.
     * @param body    the body bytes received.
     * @param reset   the error code of a {@code RST_STREAM} the server sent, or -1.
     */
    record Response(int status, Http2Headers headers, byte[] body, long reset)
    {
        String bodyText()
        {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        String header(final String name)
        {
            final CharSequence value = headers.get(name);
            return null == value ? null : value.toString();
        }
    }

    private Http2TestClient(final Channel channel)
    {
        this.channel = channel;
    }

    /**
     * @param port the listener's port.
     * @param tls  true for h2 over TLS (ALPN), false for h2c with prior knowledge.
     * @return a connected client.
     * @throws Exception when the connection or the TLS handshake fails.
     */
    static Http2TestClient connect(final int port, final boolean tls) throws Exception
    {
        final SslContext ssl = tls ? SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .applicationProtocolConfig(new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2))
            .build() : null;
        final Http2TestClient[] client = new Http2TestClient[1];
        final Channel channel = new Bootstrap()
            .group(GROUP)
            .channel(NioSocketChannel.class)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                protected void initChannel(final SocketChannel ch)
                {
                    if (null != ssl)
                    {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
                    }
                    ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient()
                            .initialSettings(Http2Settings.defaultSettings().initialWindowSize(1024 * 1024))
                            .build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()
                        {
                            public boolean isSharable()
                            {
                                return true;
                            }
                        }))
                        .addLast(new ChannelInboundHandlerAdapter()
                        {
                            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                            {
                                if (msg instanceof Http2GoAwayFrame frame)
                                {
                                    client[0].goAway.complete(frame.retain());
                                }
                                ReferenceCountUtil.release(msg);
                            }

                            public void channelInactive(final ChannelHandlerContext ctx)
                            {
                                client[0].goAway.complete(null);
                                ctx.fireChannelInactive();
                            }
                        });
                }
            })
            .connect("127.0.0.1", port)
            .sync()
            .channel();
        client[0] = new Http2TestClient(channel);
        // as browsers do: the connection's window far wider than a stream's, so one unread stream holds back no other
        channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW_INCREMENT));
        if (tls)
        {
            final SslHandler handler = channel.pipeline().get(SslHandler.class);
            handler.handshakeFuture().get(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (!ApplicationProtocolNames.HTTP_2.equals(handler.applicationProtocol()))
            {
                channel.close();
                throw new IllegalStateException("ALPN chose " + handler.applicationProtocol());
            }
        }
        return client[0];
    }

    /**
     * @return the connection.
     */
    Channel channel()
    {
        return channel;
    }

    /**
     * @return completed with the server's {@code GOAWAY} (retained: the caller releases it), or null when the
     * connection closed without one.
     */
    CompletableFuture<Http2GoAwayFrame> goAway()
    {
        return goAway;
    }

    /**
     * @param method the method.
     * @param path   the target.
     * @param body   the body, or null for none.
     * @param fields more fields, name then value.
     * @return completed with the response once its stream ends.
     * @throws Exception when the stream cannot be opened.
     */
    CompletableFuture<Response> send(
        final String method, final String path, final byte[] body, final String... fields) throws Exception
    {
        final Stream stream = open(method, path, null == body ? -1 : body.length, null == body, fields);
        if (null != body)
        {
            stream.data(body, 0, body.length, true);
        }
        return stream.response();
    }

    /**
     * Open a stream and send its head.
     *
     * @param method        the method.
     * @param path          the target.
     * @param contentLength the {@code content-length} to send, or -1 for none.
     * @param endStream     true when the head ends the request.
     * @param fields        more fields, name then value.
     * @return the stream.
     * @throws Exception when the stream cannot be opened.
     */
    Stream open(
        final String method, final String path, final long contentLength, final boolean endStream,
        final String... fields) throws Exception
    {
        return open(true, method, path, contentLength, endStream, fields);
    }

    /**
     * Open a stream that reads nothing of its response until {@link Stream#resume()}: the server's window for it
     * closes once the client's initial window (1 MiB) is used.
     *
     * @param method the method.
     * @param path   the target.
     * @return the stream, its head sent and ending the request.
     * @throws Exception when the stream cannot be opened.
     */
    Stream openPaused(final String method, final String path) throws Exception
    {
        return open(false, method, path, -1, true);
    }

    private Stream open(
        final boolean read, final String method, final String path, final long contentLength, final boolean endStream,
        final String... fields) throws Exception
    {
        final Stream stream = new Stream();
        final Http2StreamChannel child = new Http2StreamChannelBootstrap(channel)
            .option(ChannelOption.AUTO_READ, read)
            .handler(stream.collector())
            .open()
            .get(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        stream.channel = child;
        final Http2Headers headers = new DefaultHttp2Headers()
            .method(method)
            .path(path)
            .scheme(null == channel.pipeline().get(SslHandler.class) ? "http" : "https")
            .authority("127.0.0.1");
        if (contentLength >= 0)
        {
            headers.setLong("content-length", contentLength);
        }
        for (int i = 0; i < fields.length; i += 2)
        {
            headers.add(fields[i], fields[i + 1]);
        }
        child.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream));
        return stream;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        channel.close().syncUninterruptibly();
    }

    /**
     * One stream of the connection.
     */
    static final class Stream
    {
        private final CompletableFuture<Response> response = new CompletableFuture<>();
        private final CompletableFuture<Integer> head = new CompletableFuture<>();
        private Http2StreamChannel channel;
        private volatile int bodyLength;

        /**
         * Send body bytes in DATA frames of at most 16 KiB.
         *
         * @param bytes  holding the body.
         * @param offset of the bytes to send.
         * @param length of the bytes to send.
         * @param last   true when they end the body.
         */
        void data(final byte[] bytes, final int offset, final int length, final boolean last)
        {
            int sent = 0;
            do
            {
                final int frame = Math.min(FRAME_LENGTH, length - sent);
                final boolean end = last && sent + frame == length;
                final ByteBuf content = Unpooled.wrappedBuffer(bytes, offset + sent, frame);
                channel.write(new DefaultHttp2DataFrame(content, end));
                sent += frame;
            }
            while (sent < length);
            channel.flush();
        }

        /**
         * Start reading the response of a stream opened with {@link #openPaused}.
         */
        void resume()
        {
            channel.eventLoop().execute(() ->
            {
                channel.config().setAutoRead(true);
                channel.read();
            });
        }

        /**
         * @return response body bytes read so far.
         */
        int bodyLengthRead()
        {
            return bodyLength;
        }

        /**
         * Reset the stream ({@code RST_STREAM CANCEL}).
         */
        void reset()
        {
            channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        }

        /**
         * @return completed with the final status once the response head arrives.
         */
        CompletableFuture<Integer> head()
        {
            return head;
        }

        /**
         * @return completed with the response once the stream ends.
         */
        CompletableFuture<Response> response()
        {
            return response;
        }

        private ChannelHandler collector()
        {
            return new ChannelInboundHandlerAdapter()
            {
                private final ByteArrayOutputStream body = new ByteArrayOutputStream();
                private Http2Headers headers = new DefaultHttp2Headers();
                private int status;
                private long reset = -1;

                public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                {
                    try
                    {
                        if (msg instanceof Http2HeadersFrame frame)
                        {
                            final int code = frame.headers().status() == null ?
                                0 : Integer.parseInt(frame.headers().status().toString());
                            if (code >= 200)
                            {
                                status = code;
                                headers = frame.headers();
                                head.complete(code);
                            }
                            if (frame.isEndStream())
                            {
                                complete();
                            }
                        }
                        else if (msg instanceof Http2DataFrame frame)
                        {
                            final ByteBuf content = frame.content();
                            final byte[] bytes = new byte[content.readableBytes()];
                            content.readBytes(bytes);
                            body.writeBytes(bytes);
                            bodyLength += bytes.length;
                            if (frame.isEndStream())
                            {
                                complete();
                            }
                        }
                    }
                    finally
                    {
                        ReferenceCountUtil.release(msg);
                    }
                }

                public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
                {
                    if (evt instanceof Http2ResetFrame frame)
                    {
                        reset = frame.errorCode();
                    }
                    ReferenceCountUtil.release(evt);
                }

                public void channelInactive(final ChannelHandlerContext ctx)
                {
                    complete();
                }

                private void complete()
                {
                    head.complete(status);
                    response.complete(new Response(status, headers, body.toByteArray(), reset));
                }
            };
        }
    }
}
