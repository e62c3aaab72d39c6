package io.sluice.listener.hosting.shm;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.ServerDomainSocketChannel;
import io.sluice.dispatch.shm.Doorbell;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The listening end of one worker's doorbell socket: bound in the worker's directory, it attaches to the worker's
 * link the one connection that presents the token of the worker's current start ({@link DoorbellGate} bounds the
 * connections that may wait for their token, each for a deadline kept on the host's timer, {@link #expireUnready}).
 * <p>
 * Threading: bound on, and confined to, the host's event loop.
 */
final class DoorbellServer
{
    private static final Logger LOG = Logger.getLogger(DoorbellServer.class.getName());

    private final SharedMemoryLink link;
    private final DoorbellGate gate;
    private final LongSupplier clockMs;
    private Channel server;

    /**
     * @param link                the worker's link.
     * @param startupTimeLimitMs  how long a connection may wait for its token.
     * @param clockMs             the host's monotonic clock, read fresh.
     */
    DoorbellServer(final SharedMemoryLink link, final long startupTimeLimitMs, final LongSupplier clockMs)
    {
        this.link = link;
        this.gate = new DoorbellGate(startupTimeLimitMs);
        this.clockMs = clockMs;
    }

    /**
     * Bind a worker's doorbell socket by path: a Unix socket cannot be bound relative to a directory handle in Java.
     * The path is safe because no other user can change a name on it (see {@link SharedMemoryFiles.PrivateDirectory}).
     *
     * @param loop         the host's event loop.
     * @param channelClass the transport's Unix domain server channel.
     * @param socket       the path of the socket in the worker's directory.
     * @throws IOException when it cannot be bound.
     */
    void bind(final EventLoop loop, final Class<? extends ServerDomainSocketChannel> channelClass, final Path socket)
        throws IOException
    {
        try
        {
            server = bindDomainSocket(loop, channelClass, socket);
        }
        catch (final Exception ex)
        {
            // syncUninterruptibly rethrows the native bind failure unchecked
            throw new IOException("cannot bind " + socket + ": " + ex.getMessage(), ex);
        }
        // the 0700 directory already keeps other users out; the socket's own mode should not depend on the umask
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * The host's timer: close the connection waiting for its token past its deadline, if any.
     *
     * @param nowMs the host's clock.
     */
    void expireUnready(final long nowMs)
    {
        final Channel unready = gate.expire(nowMs);
        if (null != unready)
        {
            LOG.warning("doorbell: no token within " + gate.deadlineMs() + "ms; connection closed");
            unready.close();
        }
    }

    /**
     * Stop listening. Blocks until the socket is closed.
     */
    void close()
    {
        if (null != server)
        {
            server.close().syncUninterruptibly();
        }
    }

    private Channel bindDomainSocket(
        final EventLoop loop, final Class<? extends ServerDomainSocketChannel> channelClass, final Path socket)
    {
        return new ServerBootstrap()
            .group(loop, loop)
            .channel(channelClass)
            .childHandler(new ChannelInitializer<>()
            {
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(new DoorbellHandler(clockMs, link, gate));
                }
            })
            .bind(new DomainSocketAddress(socket.toFile()))
            .syncUninterruptibly()
            .channel();
    }

    /**
     * The listener's end of a worker's doorbell socket: the first bytes are the worker's token; after that every
     * readable event means "responses are waiting". Admission is bounded ({@link DoorbellGate}): one connection per
     * slot may wait for its token, for a short deadline, and none while a worker is attached; a token is accepted
     * once per worker start.
     */
    private static final class DoorbellHandler extends ChannelInboundHandlerAdapter
    {
        private final LongSupplier clockMs;
        private final SharedMemoryLink link;
        private final DoorbellGate gate;
        private final byte[] token = new byte[WorkerFileDescriptor.TOKEN_LENGTH];
        private int tokenLength;
        private boolean attached;

        DoorbellHandler(final LongSupplier clockMs, final SharedMemoryLink link, final DoorbellGate gate)
        {
            this.clockMs = clockMs;
            this.link = link;
            this.gate = gate;
        }

        public void channelActive(final ChannelHandlerContext ctx)
        {
            if (!gate.admit(ctx.channel(), clockMs.getAsLong(), link.isAttached()))
            {
                ctx.close();
            }
        }

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf buf = (ByteBuf)msg;
            try
            {
                if (!attached)
                {
                    if (!gate.isWaiting(ctx.channel()))
                    {
                        // refused, or its deadline passed: the close is under way
                        ctx.close();
                        return;
                    }
                    final int take = Math.min(buf.readableBytes(), token.length - tokenLength);
                    buf.readBytes(token, tokenLength, take);
                    tokenLength += take;
                    if (tokenLength < token.length)
                    {
                        return;
                    }
                    gate.release(ctx.channel());
                    final String expected = link.expectedToken();
                    if (!Doorbell.isToken(token, expected))
                    {
                        LOG.warning("doorbell: wrong token from a process; connection refused");
                        ctx.close();
                        return;
                    }
                    if (!link.admitsToken(expected))
                    {
                        LOG.warning("doorbell: the worker's token was presented again; connection refused");
                        ctx.close();
                        return;
                    }
                    attached = true;
                    link.attach(ctx.channel());
                    return;
                }
                link.drain();
            }
            finally
            {
                buf.release();
            }
        }

        public void channelInactive(final ChannelHandlerContext ctx)
        {
            gate.release(ctx.channel());
            if (attached)
            {
                link.detach(ctx.channel());
            }
        }

        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
