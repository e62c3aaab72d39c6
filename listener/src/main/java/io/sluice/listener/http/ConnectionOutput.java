package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.ssl.SslHandler;
import io.sluice.listener.queue.FlushListener;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;

/**
 * The output side of a connection: response bytes written through the connection handler's context, one flush per
 * event-loop turn ({@link FlushBatcher}), flush notices ({@link FlushNotices}), and the end of the connection after the
 * response that closes it: a plain close, or a lingering close when the client may still be sending, for which a
 * {@link LingeringCloseHandler} takes the connection handler's place ({@code pipeline.replace}) and the decoder is
 * taken out once the response is flushed. Large body bytes in off-heap memory (a shared-memory worker's response ring)
 * go straight to the socket when nothing is queued before them ({@link #writeDirect}). Event-loop confined.
 */
final class ConnectionOutput
{
    /**
     * Least body length written straight from the caller's memory ({@link #writeDirect}), {@value} bytes: below it the
     * copy into a pooled buffer costs less than the flush of what is queued before it.
     */
    static final int DIRECT_WRITE_MIN_LENGTH = 16 * 1024;

    private static final String LINGER_HANDLER_NAME = "linger";

    private final ChannelHandler connection;
    private final StrictRequestDecoder decoder;
    private final NanoClock clock;
    private final long lingerNs;
    private final Runnable cancelTimers;
    private final FlushNotices notices = new FlushNotices(this);
    private final ChannelFutureListener startLinger = this::startLinger;
    private ChannelHandlerContext ctx;
    private FlushBatcher batcher;
    private MinSendRateHandler sendRate;
    private boolean directWrites;
    private boolean flushRequested;
    private boolean closeAfterFlush;
    private boolean lingerOnClose;
    private boolean lingering;

    /**
     * @param connection   the connection handler, replaced when the connection lingers.
     * @param decoder      the connection's decoder, taken out when it lingers.
     * @param clock        the connection's clock.
     * @param lingerNs     the longest lingering close.
     * @param cancelTimers stops the connection's timers when it lingers.
     */
    ConnectionOutput(
        final ChannelHandler connection,
        final StrictRequestDecoder decoder,
        final NanoClock clock,
        final long lingerNs,
        final Runnable cancelTimers)
    {
        this.connection = connection;
        this.decoder = decoder;
        this.clock = clock;
        this.lingerNs = lingerNs;
        this.cancelTimers = cancelTimers;
    }

    /**
     * @param ctx the connection handler's context: every byte is written through it.
     */
    void context(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.batcher = FlushBatcher.current(ctx.channel().eventLoop());
        this.sendRate = ctx.pipeline().get(MinSendRateHandler.class);
        // a socket of its own (epoll), and bytes that go to it as they are: not through TLS
        this.directWrites = ctx.channel() instanceof UnixChannel && null == ctx.pipeline().get(SslHandler.class);
        notices.context(ctx);
    }

    /**
     * Write body bytes from off-heap memory straight to the socket, with no copy in the listener: only when the
     * channel holds nothing before them (what it holds is flushed first; if the socket does not take all of that, none
     * of these go), and only as many as the socket takes now without blocking. They count as written, and as taken
     * by the socket, for flush notices and the minimum send rate. The caller writes the rest as usual.
     *
     * @param src    the bytes: off-heap memory ({@link DirectBuffer#addressOffset()}), not a heap array.
     * @param offset of the bytes in {@code src}.
     * @param length of the bytes.
     * @return how many the socket took, 0 to {@code length}.
     */
    int writeDirect(final DirectBuffer src, final int offset, final int length)
    {
        if (!directWrites || length < DIRECT_WRITE_MIN_LENGTH || closeAfterFlush || null != src.byteArray())
        {
            return 0;
        }
        final Channel channel = ctx.channel();
        if (!channel.isActive() || hasQueued(channel))
        {
            if (!channel.isActive())
            {
                return 0;
            }
            // the response's head, or an earlier body piece: it goes first
            ctx.flush();
            if (!channel.isActive() || hasQueued(channel))
            {
                return 0;
            }
        }
        final int written;
        try
        {
            written = ((UnixChannel)channel).fd().writeAddress(src.addressOffset() + offset, 0, length);
        }
        catch (final IOException ex)
        {
            // the connection failed: the usual write of these bytes finds it so, and the channel closes
            return 0;
        }
        if (written > 0)
        {
            notices.written(written);
            if (null != sendRate)
            {
                sendRate.writtenDirectly(written);
            }
        }
        return written;
    }

    private static boolean hasQueued(final Channel channel)
    {
        final ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        return null == outbound || outbound.totalPendingWriteBytes() > 0;
    }

    /**
     * Write response bytes, flushed at the end of this event-loop turn.
     *
     * @param buf the bytes; the channel's from here (released when the connection is already gone).
     */
    void write(final ByteBuf buf)
    {
        if (closeAfterFlush && !ctx.channel().isActive())
        {
            buf.release();
            return;
        }
        notices.written(buf.readableBytes());
        ctx.write(buf, ctx.voidPromise());
        requestFlush();
    }

    /**
     * Ask to hear when every byte written so far has been taken by the socket: see {@link FlushNotices}.
     *
     * @param listener told on the event loop; never when the connection closes first.
     * @param token    given back to the listener.
     */
    void notifyWhenFlushed(final FlushListener listener, final long token)
    {
        notices.notifyWhenFlushed(listener, token);
    }

    /**
     * Flush at the end of this event-loop turn, once however often asked.
     */
    void requestFlush()
    {
        if (!flushRequested)
        {
            flushRequested = true;
            batcher.flushLater(ctx);
        }
    }

    /**
     * The event-loop turn ends: flush, and once the response that ends the connection is out, close or linger.
     */
    void flushNow()
    {
        flushRequested = false;
        if (closeAfterFlush)
        {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(
                lingerOnClose ? startLinger : ChannelFutureListener.CLOSE);
        }
        else
        {
            ctx.flush();
        }
    }

    /**
     * The client may still be sending when the connection closes: linger then rather than close at once.
     */
    void lingerOnClose()
    {
        lingerOnClose = true;
    }

    /**
     * Close the connection once what was written is flushed.
     *
     * @param linger true when the client may still be sending: linger.
     */
    void closeAfterFlush(final boolean linger)
    {
        lingerOnClose = lingerOnClose || linger;
        closeAfterFlush = true;
        requestFlush();
    }

    /**
     * @return true once the connection closes after the flush.
     */
    boolean isClosingAfterFlush()
    {
        return closeAfterFlush;
    }

    /**
     * The response that ends the connection is flushed: a {@link LingeringCloseHandler} takes the connection
     * handler's place, and the decoder goes (what it still holds, and everything after, arrives there as bytes to
     * discard).
     */
    private void startLinger(final ChannelFuture flushed)
    {
        final Channel channel = ctx.channel();
        if (lingering || !channel.isActive())
        {
            return;
        }
        if (!flushed.isSuccess() || !(channel instanceof DuplexChannel duplex) || duplex.isInputShutdown())
        {
            channel.close();
            return;
        }
        lingering = true;
        cancelTimers.run();
        final ChannelPipeline pipeline = ctx.pipeline();
        pipeline.replace(connection, LINGER_HANDLER_NAME, new LingeringCloseHandler(clock, lingerNs));
        if (null != pipeline.context(decoder))
        {
            pipeline.remove(decoder);
        }
    }
}
