package io.sluice.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A raw HTTP/2 client over a plain socket for sending what a well-behaved client never would (floods, oversized or
 * expanding header blocks): frames are encoded with Netty's {@link DefaultHttp2FrameWriter} into bytes this class
 * writes itself, exactly as told, and the server's frames are decoded with Netty's {@link DefaultHttp2FrameReader} on
 * a reader thread. It records the server's {@code GOAWAY}, each stream's {@code RST_STREAM} and response status, and
 * when the server closed the connection.
 */
final class RawHttp2Connection implements AutoCloseable
{
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final OutputStream out;
    private final EmbeddedChannel encoder = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext encoderCtx = encoder.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Map<Integer, CompletableFuture<Long>> resets = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Integer>> statuses = new ConcurrentHashMap<>();

    private RawHttp2Connection(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /**
     * @return the client's port of the connection, as the listener's logs name it.
     */
    int localPort()
    {
        return socket.getLocalPort();
    }

    /**
     * Connect and send the preface and an empty SETTINGS frame (h2c with prior knowledge).
     *
     * @param port          the listener's cleartext port.
     * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system's; set before connecting.
     * @param read          false to never read what the server sends (a client that does not read).
     * @return the connection.
     * @throws IOException when the connection fails.
     */
    static RawHttp2Connection connect(final int port, final int receiveBuffer, final boolean read) throws IOException
    {
        return connect(port, receiveBuffer, read, false);
    }

    /**
     * Connect as {@link #connect(int, int, boolean)} does, the preface sent one byte per TCP segment when asked.
     *
     * @param port           the listener's cleartext port.
     * @param receiveBuffer  the socket's receive buffer in bytes, or 0 for the system's; set before connecting.
     * @param read           false to never read what the server sends.
     * @param prefaceByBytes true to send the preface one byte at a time.
     * @return the connection.
     * @throws IOException when the connection fails.
     */
    static RawHttp2Connection connect(
        final int port, final int receiveBuffer, final boolean read, final boolean prefaceByBytes) throws IOException
    {
        final Socket socket = new Socket();
        if (receiveBuffer > 0)
        {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
        final RawHttp2Connection connection = new RawHttp2Connection(socket);
        final byte[] preface = ByteBufBytes.of(Http2CodecUtil.connectionPrefaceBuf());
        if (prefaceByBytes)
        {
            for (final byte b : preface)
            {
                connection.out.write(b);
                connection.out.flush();
                pause();
            }
        }
        else
        {
            connection.out.write(preface);
        }
        connection.settings(new Http2Settings());
        if (read)
        {
            final Thread reader = new Thread(connection::readLoop, "raw-h2-reader");
            reader.setDaemon(true);
            reader.start();
        }
        return connection;
    }

    private static void pause() throws IOException
    {
        try
        {
            Thread.sleep(2);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }

    /**
     * @return completed with the error code of the server's {@code GOAWAY}.
     */
    CompletableFuture<Long> goAway()
    {
        return goAway;
    }

    /**
     * @return completed once the server closed the connection (end of stream or reset).
     */
    CompletableFuture<Void> closed()
    {
        return closed;
    }

    /**
     * @param streamId a stream.
     * @return completed with the error code of the server's {@code RST_STREAM} on it.
     */
    CompletableFuture<Long> reset(final int streamId)
    {
        return resets.computeIfAbsent(streamId, (id) -> new CompletableFuture<>());
    }

    /**
     * @param streamId a stream.
     * @return completed with the final status of the server's response on it.
     */
    CompletableFuture<Integer> status(final int streamId)
    {
        return statuses.computeIfAbsent(streamId, (id) -> new CompletableFuture<>());
    }

    /**
     * @param method   the method.
     * @param path     the target.
     * @return a request head to send with {@link #headers}.
     */
    static Http2Headers request(final String method, final String path)
    {
        return new DefaultHttp2Headers(false).method(method).path(path).scheme("http").authority("127.0.0.1");
    }

    void settings(final Http2Settings settings) throws IOException
    {
        writer.writeSettings(encoderCtx, settings, encoderCtx.newPromise());
        send();
    }

    void headers(final int streamId, final Http2Headers headers, final boolean endStream) throws IOException
    {
        writer.writeHeaders(encoderCtx, streamId, headers, 0, endStream, encoderCtx.newPromise());
        send();
    }

    void data(final int streamId, final byte[] bytes, final boolean endStream) throws IOException
    {
        writer.writeData(encoderCtx, streamId, Unpooled.wrappedBuffer(bytes), 0, endStream, encoderCtx.newPromise());
        send();
    }

    void rstStream(final int streamId, final long errorCode) throws IOException
    {
        writer.writeRstStream(encoderCtx, streamId, errorCode, encoderCtx.newPromise());
        send();
    }

    void ping(final long data) throws IOException
    {
        writer.writePing(encoderCtx, false, data, encoderCtx.newPromise());
        send();
    }

    /**
     * Send {@code count} PING frames in one write, their data {@code firstData}, {@code firstData + 1}, ...
     *
     * @param firstData the first PING's data.
     * @param count     how many PINGs.
     * @throws IOException when the write fails (the server closed the connection).
     */
    void pings(final long firstData, final int count) throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            writer.writePing(encoderCtx, false, firstData + i, encoderCtx.newPromise());
        }
        send();
    }

    /**
     * Write one frame with the payload given, as is: {@code HEADERS} without {@code END_HEADERS}, {@code CONTINUATION}.
     */
    void frame(final byte type, final int streamId, final Http2Flags flags, final byte[] payload) throws IOException
    {
        writer.writeFrame(encoderCtx, type, streamId, flags, Unpooled.wrappedBuffer(payload), encoderCtx.newPromise());
        send();
    }

    /**
     * {@inheritDoc}
     */
    public void close() throws IOException
    {
        socket.close();
        encoder.finishAndReleaseAll();
        writer.close();
    }

    private void send() throws IOException
    {
        // the frames written since the last send leave in one write, as one client's burst would
        encoder.flush();
        final ByteArrayOutputStream burst = new ByteArrayOutputStream();
        ByteBuf buf;
        while (null != (buf = encoder.readOutbound()))
        {
            burst.writeBytes(ByteBufBytes.of(buf));
        }
        burst.writeTo(out);
        out.flush();
    }

    private void readLoop()
    {
        final EmbeddedChannel decoder = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        final ChannelHandlerContext ctx = decoder.pipeline().firstContext();
        final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(false);
        final Http2FrameAdapter listener = new Http2FrameAdapter()
        {
            public void onHeadersRead(
                final ChannelHandlerContext ctx, final int streamId, final Http2Headers headers, final int padding,
                final boolean endOfStream)
            {
                final CharSequence status = headers.status();
                if (null != status && status.charAt(0) != '1')
                {
                    status(streamId).complete(Integer.parseInt(status.toString()));
                }
            }

            public void onHeadersRead(
                final ChannelHandlerContext ctx, final int streamId, final Http2Headers headers,
                final int streamDependency, final short weight, final boolean exclusive, final int padding,
                final boolean endOfStream)
            {
                onHeadersRead(ctx, streamId, headers, padding, endOfStream);
            }

            public int onDataRead(
                final ChannelHandlerContext ctx, final int streamId, final ByteBuf data, final int padding,
                final boolean endOfStream)
            {
                return data.readableBytes() + padding;
            }

            public void onRstStreamRead(final ChannelHandlerContext ctx, final int streamId, final long errorCode)
            {
                reset(streamId).complete(errorCode);
            }

            public void onGoAwayRead(
                final ChannelHandlerContext ctx, final int lastStreamId, final long errorCode, final ByteBuf debugData)
            {
                goAway.complete(errorCode);
            }
        };
        final byte[] bytes = new byte[16 * 1024];
        final ByteBuf input = Unpooled.buffer();
        try (InputStream in = socket.getInputStream())
        {
            int read;
            while ((read = in.read(bytes)) > 0)
            {
                input.writeBytes(bytes, 0, read);
                reader.readFrame(ctx, input, listener);
                input.discardReadBytes();
            }
        }
        catch (final IOException | Http2Exception ex)
        {
            // the server reset the connection, or sent what this client cannot read: either way it is over
        }
        finally
        {
            input.release();
            reader.close();
            decoder.finishAndReleaseAll();
            closed.complete(null);
        }
    }

    /**
     * Copies a buffer's readable bytes, releasing it.
     */
    private static final class ByteBufBytes
    {
        static byte[] of(final ByteBuf buf)
        {
            try
            {
                final byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                return bytes;
            }
            finally
            {
                buf.release();
            }
        }
    }
}
