package io.sluice.dispatch.worker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The worker side of the loopback hosting model (the Kestrel of the ANCM analogue): a Netty HTTP/1.1 server on
 * {@code 127.0.0.1:SLUICE_PORT} that serves the {@link Handler} to the listener only.
 * <pre>
 *   listener ──HTTP/1.1 keep-alive, 127.0.0.1──▶ LoopbackWorker (one event loop)
 *                                                  │ LoopbackConnectionGuard: connection cap, timers until the token
 *                                                  │ HttpServerCodec
 *                                                  │ LoopbackConnectionHandler: Sluice-Event: ready (the readiness
 *                                                  │   proof, no token needed), Sluice-Token check (else 400, close),
 *                                                  │   Sluice-Event: shutdown (200, then stop), application path
 *                                                  │   (else 404)
 *                                                  ▼
 *                                                Handler ◀──▶ LoopbackExchange (responses on the event loop)
 * </pre>
 * One event loop thread: a worker shares its machine with the listener, and one loop beat two in the measurements.
 * <p>
 * Readiness: before the listener sends the token or a request, it asks whoever listens on the port for proof with
 * {@code Sluice-Event: ready} and a fresh {@code Sluice-Challenge}; the worker answers 200 with
 * {@code Sluice-Proof}, the lower-case hex HMAC-SHA256 of the challenge keyed with its token, and closes the
 * connection. A process that took the
 * port first cannot compute it, so it gets neither the token nor traffic.
 * <p>
 * Strangers: at most {@code SLUICE_MAX_CONNECTIONS} connections are open (one past it is closed at once), and a
 * connection that has not carried the token is closed {@code SLUICE_IDLE_CONNECTION_MS} after it was accepted if it
 * sent nothing, {@code SLUICE_HEADER_WAIT_MS} if it sent part of a head.
 */
public final class LoopbackWorker
{
    private static final Logger LOG = Logger.getLogger(LoopbackWorker.class.getName());
    private static final int ACCEPT_BACKLOG = 1024;
    private static final long SHUTDOWN_TIMEOUT_MS = 2_000;

    private LoopbackWorker()
    {
    }

    /**
     * Serve the handler on {@code 127.0.0.1:env.port()} until the listener sends {@code Sluice-Event: shutdown} with
     * the worker's token. Blocks the calling thread; interrupting it stops the server too.
     *
     * @param handler the application.
     * @param env     the worker's environment: port, token and application path are used.
     * @throws Exception when the port cannot be bound, or the wait is interrupted.
     */
    public static void serve(final Handler handler, final WorkerEnvironment env) throws Exception
    {
        final boolean epoll = Epoll.isAvailable();
        final IoHandlerFactory ioHandlerFactory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerSocketChannel> channelClass =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        if (!epoll)
        {
            LOG.warning(() -> "loopback worker: native epoll unavailable (" + Epoll.unavailabilityCause() +
                "); using NIO");
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("sluice-loopback-worker"), ioHandlerFactory);
        try
        {
            final LoopbackWorkerInitializer initializer = new LoopbackWorkerInitializer(
                new HandlerInvoker(handler),
                env.token().getBytes(StandardCharsets.US_ASCII),
                LoopbackPaths.withTrailingSlash(env.applicationPath()),
                stopped::countDown,
                env.headerWaitMs(),
                env.idleConnectionMs(),
                env.maxConnections());
            final Channel server = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer)
                .bind(new InetSocketAddress(NetUtil.LOCALHOST4, env.port()))
                .sync()
                .channel();
            LOG.info(() -> "loopback worker: serving " + env.applicationPath() + " on " + server.localAddress() +
                " (" + (epoll ? "epoll" : "nio") + ")");
            try
            {
                stopped.await();
            }
            finally
            {
                server.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
        finally
        {
            group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        LOG.info("loopback worker: stopped");
    }
}
