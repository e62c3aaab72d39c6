package io.sluice.listener.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the listener's open client connections and bounds them (HTTP.sys MaxConnections): a connection past the
 * bound is refused at once ({@link HttpServerInitializer} answers it 503 and closes it), never left waiting. Counts
 * even when unbounded, for the admin endpoint. Lock-free; safe from any event loop.
 * <p>
 * It also tracks the open connections for a graceful stop: once {@link #startDraining(long)} is called every
 * response gets {@code connection: close} and its connection closes after it, and connections with nothing in flight
 * (idle keep-alive) are closed at once; an HTTP/2 connection is sent {@code GOAWAY}, and closes once its open streams
 * are done, or when the stop's time limit has passed, whichever comes first.
 */
public final class ConnectionLimiter
{
    /**
     * Bound that means "no limit".
     */
    public static final int UNLIMITED = 0;

    private volatile int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final ChannelGroup channels = new DefaultChannelGroup("sluice-connections", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;
    private volatile long drainTimeLimitMs;

    /**
     * @param maxConnections most open connections, or {@link #UNLIMITED}.
     * @throws IllegalArgumentException if negative.
     */
    public ConnectionLimiter(final int maxConnections)
    {
        if (maxConnections < 0)
        {
            throw new IllegalArgumentException(
                "maxConnections negative: maxConnections=" + maxConnections + ", limit=0");
        }
        this.maxConnections = maxConnections;
    }

    /**
     * @return the bound, or {@link #UNLIMITED}.
     */
    public int maxConnections()
    {
        return maxConnections;
    }

    /**
     * Change the bound (a reload): connections accepted from now on are counted against it; connections open past a
     * lowered bound are not closed.
     *
     * @param maxConnections most open connections, or {@link #UNLIMITED}.
     * @throws IllegalArgumentException if negative.
     */
    public void maxConnections(final int maxConnections)
    {
        if (maxConnections < 0)
        {
            throw new IllegalArgumentException(
                "maxConnections negative: maxConnections=" + maxConnections + ", limit=0");
        }
        this.maxConnections = maxConnections;
    }

    /**
     * @return client connections open now.
     */
    public int openCount()
    {
        return open.get();
    }

    /**
     * @return connections refused because the bound was reached, since start.
     */
    public long refusedCount()
    {
        return refused.get();
    }

    /**
     * Count a newly accepted connection if the bound allows it.
     *
     * @return true when counted: the caller must {@link #release()} exactly once when it closes; false when refused.
     */
    public boolean tryAcquire()
    {
        final int maxConnections = this.maxConnections;
        if (UNLIMITED == maxConnections)
        {
            open.incrementAndGet();
            return true;
        }
        while (true)
        {
            final int current = open.get();
            if (current >= maxConnections)
            {
                refused.incrementAndGet();
                return false;
            }
            if (open.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    /**
     * A connection counted by {@link #tryAcquire()} has closed.
     */
    public void release()
    {
        open.decrementAndGet();
    }

    /**
     * Track an accepted, counted connection until it closes, so a graceful stop can reach it.
     *
     * @param channel the connection.
     */
    public void track(final Channel channel)
    {
        channels.add(channel);
    }

    /**
     * Response bytes the listener holds for its client connections, written by the listener and not yet taken by the
     * sockets (Netty's outbound buffers, as {@code ChannelOutboundBuffer.totalPendingWriteBytes()} counts them: bytes
     * plus a small per-message overhead). Read from any thread; a sum of values each read atomically.
     *
     * @return the pending outbound bytes of every open connection, and the largest one connection holds.
     */
    public OutboundBytes outboundBytes()
    {
        long total = 0;
        long largest = 0;
        for (final Channel channel : channels)
        {
            final ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
            if (null != outbound)
            {
                final long pending = outbound.totalPendingWriteBytes();
                total += pending;
                largest = Math.max(largest, pending);
            }
        }
        return new OutboundBytes(total, largest);
    }

    /**
     * Response bytes held in the listener's outbound buffers.
     *
     * @param totalLength   summed over all open client connections.
     * @param largestLength the most one connection holds.
     */
    public record OutboundBytes(long totalLength, long largestLength)
    {
    }

    /**
     * @return true once a graceful stop began: responses close their connections, idle connections are closed.
     */
    public boolean isDraining()
    {
        return draining;
    }

    /**
     * @return how long an HTTP/2 connection sent {@code GOAWAY} by the graceful stop waits for its open streams.
     */
    public long drainTimeLimitMs()
    {
        return drainTimeLimitMs;
    }

    /**
     * Begin a graceful stop: from now on every response gets {@code connection: close}, and each open connection
     * with nothing in flight is closed at once (on its own event loop); an HTTP/2 connection is sent {@code GOAWAY}
     * and closed once its open streams are done, or after {@code drainTimeLimitMs} at the latest. Idempotent; call
     * from any thread.
     *
     * @param drainTimeLimitMs how long the stop lets the requests in flight finish (the listener's longest
     *                         {@code shutdownTimeLimit}).
     */
    public void startDraining(final long drainTimeLimitMs)
    {
        this.drainTimeLimitMs = drainTimeLimitMs;
        draining = true;
        for (final Channel channel : channels)
        {
            channel.eventLoop().execute(
                () ->
                {
                    final HttpConnectionHandler handler = channel.pipeline().get(HttpConnectionHandler.class);
                    if (null != handler)
                    {
                        handler.drain();
                    }
                    final Http2ServerConnection http2 = channel.pipeline().get(Http2ServerConnection.class);
                    if (null != http2)
                    {
                        http2.drain(drainTimeLimitMs);
                    }
                });
        }
    }
}
