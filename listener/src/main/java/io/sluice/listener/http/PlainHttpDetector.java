package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import org.agrona.concurrent.NanoClock;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler of an HTTPS connection, in front of {@link SniServerHandler}: it looks at the first
 * {@link #RECORD_HEADER_LENGTH} bytes the client sends. A TLS record header takes it out of the pipeline at once,
 * handing those bytes on untouched, so a TLS client pays nothing more. Anything else is a client speaking cleartext
 * to an HTTPS port (as nginx, {@code 400 The plain HTTP request was sent to HTTPS port}): it is answered
 * {@code 400 Bad Request} with {@code connection: close} and a short text body, without decoding the request (never
 * routed, never reaching a handler), and the connection ends with a lingering close ({@link LingeringCloseHandler}).
 * A client that sends fewer bytes and stalls is closed by the handshake timeout of the handler behind. Event-loop
 * confined.
 */
final class PlainHttpDetector extends ByteToMessageDecoder
{
    /**
     * Bytes of a TLS record header, on which the decision is taken: {@value}.
     */
    static final int RECORD_HEADER_LENGTH = 5;

    static final String BODY = "400 Bad Request: a plain HTTP request was sent to an HTTPS port\n";

    private static final byte[] HEAD_START = (
        "HTTP/1.1 400 Bad Request\r\n" +
        "content-type: text/plain\r\n" +
        "content-length: " + BODY.length() + "\r\n" +
        "connection: close\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD_END_AND_BODY = ("\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);
    private static final int DATE_LINE_LENGTH = 64;

    private final NanoClock clock;
    private final DateHeader date;
    private boolean answered;

    /**
     * @param clock the clock of the lingering close after the answer.
     * @param date  the {@code date} header the answer carries.
     */
    PlainHttpDetector(final NanoClock clock, final DateHeader date)
    {
        this.clock = clock;
        this.date = date;
    }

    /**
     * {@inheritDoc}
     */
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (answered)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < RECORD_HEADER_LENGTH)
        {
            return;
        }
        if (SslHandler.isEncrypted(in, false))
        {
            // the cumulated bytes go on to the TLS handler as they came
            ctx.pipeline().remove(this);
            return;
        }
        answered = true;
        in.skipBytes(in.readableBytes());
        final ChannelPipeline pipeline = ctx.pipeline();
        // nothing behind may read this connection's bytes: the request is never decoded
        while (pipeline.last() != this)
        {
            pipeline.removeLast();
        }
        final ByteBuf response =
            ctx.alloc().buffer(HEAD_START.length + DATE_LINE_LENGTH + HEAD_END_AND_BODY.length);
        response.writeBytes(HEAD_START);
        date.write(response);
        response.writeBytes(HEAD_END_AND_BODY);
        ctx.writeAndFlush(response).addListener((ChannelFutureListener)this::answerWritten);
    }

    private void answerWritten(final ChannelFuture future)
    {
        final Channel channel = future.channel();
        if (future.isSuccess() && channel.isActive() && channel instanceof DuplexChannel duplex &&
            !duplex.isInputShutdown() && null != channel.pipeline().context(this))
        {
            channel.pipeline().replace(this, "linger",
                new LingeringCloseHandler(clock, LingeringCloseHandler.LINGER_DEFAULT_NS));
        }
        else
        {
            channel.close();
        }
    }
}
