package io.sluice.listener.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;

/**
 * Flushes each connection once per turn of its event loop, however many responses were written to it in that turn:
 * a connection asks for a flush, and one task queued behind the current turn's I/O flushes every connection that
 * asked. Event-loop confined; one instance per event loop thread.
 */
public final class FlushBatcher implements Runnable
{
    private static final FastThreadLocal<FlushBatcher> BATCHERS = new FastThreadLocal<>();

    private final EventLoop eventLoop;
    private final ArrayList<ChannelHandlerContext> pending = new ArrayList<>();
    private boolean scheduled;

    private FlushBatcher(final EventLoop eventLoop)
    {
        this.eventLoop = eventLoop;
    }

    /**
     * @param eventLoop the current thread's event loop.
     * @return the batcher of the current event loop thread.
     */
    public static FlushBatcher current(final EventLoop eventLoop)
    {
        FlushBatcher batcher = BATCHERS.get();
        if (null == batcher)
        {
            batcher = new FlushBatcher(eventLoop);
            BATCHERS.set(batcher);
        }
        return batcher;
    }

    /**
     * Ask for a flush of a connection at the end of this turn. The caller avoids asking twice per turn.
     *
     * @param ctx of the connection's handler.
     */
    public void flushLater(final ChannelHandlerContext ctx)
    {
        pending.add(ctx);
        if (!scheduled)
        {
            scheduled = true;
            eventLoop.execute(this);
        }
    }

    /**
     * Flush every connection that asked.
     */
    public void run()
    {
        scheduled = false;
        final ArrayList<ChannelHandlerContext> pending = this.pending;
        for (int i = 0; i < pending.size(); i++)
        {
            final ChannelHandlerContext ctx = pending.get(i);
            final HttpConnectionHandler handler = (HttpConnectionHandler)ctx.handler();
            handler.flushNow();
        }
        pending.clear();
    }
}
