package io.sluice.listener.hosting;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;

/**
 * One event loop's share of a loopback queue: its pools of keep-alive connections to each worker, the requests
 * waiting for a worker to become ready, and the once-per-turn flush of the connections written in this turn.
 * Connections are opened on this loop, so a client connection and the worker connection serving it share a thread.
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

    private final LoopbackHost host;
    private final EventLoop eventLoop;
    private final Pool[] pools;
    private final ArrayDeque<LoopbackForward> pending = new ArrayDeque<>();
    private final ArrayList<LoopbackUpstream> toFlush = new ArrayList<>();
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private boolean flushScheduled;
    private int nextSlot;

    LoopbackLoop(final LoopbackHost host, final EventLoop eventLoop, final int slotCount)
    {
        this.host = host;
        this.eventLoop = eventLoop;
        this.pools = new Pool[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            pools[i] = new Pool();
        }
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
        final LoopbackSlot slot = pickSlot();
        if (null == slot)
        {
            pending.addLast(forward);
            return;
        }
        assign(forward, slot);
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
            assign(forward, slot);
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
        final int length = data.readableBytes();
        if (length == 0)
        {
            view.wrap(EMPTY);
        }
        else if (data.hasMemoryAddress())
        {
            view.wrap(data.memoryAddress() + data.readerIndex(), length);
        }
        else if (data.hasArray())
        {
            view.wrap(data.array(), data.arrayOffset() + data.readerIndex(), length);
        }
        else
        {
            final byte[] copy = new byte[length];
            data.getBytes(data.readerIndex(), copy);
            view.wrap(copy);
        }
        return view;
    }

    void clearView()
    {
        view.wrap(EMPTY);
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

    private void assign(final LoopbackForward forward, final LoopbackSlot slot)
    {
        final Pool pool = pools[slot.index()];
        LoopbackUpstream upstream;
        while (null != (upstream = pool.idle.pollLast()))
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
