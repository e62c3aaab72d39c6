package io.sluice.listener.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.sluice.listener.queue.FlushListener;

/**
 * Tells a host when the socket has taken every response byte written so far on a connection (flow control: a host
 * grants its worker more credit then). On a TLS connection the marker goes behind the TLS handler, after a flush
 * that encrypts the bytes before it. The connection's one {@link FlushMarker} goes behind the bytes (the channel
 * releases it once the bytes before it are written); while it is queued a later request waits for it and re-sends it
 * if its own bytes go further. One request is kept: a new one replaces it (only the exchange being written asks).
 * Allocates nothing per notice. Event-loop confined.
 */
final class FlushNotices
{
    private final ConnectionOutput output;
    private ChannelHandlerContext ctx;
    private ChannelHandlerContext tlsCtx;
    private long bytesWritten;
    private FlushMarker marker;
    private boolean markerQueued;
    private long markerPosition;
    private FlushListener listener;
    private long token;
    private long target;

    /**
     * @param output asked for a flush when the marker is written.
     */
    FlushNotices(final ConnectionOutput output)
    {
        this.output = output;
    }

    /**
     * @param ctx the connection handler's context: the marker is written through it.
     */
    void context(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.tlsCtx = ctx.pipeline().context(SslHandler.class);
    }

    /**
     * Response bytes were written to the channel.
     *
     * @param length how many.
     */
    void written(final int length)
    {
        bytesWritten += length;
    }

    /**
     * Ask to hear when every byte written so far has been taken by the socket.
     *
     * @param listener told on the event loop; never when the connection closes first.
     * @param token    given back to the listener.
     */
    void notifyWhenFlushed(final FlushListener listener, final long token)
    {
        final Channel channel = ctx.channel();
        if (!channel.isActive() || null == channel.unsafe().outboundBuffer())
        {
            // closed, or its output shut down: nothing more is taken, and a write would only fail
            return;
        }
        this.listener = listener;
        this.token = token;
        this.target = bytesWritten;
        if (!markerQueued)
        {
            writeMarker();
        }
    }

    /**
     * The channel let go of the {@link FlushMarker}: every byte written before it was taken by the socket, or the
     * connection is closing (its outbound buffer is gone then, and nobody is told).
     */
    void markerReleased()
    {
        markerQueued = false;
        final FlushListener listener = this.listener;
        if (null == listener)
        {
            return;
        }
        final Channel channel = ctx.channel();
        if (!channel.isActive() || null == channel.unsafe().outboundBuffer())
        {
            this.listener = null;
            return;
        }
        if (target - markerPosition > 0)
        {
            // asked again while the marker was queued, with more bytes written since: watch those too
            writeMarker();
            return;
        }
        this.listener = null;
        listener.onFlushed(token);
    }

    private void writeMarker()
    {
        if (null == marker)
        {
            marker = new FlushMarker(this);
        }
        markerQueued = true;
        markerPosition = bytesWritten;
        if (null == tlsCtx)
        {
            ctx.write(marker.rearm(), ctx.voidPromise());
        }
        else
        {
            // TLS holds written bytes until a flush encrypts them, and takes only bytes: flush them into the channel,
            // then put the marker behind their ciphertext, past the TLS handler
            ctx.flush();
            tlsCtx.write(marker.rearm(), tlsCtx.voidPromise());
        }
        output.requestFlush();
    }
}
