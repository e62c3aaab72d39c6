package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One keep-alive connection from the listener to a worker's loopback server, living on one event loop (the loop of
 * the client connections it serves, so forwarding never changes threads). It carries the requests of one client
 * connection at a time, pipelined in their order ({@link LoopbackForward}s queued oldest first): each request is
 * written once the one before it is completely written (and, unless all of them may be sent twice, answered: see
 * {@link #sendQueued()}), and each response read belongs to the oldest request not answered yet, as the worker
 * answers in order. Between client connections it waits in its {@link LoopbackLoop}'s
 * idle pool.
 * <p>
 * When the connection ends (the worker closed it, or the listener did: {@link #close()}), the requests still queued
 * on it are handed back to the loop ({@link LoopbackLoop#handOver}) in their order, each to be sent again or answered
 * ({@link LoopbackForward#upstreamLost()}).
 * <p>
 * Pipeline position: after the {@link LoopbackResponseDecoder}, which hands on a response either whole, as a
 * {@link LoopbackPlainResponse}, or as Netty's head and content messages. Event-loop confined.
 */
final class LoopbackUpstream extends ChannelInboundHandlerAdapter implements ChannelFutureListener
{
    private static final Logger LOG = Logger.getLogger(LoopbackUpstream.class.getName());

    private final LoopbackLoop loop;
    private final LoopbackSlot slot;
    private Channel channel;
    private LoopbackForward first;
    private LoopbackForward last;
    private LoopbackForward unsent;
    private Object owner;
    private boolean active;
    private boolean closed;
    private boolean closedByListener;
    private boolean lost;
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
     * @return the order key of the client connection whose requests this connection carries, or null when idle.
     */
    Object owner()
    {
        return owner;
    }

    void owner(final Object owner)
    {
        this.owner = owner;
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

    /**
     * @return true when no request is queued on the connection.
     */
    boolean isEmpty()
    {
        return null == first;
    }

    /**
     * @return true when more requests of its client connection may be pipelined on it: not closing, and its worker
     * still takes requests.
     */
    boolean acceptsMore()
    {
        return !closed && slot.isReady();
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
     * Queue a request after the others; it is written once those before it are completely written.
     *
     * @param forward the request, on no connection.
     */
    void enqueue(final LoopbackForward forward)
    {
        forward.nextOnUpstream = null;
        if (null == last)
        {
            first = forward;
        }
        else
        {
            last.nextOnUpstream = forward;
        }
        last = forward;
        if (null == unsent)
        {
            unsent = forward;
        }
    }

    /**
     * Write the queued requests in order, while the connection is up, until one is not completely written (its body
     * still streaming in from the client) or may not be pipelined yet: a request is written behind others awaiting
     * their responses only when it and they are all safe to send twice ({@link LoopbackForward#isPipelinable()}), so
     * that a worker lost mid-pipeline leaves at most one request that cannot be sent again (RFC 9112 9.3.2: no
     * pipelining after a non-idempotent request), and a request that times out leaves the others unwritten.
     */
    void sendQueued()
    {
        LoopbackForward forward;
        while (isActive() && null != (forward = unsent))
        {
            if (forward != first && !(forward.isPipelinable() && first.isPipelinable()))
            {
                return;
            }
            if (!forward.send(this))
            {
                return;
            }
            if (unsent == forward)
            {
                unsent = forward.nextOnUpstream;
            }
        }
    }

    /**
     * A request's body ended after its head was written: the next request may be written.
     *
     * @param forward the request.
     */
    void requestWritten(final LoopbackForward forward)
    {
        if (unsent == forward)
        {
            unsent = forward.nextOnUpstream;
            sendQueued();
        }
    }

    /**
     * Take a request off the queue (answered, or ended without being written). When it was the next to be written,
     * the one after it may be written now.
     *
     * @param forward the request.
     */
    void remove(final LoopbackForward forward)
    {
        LoopbackForward previous = null;
        LoopbackForward current = first;
        while (null != current && current != forward)
        {
            previous = current;
            current = current.nextOnUpstream;
        }
        if (null == current)
        {
            return;
        }
        final LoopbackForward next = forward.nextOnUpstream;
        if (null == previous)
        {
            first = next;
        }
        else
        {
            previous.nextOnUpstream = next;
        }
        if (last == forward)
        {
            last = previous;
        }
        forward.nextOnUpstream = null;
        if (unsent == forward)
        {
            unsent = next;
        }
        if (null != unsent)
        {
            sendQueued();
        }
    }

    /**
     * @return true when the oldest request queued is a HEAD: its response has no body.
     */
    boolean expectsEmptyBody()
    {
        final LoopbackForward forward = first;
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
     * Flush what was written, then end the listener's output on the connection (a tunnel's client ended its input);
     * the worker may still send.
     */
    void shutdownOutputAfterFlush()
    {
        final Channel ch = channel;
        if (ch instanceof DuplexChannel duplex)
        {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
                .addListener((ChannelFutureListener)(future) -> duplex.shutdownOutput());
        }
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
     * Close: the requests still queued are handed back to the loop once the connection is gone, without counting
     * against the worker.
     */
    void close()
    {
        closed = true;
        closedByListener = true;
        if (null != channel)
        {
            channel.close();
        }
    }

    /**
     * Make the connection's close a reset (linger 0), so that the worker sees an abort rather than the end of its
     * input.
     */
    void resetOnClose()
    {
        if (null != channel && channel.isOpen())
        {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
    }

    /**
     * Close and forget the requests still queued (the listener is stopping).
     */
    void closeQuietly()
    {
        LoopbackForward forward = first;
        first = null;
        last = null;
        unsent = null;
        while (null != forward)
        {
            final LoopbackForward next = forward.nextOnUpstream;
            forward.nextOnUpstream = null;
            forward = next;
        }
        close();
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
        sendQueued();
        ctx.fireChannelActive();
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final LoopbackForward forward = first;
        if (null == forward || closed)
        {
            ReferenceCountUtil.release(msg);
            if (!closed)
            {
                LOG.fine(() -> "unexpected data from worker " + slot + " with no request in flight; closing it");
                loop.discard(this);
            }
            return;
        }
        if (msg instanceof HttpObject object && object.decoderResult().isFailure())
        {
            ReferenceCountUtil.release(msg);
            LOG.log(Level.WARNING, "invalid response from worker " + slot, object.decoderResult().cause());
            loop.discard(this);
            remove(forward);
            forward.upstreamFailed();
            return;
        }
        if (forward.isTunnel())
        {
            if (msg instanceof ByteBuf bytes)
            {
                forward.onTunnelBytes(bytes);
                return;
            }
            if (msg instanceof HttpResponse || msg instanceof LoopbackPlainResponse)
            {
                // HTTP after a 101 (an Upgrade naming HTTP/1.x kept the decoder reading HTTP): the worker's mistake
                ReferenceCountUtil.release(msg);
                LOG.warning(() -> "worker " + slot + " sent a response after switching protocols; closing it");
                loop.discard(this);
                return;
            }
        }
        if (msg instanceof LoopbackPlainResponse response)
        {
            forward.onPlainResponse(response);
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

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "upstream to " + slot;
    }

    private void lost()
    {
        if (lost)
        {
            return;
        }
        lost = true;
        active = false;
        closed = true;
        loop.removeConnection(this);
        final LoopbackForward survivors = first;
        first = null;
        last = null;
        unsent = null;
        if (null != survivors)
        {
            if (!closedByListener && !survivors.isTunnel())
            {
                // refused, or dropped with requests on it: the worker may be dying, its exit not processed yet
                loop.unreachable(slot);
            }
            loop.handOver(survivors);
        }
    }
}
