package io.sluice.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The reference "practical limit" the end-to-end harness measures Sluice against: Netty's
 * {@code example/http/helloworld} on the native epoll transport with one event loop (accepting and serving), nothing
 * else. Every request gets {@code 200}, {@code content-type: text/plain}, {@code content-length: 13},
 * {@code Hello, World!}, keep-alive as the client asks; responses are written in {@code channelRead} and flushed once
 * in {@code channelReadComplete}, so pipelined requests share a flush.
 * <pre>
 *     java [flags] -cp sluice-benchmarks.jar io.sluice.benchmarks.BareHelloServer &lt;port&gt; [bind address]
 * </pre>
 * Prints {@code listening on <port>} on standard output once bound (port 0 binds an ephemeral port, which the line
 * names) and stops on SIGTERM. Needs epoll: elsewhere it fails with the reason rather than measure another transport.
 * <p>
 * Three parts, as in the example: this bootstrap, {@link BareHelloServerInitializer} (the pipeline),
 * {@link BareHelloServerHandler} (the logic).
 */
public final class BareHelloServer implements AutoCloseable
{
    /**
     * Address bound when none is given: loopback, where the harness runs its load generator.
     */
    public static final String BIND_ADDRESS_DEFAULT = "127.0.0.1";

    /**
     * What {@link #main} prints once it accepts connections, followed by the port.
     */
    public static final String READY_LINE_PREFIX = "listening on ";

    private static final int BACKLOG = 1024;
    private static final long SHUTDOWN_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(2);

    private final EventLoopGroup group;
    private final Channel serverChannel;

    private BareHelloServer(final EventLoopGroup group, final Channel serverChannel)
    {
        this.group = group;
        this.serverChannel = serverChannel;
    }

    /**
     * Bind and start serving.
     *
     * @param bindAddress address to bind.
     * @param port        port to bind, 0 for an ephemeral one.
     * @return the running server.
     * @throws InterruptedException when interrupted while binding.
     * @throws UnsupportedOperationException when native epoll is not available, with the reason as cause.
     */
    public static BareHelloServer start(final String bindAddress, final int port) throws InterruptedException
    {
        Epoll.ensureAvailability();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try
        {
            final Channel channel = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childHandler(new BareHelloServerInitializer())
                .bind(new InetSocketAddress(bindAddress, port))
                .sync()
                .channel();
            return new BareHelloServer(group, channel);
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            throw ex;
        }
    }

    /**
     * @return the port bound.
     */
    public int port()
    {
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * Stop accepting, close every connection, and wait for the event loop to end.
     */
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    /**
     * Serve until SIGTERM.
     *
     * @param args the port, then optionally the address to bind (default {@value #BIND_ADDRESS_DEFAULT}).
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        if (args.length < 1 || args.length > 2)
        {
            System.err.println("usage: BareHelloServer <port> [bind address]");
            System.exit(2);
        }
        final int port = Integer.parseInt(args[0]);
        final String bindAddress = args.length > 1 ? args[1] : BIND_ADDRESS_DEFAULT;

        final BareHelloServer server = start(bindAddress, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bare-hello-shutdown"));
        System.out.println(READY_LINE_PREFIX + server.port());
        System.out.flush();
        server.serverChannel.closeFuture().sync();
    }
}
