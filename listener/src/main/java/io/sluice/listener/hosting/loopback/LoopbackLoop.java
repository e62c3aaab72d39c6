package io.sluice.listener.hosting.loopback;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.sluice.dispatch.buffer.ByteBufViews;
import io.sluice.listener.hosting.HostTimer;
import io.sluice.listener.hosting.InFlightList;
import io.sluice.listener.queue.ErrorReason;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
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
 * Pipelining: while a client connection has requests on a worker connection, its next requests are queued on that
 * same connection and pipelined to the worker in order ({@link LoopbackUpstream}), so a client that pipelines takes
 * one worker connection, not one per request; the worker answers them in order. A worker connection carries one
 * client connection's requests at a time, so responses never cross between clients, and a failure of it touches
 * only that client's requests. Once its last request is answered it goes back to the idle pool for any client.
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
    private final IdentityHashMap<Object, LoopbackUpstream> byClient = new IdentityHashMap<>();
    private final ArrayList<LoopbackForward> reparked = new ArrayList<>();
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private final int idleConnectionsMax;
    private final long requestTimeoutMs;
    private final long timerPeriodMs;
    private final NanoClock nanoClock;
    private final long clockBaseNs;
    private final ScheduledFuture<?> timer;
    private final InFlightList<LoopbackForward> inFlight = new InFlightList<>();
    private long clockMs;
    private boolean flushScheduled;
    private boolean handingOver;
    private int nextSlot;

    /**
     * @param host               the queue's host.
     * @param eventLoop          the loop this share lives on.
     * @param slotCount          the worker slots.
     * @param idleConnectionsMax most idle connections kept per worker on this loop; more are closed as they come
     *                           back. The worker's connection cap ({@code worker.maxConnections}): as many as a burst
     *                           had open at once may wait for the next, so a steady load reuses its connections
     *                           rather than opening and closing one per request.
     * @param requestTimeoutMs   the queue's requestTimeout.
     * @param nanoClock          the clock of the request timeouts.
     */
    LoopbackLoop(
        final LoopbackHost host,
        final EventLoop eventLoop,
        final int slotCount,
        final int idleConnectionsMax,
        final long requestTimeoutMs,
        final NanoClock nanoClock)
    {
        this.idleConnectionsMax = idleConnectionsMax;
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
     * Send a request behind its client connection's requests on their worker connection; else to a ready worker,
     * round robin, over an idle connection or a new one; park it when no worker is ready.
     *
     * @param forward the request.
     */
    void dispatch(final LoopbackForward forward)
    {
        track(forward);
        if (joinClient(forward))
        {
            return;
        }
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
     * A request written to a worker that dropped it is sent once more: counted as the queue's retry.
     */
    void retried()
    {
        host.countRetry();
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
        if (joinClient(forward))
        {
            return;
        }
        final LoopbackSlot slot = pickSlot();
        if (null == slot)
        {
            if (handingOver)
            {
                reparked.add(forward);
            }
            else
            {
                pending.addFirst(forward);
            }
            forward.parked();
            return;
        }
        assign(forward, slot, fresh);
    }

    /**
     * A worker connection ended with requests still queued on it: each, in order, is sent again or answered
     * ({@link LoopbackForward#upstreamLost()}); those that must wait for a ready worker keep their order, ahead of
     * the requests parked before.
     *
     * @param survivors the oldest of the requests, linked through {@link LoopbackForward#nextOnUpstream}.
     */
    void handOver(final LoopbackForward survivors)
    {
        handingOver = true;
        try
        {
            LoopbackForward forward = survivors;
            while (null != forward)
            {
                final LoopbackForward next = forward.nextOnUpstream;
                forward.nextOnUpstream = null;
                forward.upstreamLost();
                forward = next;
            }
        }
        finally
        {
            handingOver = false;
        }
        for (int i = reparked.size() - 1; i >= 0; i--)
        {
            pending.addFirst(reparked.get(i));
        }
        reparked.clear();
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
     * @param reason  why, for the error log.
     */
    void failPending(final int status, final String message, final ErrorReason reason)
    {
        LoopbackForward forward;
        while (null != (forward = pending.pollFirst()))
        {
            forward.fail(status, message, reason);
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
     * A worker was replaced and drains: close its idle connections here; those carrying requests close as their last
     * response arrives.
     *
     * @param index the worker's slot.
     */
    void slotDraining(final int index)
    {
        final Pool pool = pools[index];
        LoopbackUpstream upstream;
        while (null != (upstream = pool.idle.pollFirst()))
        {
            upstream.close();
        }
    }

    /**
     * @param index a worker slot.
     * @return requests sent to the slot's workers from this loop since start.
     */
    long requestCount(final int index)
    {
        return pools[index].requestCount;
    }

    /**
     * @param index a worker slot.
     * @return this loop's connections to the slot's worker that carry requests.
     */
    int busyConnections(final int index)
    {
        int busy = 0;
        for (final LoopbackUpstream upstream : pools[index].open)
        {
            if (!upstream.isEmpty())
            {
                busy++;
            }
        }
        return busy;
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
        byClient.clear();
        for (final Pool pool : pools)
        {
            pool.idle.clear();
            for (final LoopbackUpstream upstream : new ArrayList<>(pool.open))
            {
                upstream.closeQuietly();
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
     * The oldest request on this connection got its whole response. The connection carries on with the requests
     * queued behind it; with none, it goes back to the idle pool. A connection the exchange did not leave clean is
     * closed, and the requests queued behind are handed over once it is gone.
     *
     * @param upstream the connection.
     * @param forward  the request answered.
     * @param reusable true when the request and response were both complete and the worker keeps the connection.
     */
    void responseDone(final LoopbackUpstream upstream, final LoopbackForward forward, final boolean reusable)
    {
        upstream.resumeReading();
        if (!reusable)
        {
            // closed first, so that no request queued behind is written to it as this one leaves the queue
            discard(upstream);
            upstream.remove(forward);
            return;
        }
        upstream.remove(forward);
        if (upstream.isEmpty())
        {
            release(upstream);
        }
    }

    /**
     * A request on this connection ended before its response did (the client went away, it timed out, or the
     * listener answered it). One never written to the worker just leaves the queue; otherwise the connection is
     * closed (which is how the worker learns to abort it) and the requests queued behind it are handed over.
     *
     * @param upstream the connection.
     * @param forward  the request.
     * @param written  true when any of the request was written to the connection.
     */
    void abandon(final LoopbackUpstream upstream, final LoopbackForward forward, final boolean written)
    {
        if (written || upstream.isClosed())
        {
            discard(upstream);
            upstream.remove(forward);
            return;
        }
        upstream.remove(forward);
        if (upstream.isEmpty())
        {
            if (upstream.isActive())
            {
                release(upstream);
            }
            else
            {
                discard(upstream);
            }
        }
    }

    private void release(final LoopbackUpstream upstream)
    {
        disown(upstream);
        final LoopbackSlot slot = upstream.slot();
        final Pool pool = pools[slot.index()];
        if (upstream.isActive() && slot.isReady() && !host.isClosed() &&
            pool.idle.size() < idleConnectionsMax)
        {
            pool.idle.addLast(upstream);
        }
        else
        {
            upstream.close();
        }
    }

    /**
     * Close a connection whose request was abandoned or failed; it is never reused. Requests still queued on it are
     * handed over once it is gone.
     *
     * @param upstream the connection.
     */
    void discard(final LoopbackUpstream upstream)
    {
        disown(upstream);
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
        disown(upstream);
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
            forward.fail(
                504, "gateway timeout: no answer from the worker within requestTimeout",
                ErrorReason.TIMER_REQUEST_TIMEOUT);
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

    /**
     * Queue a request behind its client connection's requests in flight, on their worker connection, if they have
     * one that takes more.
     *
     * @param forward the request.
     * @return true when queued there.
     */
    private boolean joinClient(final LoopbackForward forward)
    {
        final LoopbackUpstream upstream = byClient.get(forward.orderKey());
        if (null == upstream || !upstream.acceptsMore())
        {
            return false;
        }
        upstream.enqueue(forward);
        forward.attach(upstream);
        pools[upstream.slot().index()].requestCount++;
        return true;
    }

    /**
     * The connection now carries the requests of the forward's client connection, this one first.
     */
    private void claim(final LoopbackUpstream upstream, final LoopbackForward forward)
    {
        final Object key = forward.orderKey();
        upstream.owner(key);
        byClient.put(key, upstream);
        upstream.enqueue(forward);
    }

    /**
     * The connection no longer stands for its client connection: that client's next request takes another.
     */
    private void disown(final LoopbackUpstream upstream)
    {
        final Object owner = upstream.owner();
        if (null != owner)
        {
            upstream.owner(null);
            byClient.remove(owner, upstream);
        }
    }

    private void assign(final LoopbackForward forward, final LoopbackSlot slot, final boolean fresh)
    {
        final Pool pool = pools[slot.index()];
        pool.requestCount++;
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
            claim(upstream, forward);
        }
        forward.attach(upstream);
    }

    private LoopbackUpstream connect(final LoopbackSlot slot, final LoopbackForward forward)
    {
        final LoopbackUpstream upstream = new LoopbackUpstream(this, slot);
        claim(upstream, forward);
        pools[slot.index()].open.add(upstream);
        host.connectionOpened();
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
        long requestCount;
    }
}
