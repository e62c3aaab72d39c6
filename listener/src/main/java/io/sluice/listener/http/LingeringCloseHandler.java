package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * The last stage of a connection that closes while the client may still be sending (as nginx's
 * {@code lingering_close}): swapped in for {@link HttpConnectionHandler} with {@code pipeline.replace} once the response
 * that ends the connection is flushed, with the decoder taken out. Closing at once could make the client's kernel
 * answer the bytes still coming with a reset and lose the response; instead the output is shut down (the FIN follows
 * the response), and whatever still arrives is read and discarded until the client closes,
 * {@link #LINGER_MAX_BYTES} have been discarded, or the linger time has passed; then the channel is closed.
 * <p>
 * Reads bytes ({@link ByteBuf}, after the decoder is gone) and decoded {@link HttpContent} (what the decoder handed on
 * before it went) alike. Event-loop confined.
 */
public final class LingeringCloseHandler extends ChannelInboundHandlerAdapter implements Runnable
{
    /**
     * Most request bytes read and discarded during a lingering close before the connection is closed anyway.
     */
    public static final long LINGER_MAX_BYTES = 1024 * 1024;

    /**
     * Longest lingering close when the {@code drainEntityBody} timer is off.
     */
    public static final long LINGER_DEFAULT_NS = TimeUnit.SECONDS.toNanos(2);

    private final NanoClock clock;
    private final long lingerNs;
    private ChannelHandlerContext ctx;
    private long deadlineNs;
    private long discardedBytes;
    private ScheduledFuture<?> timer;

    /**
     * @param clock    the connection's clock.
     * @param lingerNs the longest linger.
     */
    public LingeringCloseHandler(final NanoClock clock, final long lingerNs)
    {
        this.clock = clock;
        this.lingerNs = lingerNs;
    }

    /**
     * @param drainEntityBodyNs the connection's {@code drainEntityBody} timer, or
     *                          {@link HttpConnectionConfig#DISABLED}.
     * @return how long a connection lingers: that timer, or {@link #LINGER_DEFAULT_NS} when it is off.
     */
    public static long lingerNs(final long drainEntityBodyNs)
    {
        return HttpConnectionConfig.DISABLED == drainEntityBodyNs ? LINGER_DEFAULT_NS : drainEntityBodyNs;
    }

    /**
     * Start lingering: the linger time runs from here, the output is shut down, and reading goes on until the end.
     * The caller has checked that the channel is an open {@link DuplexChannel} whose input is not shut down.
     * <p>
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        final long nowNs = clock.nanoTime();
        deadlineNs = nowNs + lingerNs;
        schedule(nowNs);
        final Channel channel = ctx.channel();
        ((DuplexChannel)channel).shutdownOutput().addListener((ChannelFutureListener)(future) ->
        {
            if (!future.isSuccess())
            {
                future.channel().close();
            }
        });
        channel.config().setAutoRead(true);
        channel.read();
    }

    /**
     * {@inheritDoc}
     */
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        cancel();
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof ByteBuf buf)
        {
            discardedBytes += buf.readableBytes();
        }
        else if (msg instanceof HttpContent content)
        {
            discardedBytes += content.content().readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (discardedBytes > LINGER_MAX_BYTES)
        {
            ctx.close();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        cancel();
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        cancel();
        ctx.close();
    }

    /**
     * @return request bytes read and discarded so far.
     */
    long discardedBytes()
    {
        return discardedBytes;
    }

    /**
     * The linger time may have passed.
     */
    public void run()
    {
        timer = null;
        if (!ctx.channel().isActive())
        {
            return;
        }
        final long nowNs = clock.nanoTime();
        if (nowNs - deadlineNs >= 0)
        {
            ctx.close();
        }
        else
        {
            schedule(nowNs);
        }
    }

    private void schedule(final long nowNs)
    {
        timer = ctx.executor().schedule(this, Math.max(0, deadlineNs - nowNs), TimeUnit.NANOSECONDS);
    }

    private void cancel()
    {
        final ScheduledFuture<?> armed = timer;
        if (null != armed)
        {
            timer = null;
            armed.cancel(false);
        }
    }
}
