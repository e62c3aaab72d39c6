package io.sluice.dispatch.worker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * First handler of a loopback worker connection: the timers of a connection that has not yet proven it comes from
 * the listener. Until a request on it carries the worker's token ({@link #trust()}), a connection is closed
 * {@code idleConnectionMs} after it was accepted if it sent nothing, or {@code headerWaitMs} after it was accepted if
 * it sent part of a request head. A request without the token is answered 400 and its connection closed, and the
 * readiness probe's answer closes its connection, so these timers bound every connection a stranger can open; a
 * trusted connection is the listener's, which bounds and reuses its own, and has no timer here.
 * <p>
 * Event-loop confined.
 */
final class LoopbackConnectionGuard extends ChannelInboundHandlerAdapter
{
    private static final long TIMER_PERIOD_MIN_MS = 10;
    private static final long TIMER_PERIOD_MAX_MS = 1_000;
    private static final int TIMER_DIVISOR = 4;

    private final long headerWaitNs;
    private final long idleConnectionNs;
    private final long timerPeriodMs;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long acceptedNs;
    private boolean bytesSeen;
    private boolean trusted;

    /**
     * @param headerWaitMs     time an untrusted connection that sent part of a head may stay open; 0 no limit.
     * @param idleConnectionMs time an untrusted connection that sent nothing may stay open; 0 no limit.
     */
    LoopbackConnectionGuard(final long headerWaitMs, final long idleConnectionMs)
    {
        this.headerWaitNs = TimeUnit.MILLISECONDS.toNanos(headerWaitMs);
        this.idleConnectionNs = TimeUnit.MILLISECONDS.toNanos(idleConnectionMs);
        long shortestMs = TIMER_PERIOD_MAX_MS * TIMER_DIVISOR;
        if (headerWaitMs > 0)
        {
            shortestMs = Math.min(shortestMs, headerWaitMs);
        }
        if (idleConnectionMs > 0)
        {
            shortestMs = Math.min(shortestMs, idleConnectionMs);
        }
        this.timerPeriodMs = Math.max(TIMER_PERIOD_MIN_MS, shortestMs / TIMER_DIVISOR);
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        acceptedNs = System.nanoTime();
        if (headerWaitNs > 0 || idleConnectionNs > 0)
        {
            timer = ctx.executor().scheduleAtFixedRate(
                this::onTimer, timerPeriodMs, timerPeriodMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        cancelTimer();
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!bytesSeen && msg instanceof ByteBuf buf && buf.isReadable())
        {
            bytesSeen = true;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    /**
     * A request on this connection carried the worker's token: the connection is the listener's and keeps no timer.
     */
    void trust()
    {
        if (!trusted)
        {
            trusted = true;
            cancelTimer();
        }
    }

    /**
     * @return true once a request on this connection carried the token.
     */
    boolean isTrusted()
    {
        return trusted;
    }

    private void onTimer()
    {
        if (trusted)
        {
            cancelTimer();
            return;
        }
        final long ageNs = System.nanoTime() - acceptedNs;
        final long limitNs = bytesSeen ? headerWaitNs : idleConnectionNs;
        if (limitNs > 0 && ageNs > limitNs)
        {
            cancelTimer();
            ctx.close();
        }
    }

    private void cancelTimer()
    {
        if (null != timer)
        {
            timer.cancel(false);
            timer = null;
        }
    }
}
