package io.sluice.listener.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * The one timer of a connection: a single scheduled task carries the earliest deadline in force and is re-armed when
 * it fires (as {@code IdleStateHandler} does). Events only move timestamps; the task is rescheduled only when a
 * deadline earlier than the armed one appears. When it fires, the {@link Check} acts on every deadline that has run
 * out and names the earliest one still ahead with {@link #isExpired} or {@link #consider}; the task is armed for it.
 * <p>
 * Time is read from an injected {@link NanoClock} (tests advance it, and the event loop's ticker with it), and the task
 * runs on the connection's event loop. Nothing fires once the channel is inactive. Event-loop confined.
 */
final class ConnectionDeadlines implements Runnable
{
    /**
     * What the connection checks when its timer fires.
     */
    @FunctionalInterface
    interface Check
    {
        /**
         * Act on every expired deadline, and {@link #consider} (or ask {@link #isExpired} about) each one still ahead.
         *
         * @param nowNs the clock, read once for the whole check.
         */
        void onDeadlines(long nowNs);
    }

    private final NanoClock clock;
    private final Check check;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long timerDeadlineNs;
    private boolean hasNextDeadline;
    private long nextDeadlineNs;

    /**
     * @param clock the connection's clock.
     * @param check told when the timer fires.
     */
    ConnectionDeadlines(final NanoClock clock, final Check check)
    {
        this.clock = clock;
        this.check = check;
    }

    /**
     * @param ctx the context of the handler that owns the timer: its executor runs the task.
     */
    void context(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * @return the connection's clock, now.
     */
    long nowNs()
    {
        return clock.nanoTime();
    }

    /**
     * Make sure the timer fires no later than a deadline: a no-op when it is already armed for that time or earlier.
     *
     * @param nowNs      the clock now.
     * @param deadlineNs the deadline, on the same clock.
     */
    void arm(final long nowNs, final long deadlineNs)
    {
        final ScheduledFuture<?> armed = timer;
        if (null != armed)
        {
            if (deadlineNs - timerDeadlineNs >= 0)
            {
                return;
            }
            armed.cancel(false);
        }
        timerDeadlineNs = deadlineNs;
        timer = ctx.executor().schedule(this, Math.max(0, deadlineNs - nowNs), TimeUnit.NANOSECONDS);
    }

    /**
     * Arm the timer for a duration from a start, unless that timer is off ({@link HttpConnectionConfig#DISABLED}).
     *
     * @param nowNs      the clock now.
     * @param startNs    when the timed wait started.
     * @param durationNs how long it may last, or {@link HttpConnectionConfig#DISABLED}.
     */
    void arm(final long nowNs, final long startNs, final long durationNs)
    {
        if (HttpConnectionConfig.DISABLED != durationNs)
        {
            arm(nowNs, startNs + durationNs);
        }
    }

    /**
     * Cancel the armed task, if any: nothing fires until the timer is armed again.
     */
    void cancel()
    {
        final ScheduledFuture<?> armed = timer;
        if (null != armed)
        {
            timer = null;
            armed.cancel(false);
        }
    }

    /**
     * @return true while a task is armed.
     */
    boolean isArmed()
    {
        return null != timer;
    }

    /**
     * During a {@link Check}: whether a timer of {@code durationNs} started at {@code startNs} has run out; when it has
     * not, its deadline is considered for the next firing. A disabled timer never runs out.
     *
     * @param nowNs      the clock now.
     * @param startNs    when the timed wait started.
     * @param durationNs how long it may last, or {@link HttpConnectionConfig#DISABLED}.
     * @return true when it has run out.
     */
    boolean isExpired(final long nowNs, final long startNs, final long durationNs)
    {
        if (HttpConnectionConfig.DISABLED == durationNs)
        {
            return false;
        }
        final long deadlineNs = startNs + durationNs;
        if (nowNs - deadlineNs >= 0)
        {
            return true;
        }
        consider(deadlineNs);
        return false;
    }

    /**
     * During a {@link Check}: a deadline still ahead, for the next firing (the earliest one considered wins).
     *
     * @param deadlineNs the deadline.
     */
    void consider(final long deadlineNs)
    {
        if (!hasNextDeadline || deadlineNs - nextDeadlineNs < 0)
        {
            hasNextDeadline = true;
            nextDeadlineNs = deadlineNs;
        }
    }

    /**
     * The timer fired: check, then arm for the earliest deadline still ahead.
     */
    public void run()
    {
        timer = null;
        if (!ctx.channel().isActive())
        {
            return;
        }
        final long nowNs = clock.nanoTime();
        hasNextDeadline = false;
        check.onDeadlines(nowNs);
        if (hasNextDeadline && ctx.channel().isActive())
        {
            arm(nowNs, nextDeadlineNs);
        }
    }
}
