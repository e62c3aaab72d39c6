package io.sluice.listener.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * The first handler of an HTTPS connection: reads the client's hello, picks the certificate's context by the SNI host
 * name ({@link TlsServerSetup#contexts()}), and puts the {@link SslHandler} in its own place. The whole handshake,
 * hello included, must be complete within the handshake timeout counted from accepting the connection: the hello
 * within it (Netty's {@link SniHandler} timer), the rest within what remains of it (the {@link SslHandler}'s).
 */
final class SniServerHandler extends SniHandler
{
    private final NanoClock clock;
    private final long deadlineNs;
    private final ProtocolSelector selector;

    /**
     * @param setup    the contexts and the handshake timeout.
     * @param clock    the clock the timeout counts on.
     * @param selector the handler after this one, told the SNI host name.
     */
    SniServerHandler(final TlsServerSetup setup, final NanoClock clock, final ProtocolSelector selector)
    {
        super(setup.contexts(), setup.handshakeTimeoutMs());
        this.clock = clock;
        this.deadlineNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(setup.handshakeTimeoutMs());
        this.selector = selector;
    }

    /**
     * {@inheritDoc}
     */
    protected void replaceHandler(
        final ChannelHandlerContext ctx, final String hostname, final SslContext sslContext) throws Exception
    {
        selector.serverName(hostname);
        super.replaceHandler(ctx, hostname, sslContext);
    }

    /**
     * {@inheritDoc}
     */
    protected SslHandler newSslHandler(final SslContext context, final ByteBufAllocator allocator)
    {
        final SslHandler handler = super.newSslHandler(context, allocator);
        final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - clock.nanoTime());
        handler.setHandshakeTimeoutMillis(Math.max(1, remainingMs));
        return handler;
    }
}
