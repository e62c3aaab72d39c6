package io.sluice.listener.hosting.shm;

import io.netty.channel.Channel;

/**
 * Admission to one worker slot's doorbell socket: at most one connection at a time may be waiting to send its token,
 * and only for {@link #TOKEN_DEADLINE_MS} (or the worker's startupTimeLimit, when shorter). Every other connection is
 * refused at once, so a worker cannot make the listener hold more than one unauthenticated descriptor per slot.
 * <p>
 * Threading: confined to the host's event loop, which owns the doorbell channels and runs the host's timer.
 */
final class DoorbellGate
{
    /**
     * The time a doorbell connection has to send its whole token before the listener closes it.
     */
    static final long TOKEN_DEADLINE_MS = 1000;

    private final long deadlineMs;
    private Channel waiting;
    private long waitingSinceMs;

    /**
     * @param startupTimeLimitMs the worker's startupTimeLimit; the deadline is never longer.
     */
    DoorbellGate(final long startupTimeLimitMs)
    {
        this.deadlineMs = Math.max(1, Math.min(TOKEN_DEADLINE_MS, startupTimeLimitMs));
    }

    /**
     * @return the time a connection has to send its token.
     */
    long deadlineMs()
    {
        return deadlineMs;
    }

    /**
     * A connection was accepted.
     *
     * @param channel  the new connection.
     * @param nowMs    the host's clock.
     * @param attached whether a worker is attached on the slot already.
     * @return true when the connection may send its token; false when it must be closed at once.
     */
    boolean admit(final Channel channel, final long nowMs, final boolean attached)
    {
        if (attached || null != waiting)
        {
            return false;
        }
        waiting = channel;
        waitingSinceMs = nowMs;
        return true;
    }

    /**
     * The connection sent its token (right or wrong) or closed: another may wait.
     *
     * @param channel the connection.
     */
    void release(final Channel channel)
    {
        if (waiting == channel)
        {
            waiting = null;
        }
    }

    /**
     * @param channel a connection.
     * @return true while the connection is the one admitted to send its token.
     */
    boolean isWaiting(final Channel channel)
    {
        return null != channel && waiting == channel;
    }

    /**
     * The host's timer.
     *
     * @param nowMs the host's clock.
     * @return the connection whose deadline has passed, released and to be closed; null when none.
     */
    Channel expire(final long nowMs)
    {
        final Channel channel = waiting;
        if (null != channel && nowMs - waitingSinceMs >= deadlineMs)
        {
            waiting = null;
            return channel;
        }
        return null;
    }
}
