package io.sluice.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.queue.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listening sockets of the ports the URL prefixes name. On the epoll transport with more than one event loop each
 * port gets one server channel per loop, all bound with {@code SO_REUSEPORT} (as nginx's {@code listen ... reuseport}):
 * the kernel spreads the incoming connections over the sockets, and each loop serves the connections its own socket
 * accepted, with no hand-off between threads. Otherwise (one loop, or NIO) a port gets one server channel and the
 * group hands its connections to the loops in turn.
 * <p>
 * {@code SO_REUSEPORT} lets any process of the listener's user bind the same port; so that the listener never shares
 * a port silently with a process already listening on it, each port is first bound once without it (and released at
 * once): a port someone listens on fails that bind as it fails a single channel's.
 * <p>
 * Ports are bound at start and, on a reload, bound and closed one by one by the reloading thread.
 */
final class ServerChannels
{
    /**
     * Most bytes one read of a connection's socket takes: a connection that keeps filling its reads grows to this,
     * one that sends little stays near {@link #INITIAL_READ_LENGTH} (Netty's adaptive sizing, whose own maximum is 64
     * KiB). A large request body then crosses the listener in a quarter of the reads and pieces it takes at 64 KiB:
     * over shared memory a quarter of the ring records (each read is one body chunk, or two at the ring's largest
     * message), which measured 437–452 against 592–637 µs of CPU per 1 MiB echo (16 connections, in-process
     * 339–362 against 354–444). A read buffer is pooled and given back once its bytes are handed on.
     */
    static final int MAX_READ_LENGTH = 256 * 1024;

    private static final int MIN_READ_LENGTH = 64;
    private static final int INITIAL_READ_LENGTH = 2048;

    private final ListenerConfiguration config;
    private final Transport transport;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<Channel> channels = new CopyOnWriteArrayList<>();

    /**
     * @param config    the loaded configuration: the bind address, and the keys to blame when a port cannot be bound.
     * @param transport the transport whose event loops serve the connections.
     */
    ServerChannels(final ListenerConfiguration config, final Transport transport)
    {
        this.config = config;
        this.transport = transport;
        for (final EventExecutor loop : transport.group())
        {
            loops.add((EventLoop)loop);
        }
    }

    /**
     * @return true when each port gets one server channel per event loop, bound with {@code SO_REUSEPORT}.
     */
    boolean reusePort()
    {
        return loops.size() > 1 && EpollServerSocketChannel.class == transport.serverChannel();
    }

    /**
     * Listen on a port, not accepting until {@link #startAccepting()}.
     *
     * @param port         the port.
     * @param childHandler initializes each accepted connection.
     * @throws StartupException naming the key to blame when the port cannot be bound.
     */
    void bind(final int port, final ChannelHandler childHandler)
    {
        bind(port, childHandler, config);
    }

    /**
     * Listen on a port, not accepting until {@link #startAccepting()}; all of its channels or none.
     *
     * @param port         the port.
     * @param childHandler initializes each accepted connection.
     * @param blamed       the configuration whose prefix keys a failure names (a reloaded file's).
     * @throws StartupException naming the key to blame when the port cannot be bound.
     */
    void bind(final int port, final ChannelHandler childHandler, final ListenerConfiguration blamed)
    {
        final InetSocketAddress address = new InetSocketAddress(config.bindAddress(), port);
        final List<Channel> bound = new ArrayList<>();
        try
        {
            if (reusePort())
            {
                checkNobodyListens(address);
                for (final EventLoop loop : loops)
                {
                    bound.add(bind(bootstrap(loop, childHandler).option(EpollChannelOption.SO_REUSEPORT, true),
                        address));
                }
            }
            else
            {
                bound.add(bind(bootstrap(transport.group(), childHandler), address));
            }
        }
        catch (final Exception ex)
        {
            for (final Channel channel : bound)
            {
                channel.close().syncUninterruptibly();
            }
            throw new StartupException(BindFailures.bindKey(blamed, port), "cannot listen on " +
                config.bindAddress() + ":" + port + ": " + BindFailures.bindProblem(ex), ex);
        }
        channels.addAll(bound);
    }

    /**
     * Stop listening on one port and wait until closed; the connections accepted on it stay open.
     *
     * @param port the port.
     */
    void close(final int port)
    {
        final List<Channel> closing = new ArrayList<>();
        for (final Channel channel : channels)
        {
            if (((InetSocketAddress)channel.localAddress()).getPort() == port)
            {
                closing.add(channel);
            }
        }
        channels.removeAll(closing);
        for (final Channel channel : closing)
        {
            channel.close().syncUninterruptibly();
        }
    }

    /**
     * Accept connections on every bound channel.
     */
    void startAccepting()
    {
        for (final Channel channel : channels)
        {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * @return the ports listened on, once each, in the order bound.
     */
    List<Integer> ports()
    {
        final List<Integer> ports = new ArrayList<>();
        for (final Channel channel : channels)
        {
            final int port = ((InetSocketAddress)channel.localAddress()).getPort();
            if (!ports.contains(port))
            {
                ports.add(port);
            }
        }
        return ports;
    }

    /**
     * @return the server channels open now.
     */
    int channelCount()
    {
        return channels.size();
    }

    /**
     * Close every server channel and wait until closed; the connections they accepted stay open.
     */
    void close()
    {
        for (final Channel channel : channels)
        {
            channel.close().syncUninterruptibly();
        }
        channels.clear();
    }

    /**
     * @return how the reads of a client connection are sized: adaptively, up to {@link #MAX_READ_LENGTH}.
     */
    static RecvByteBufAllocator connectionReadAllocator()
    {
        return new AdaptiveRecvByteBufAllocator(MIN_READ_LENGTH, INITIAL_READ_LENGTH, MAX_READ_LENGTH);
    }

    // RCVBUF_ALLOCATOR is deprecated in Netty 4.2 but remains the way to size one read
    @SuppressWarnings("deprecation")
    private ServerBootstrap bootstrap(final EventLoopGroup group, final ChannelHandler childHandler)
    {
        // a loop given as both groups keeps each connection on the loop whose socket accepted it
        return new ServerBootstrap()
            .group(group, group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            // accept nothing until every queue is started
            .option(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, connectionReadAllocator())
            .childHandler(childHandler);
    }

    private static Channel bind(final ServerBootstrap bootstrap, final InetSocketAddress address)
    {
        return bootstrap.bind(address).syncUninterruptibly().channel();
    }

    /**
     * Bind the address once without {@code SO_REUSEPORT} (and without listening), then release it: fails, as a
     * single server channel's bind does, when any process listens on the port, also one that set {@code SO_REUSEPORT}
     * and would otherwise share it with the listener.
     */
    private static void checkNobodyListens(final InetSocketAddress address) throws IOException
    {
        try (Socket probe = new Socket())
        {
            probe.setReuseAddress(true);
            probe.bind(address);
        }
    }
}
