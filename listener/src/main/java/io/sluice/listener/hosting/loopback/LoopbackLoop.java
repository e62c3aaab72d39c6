package io.sluice.listener.hosting.loopback;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.sluice.dispatch.buffer.ByteBufViews;
import io.sluice.listener.hosting.HostTimer;
import io.sluice.listener.hosting.InFlightList;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One event loop's share of a loopback queue: its pools of keep-alive connections to each worker, the requests
 * waiting for a worker to become ready (new ones, and those whose worker connection was lost before they could be
 * answered and that may be sent again: {@link LoopbackForward}), and the once-per-turn flush of the connections
 * written in this turn.
 * Connections are opened on this loop, so a client connection and the worker connection serving it share a thread.
 * <p>
 * Its requests in flight are linked oldest first; one timer ({@link HostTimer#periodMs}) walks them from the oldest and
 * answers 504 for those older than {@code requestTimeout} (closing their worker connections, which is how a loopback
 * worker learns to abort), stopping at the first young one. A request's start is the timer's cached clock.
 * <p>
 * Threading: event-loop confined; other threads reach it through {@link #eventLoop()}{@code .execute(...)}.
 */
final class LoopbackLoop implements Runnable
{
    /**
     * Most idle connections kept per worker on one event loop; more are closed when they come back: {@value}.
     */
    static final int IDLE_CONNECTIONS_MAX = 256;

    /**
     * Time allowed to connect to a worker: {@value} ms.
     */
    static final int CONNECT_TIMEOUT_MS = 5_000;

    private static final byte[] EMPTY = new byte[0];
    private static final Logger LOG = Logger.getLogger(LoopbackLoop.class.getName());

    private final LoopbackHost host;
    private final EventLoop eventLoop;
    private final Pool[] pools;
    private final ArrayDeque<LoopbackForward> pending = new ArrayDeque<>();
    private final ArrayList<LoopbackUpstream> toFlush = new ArrayList<>();
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private final long requestTimeoutMs;
    private final long timerPeriodMs;
    private final NanoClock nanoClock;
    private final long clockBaseNs;
    private final ScheduledFuture<?> timer;
    private final InFlightList<LoopbackForward> inFlight = new InFlightList<>();
    private long clockMs;
    private boolean flushScheduled;
    private int nextSlot;

    LoopbackLoop(
        final LoopbackHost host,
        final EventLoop eventLoop,
        final int slotCount,
        final long requestTimeoutMs,
        final NanoClock nanoClock)
    {
        this.host = host;
        this.eventLoop = eventLoop;
        this.nanoClock = nanoClock;
        this.clockBaseNs = nanoClock.nanoTime();
        this.pools = new Pool[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            pools[i] = new Pool();
        }
        this.requestTimeoutMs = requestTimeoutMs;
        this.timerPeriodMs = HostTimer.periodMs(requestTimeoutMs, 0);
        this.timer = eventLoop.scheduleAtFixedRate(this::onTimer, timerPeriodMs, timerPeriodMs, TimeUnit.MILLISECONDS);
    }

    EventLoop eventLoop()
    {
        return eventLoop;
    }

    /**
     * Send a request to a ready worker, round robin, over an idle connection or a new one; park it when no worker
     * is ready.
     *
     * @param forward the request.
     */
    void dispatch(final LoopbackForward forward)
    {
        track(forward);
        final LoopbackSlot slot = pickSlot();
        if (null == slot)
        {
            pending.addLast(forward);
            forward.parked();
            return;
        }
        assign(forward, slot, false);
    }

    /**
     * Send again a request whose worker connection was lost (never connected, or, for a request that may be sent
     * twice, closed before any response byte): to a ready worker, or parked ahead of the others until one is ready.
     * It keeps its start, so requestTimeout still counts from its arrival.
     *
     * @param forward the request, not done.
     * @param fresh   true to send it over a new connection, not a pooled one (which may be closing the same way).
     */
    void redispatch(final LoopbackForward forward, final boolean fresh)
    {
        final LoopbackSlot slot = pickSlot();
        if (null == slot)
        {
            pending.addFirst(forward);
            forward.parked();
            return;
        }
        assign(forward, slot, fresh);
    }

    /**
     * A connect to a worker failed, or the worker dropped a connection carrying a request: it gets no requests until
     * it is probed ready again.
     *
     * @param slot the worker.
     */
    void unreachable(final LoopbackSlot slot)
    {
        host.unreachable(slot);
    }

    /**
     * Workers became ready: send the parked requests.
     */
    void dispatchPending()
    {
        LoopbackForward forward;
        while (null != (forward = pending.peekFirst()))
        {
            if (forward.isDone())
            {
                pending.pollFirst();
                continue;
            }
            final LoopbackSlot slot = pickSlot();
            if (null == slot)
            {
                return;
            }
            pending.pollFirst();
            assign(forward, slot, false);
        }
    }

    /**
     * The queue was stopped: answer the parked requests.
     *
     * @param status  HTTP status.
     * @param message body text.
     */
    void failPending(final int status, final String message)
    {
        LoopbackForward forward;
        while (null != (forward = pending.pollFirst()))
        {
            forward.fail(status, message);
        }
    }

    /**
     * A worker exited: close every connection to it. Requests in flight on them fail with 502 as the connections
     * close.
     *
     * @param slot the exited worker.
     */
    void slotExited(final LoopbackSlot slot)
    {
        final Pool pool = pools[slot.index()];
        final ArrayList<LoopbackUpstream> doomed = new ArrayList<>();
        for (final LoopbackUpstream upstream : pool.open)
        {
            if (upstream.slot() == slot)
            {
                doomed.add(upstream);
            }
        }
        for (final LoopbackUpstream upstream : doomed)
        {
            pool.idle.remove(upstream);
            upstream.channel().close();
        }
    }

    /**
     * The host is closing: drop parked requests and close every connection.
     */
    void closeAll()
    {
        timer.cancel(false);
        LoopbackForward forward;
        while (null != (forward = pending.pollFirst()))
        {
            forward.discard();
        }
        for (final Pool pool : pools)
        {
            pool.idle.clear();
            for (final LoopbackUpstream upstream : new ArrayList<>(pool.open))
            {
                upstream.close();
            }
        }
    }

    /**
     * A request has ended (answered, failed or abandoned): it no longer counts for requestTimeout.
     *
     * @param forward the request.
     */
    void untrack(final LoopbackForward forward)
    {
        inFlight.remove(forward);
    }

    /**
     * A request on this connection completed.
     *
     * @param upstream the connection.
     * @param reusable true when the request and response were both complete and the worker keeps the connection.
     */
    void release(final LoopbackUpstream upstream, final boolean reusable)
    {
        upstream.forward(null);
        final LoopbackSlot slot = upstream.slot();
        final Pool pool = pools[slot.index()];
        if (reusable && upstream.isActive() && slot.isReady() && !host.isClosed() &&
            pool.idle.size() < IDLE_CONNECTIONS_MAX)
        {
            pool.idle.addLast(upstream);
        }
        else
        {
            upstream.close();
        }
    }

    /**
     * Close a connection whose request was abandoned or failed; it is never reused.
     *
     * @param upstream the connection.
     */
    void discard(final LoopbackUpstream upstream)
    {
        pools[upstream.slot().index()].idle.remove(upstream);
        upstream.close();
    }

    /**
     * A connection closed or failed to connect.
     *
     * @param upstream the connection.
     */
    void removeConnection(final LoopbackUpstream upstream)
    {
        final Pool pool = pools[upstream.slot().index()];
        if (pool.open.remove(upstream))
        {
            pool.idle.remove(upstream);
        }
    }

    /**
     * Flush a connection at the end of this turn of the loop, however many writes it gets in the turn.
     *
     * @param upstream the connection.
     */
    void flushLater(final LoopbackUpstream upstream)
    {
        if (upstream.flushRequested())
        {
            return;
        }
        upstream.flushRequested(true);
        toFlush.add(upstream);
        if (!flushScheduled)
        {
            flushScheduled = true;
            eventLoop.execute(this);
        }
    }

    /**
     * Flush the connections written in this turn.
     */
    public void run()
    {
        flushScheduled = false;
        final ArrayList<LoopbackUpstream> toFlush = this.toFlush;
        for (int i = 0; i < toFlush.size(); i++)
        {
            final LoopbackUpstream upstream = toFlush.get(i);
            upstream.flushRequested(false);
            upstream.channel().flush();
        }
        toFlush.clear();
    }

    /**
     * @param data a buffer to read as a {@link org.agrona.DirectBuffer}.
     * @return a view over its readable bytes, valid until {@link #clearView()}.
     */
    UnsafeBuffer view(final ByteBuf data)
    {
        return ByteBufViews.wrap(view, data, data.readableBytes());
    }

    void clearView()
    {
        view.wrap(EMPTY);
    }

    private void track(final LoopbackForward forward)
    {
        inFlight.add(forward, clockMs);
    }

    /**
     * Advance the cached clock and time out the requests older than requestTimeout. A start is stamped with the
     * cached clock, up to one period early, so a request is old after requestTimeout plus one period.
     */
    private void onTimer()
    {
        clockMs = TimeUnit.NANOSECONDS.toMillis(nanoClock.nanoTime() - clockBaseNs);
        final long limitMs = requestTimeoutMs + timerPeriodMs;
        int count = 0;
        LoopbackForward forward;
        while (null != (forward = inFlight.oldest()) && clockMs - forward.startMs() >= limitMs)
        {
            // failing it unlinks it (and may end others of its client connection): the next oldest is read again
            untrack(forward);
            forward.fail(504, "gateway timeout: no answer from the worker within requestTimeout");
            count++;
        }
        if (count > 0)
        {
            final int timedOut = count;
            LOG.warning(() -> "queue " + host.queueName() + ": " + timedOut + " request(s) not answered within " +
                "requestTimeout=" + requestTimeoutMs + "ms: 504 (connection closed when the head was sent), " +
                "worker connection closed");
        }
    }

    private LoopbackSlot pickSlot()
    {
        final int count = pools.length;
        for (int i = 0; i < count; i++)
        {
            int index = nextSlot + i;
            if (index >= count)
            {
                index -= count;
            }
            final LoopbackSlot slot = host.slot(index);
            if (null != slot && slot.isReady())
            {
                nextSlot = index + 1 == count ? 0 : index + 1;
                return slot;
            }
        }
        return null;
    }

    private void assign(final LoopbackForward forward, final LoopbackSlot slot, final boolean fresh)
    {
        final Pool pool = pools[slot.index()];
        LoopbackUpstream upstream = null;
        while (!fresh && null != (upstream = pool.idle.pollLast()))
        {
            if (upstream.slot() == slot && upstream.isActive())
            {
                break;
            }
            upstream.close();
        }
        if (null == upstream)
        {
            upstream = connect(slot, forward);
        }
        else
        {
            upstream.forward(forward);
        }
        forward.attach(upstream);
    }

    private LoopbackUpstream connect(final LoopbackSlot slot, final LoopbackForward forward)
    {
        final LoopbackUpstream upstream = new LoopbackUpstream(this, slot);
        upstream.forward(forward);
        pools[slot.index()].open.add(upstream);
        final ChannelFuture future = new Bootstrap()
            .group(eventLoop)
            .channel(host.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
            .handler(new LoopbackUpstreamInitializer(upstream))
            .connect(slot.address());
        upstream.channel(future.channel());
        future.addListener(upstream);
        return upstream;
    }

    /**
     * The connections to one worker slot from this loop.
     */
    private static final class Pool
    {
        final ArrayDeque<LoopbackUpstream> idle = new ArrayDeque<>();
        final HashSet<LoopbackUpstream> open = new HashSet<>();
    }
}
