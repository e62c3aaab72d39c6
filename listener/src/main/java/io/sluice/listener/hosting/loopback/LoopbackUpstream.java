package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One keep-alive connection from the listener to a worker's loopback server, living on one event loop (the loop of
 * the client connections it serves, so forwarding never changes threads). Carries one {@link LoopbackForward} at a
 * time; between requests it waits in its {@link LoopbackLoop}'s idle pool.
 * <p>
 * Pipeline position: after the {@link LoopbackResponseDecoder}. Event-loop confined.
 */
final class LoopbackUpstream extends ChannelInboundHandlerAdapter implements ChannelFutureListener
{
    private static final Logger LOG = Logger.getLogger(LoopbackUpstream.class.getName());

    private final LoopbackLoop loop;
    private final LoopbackSlot slot;
    private Channel channel;
    private LoopbackForward forward;
    private boolean active;
    private boolean closed;
    private boolean flushRequested;

    LoopbackUpstream(final LoopbackLoop loop, final LoopbackSlot slot)
    {
        this.loop = loop;
        this.slot = slot;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isSharable()
    {
        return false;
    }

    LoopbackSlot slot()
    {
        return slot;
    }

    Channel channel()
    {
        return channel;
    }

    void channel(final Channel channel)
    {
        this.channel = channel;
    }

    /**
     * @return true while connected and not closing.
     */
    boolean isActive()
    {
        return active && !closed;
    }

    boolean isClosed()
    {
        return closed;
    }

    boolean flushRequested()
    {
        return flushRequested;
    }

    void flushRequested(final boolean flushRequested)
    {
        this.flushRequested = flushRequested;
    }

    /**
     * @param forward the request this connection now carries, or null when it goes idle.
     */
    void forward(final LoopbackForward forward)
    {
        this.forward = forward;
    }

    /**
     * @return true when the request in flight is a HEAD: its response has no body.
     */
    boolean expectsEmptyBody()
    {
        final LoopbackForward forward = this.forward;
        return null != forward && forward.isHeadRequest();
    }

    /**
     * Write without flushing; the loop flushes once per turn.
     *
     * @param buf becomes the channel's.
     */
    void write(final ByteBuf buf)
    {
        channel.write(buf, channel.voidPromise());
    }

    /**
     * Stop reading the worker's responses (the client is not taking them): the worker's own writes then fill up and
     * its {@code sendBody} answers false.
     */
    void pauseReading()
    {
        if (null != channel && channel.config().isAutoRead())
        {
            channel.config().setAutoRead(false);
        }
    }

    /**
     * Read the worker's responses again; a no-op when reading already.
     */
    void resumeReading()
    {
        if (null != channel && !channel.config().isAutoRead())
        {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * Close, dropping the request in flight without a word (it was settled already).
     */
    void close()
    {
        forward = null;
        closed = true;
        if (null != channel)
        {
            channel.close();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        channel = ctx.channel();
    }

    /**
     * The connect attempt finished.
     *
     * @param future of the connect.
     */
    public void operationComplete(final ChannelFuture future)
    {
        if (!future.isSuccess())
        {
            LOG.log(Level.FINE, () -> "cannot connect to worker " + slot + ": " + future.cause());
            lost();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelActive(final ChannelHandlerContext ctx)
    {
        active = true;
        final LoopbackForward forward = this.forward;
        if (null != forward && !closed)
        {
            forward.upstreamActive();
        }
        ctx.fireChannelActive();
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final LoopbackForward forward = this.forward;
        if (null == forward || closed)
        {
            ReferenceCountUtil.release(msg);
            if (!closed)
            {
                LOG.fine(() -> "unexpected data from worker " + slot + " on an idle connection; closing it");
                loop.discard(this);
            }
            return;
        }
        if (msg instanceof HttpObject object && object.decoderResult().isFailure())
        {
            ReferenceCountUtil.release(msg);
            LOG.log(Level.WARNING, "invalid response from worker " + slot, object.decoderResult().cause());
            this.forward = null;
            close();
            forward.upstreamFailed();
            return;
        }
        if (msg instanceof HttpResponse response)
        {
            forward.onResponseHead(response);
        }
        if (msg instanceof HttpContent content)
        {
            forward.onResponseContent(content);
        }
        else if (!(msg instanceof HttpResponse))
        {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        lost();
        ctx.fireChannelInactive();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.log(Level.FINE, "connection to worker " + slot + " failed", cause);
        ctx.close();
    }

    private void lost()
    {
        active = false;
        closed = true;
        loop.removeConnection(this);
        final LoopbackForward forward = this.forward;
        this.forward = null;
        if (null != forward)
        {
            // refused, or dropped with a request on it: the worker may be dying, its exit not processed yet
            loop.unreachable(slot);
            forward.upstreamLost();
        }
    }
}
