package io.sluice.listener.queue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.ServerDomainSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.logging.Logger;

/**
 * The I/O transport, chosen once at start-up: Netty's native epoll where it is available, else NIO with the recorded
 * reason logged. The event loop group is shared by the front, the loopback forwarding clients and the shared-memory
 * doorbells; the admin endpoint runs on a group of its own ({@link #newGroup}).
 *
 * @param group               the event loops.
 * @param serverChannel       server socket channel class.
 * @param socketChannel       client socket channel class.
 * @param serverDomainChannel Unix domain server socket channel class, or null when not available (NIO).
 * @param name                "epoll" or "nio".
 */
public record Transport(
    EventLoopGroup group,
    Class<? extends ServerSocketChannel> serverChannel,
    Class<? extends SocketChannel> socketChannel,
    Class<? extends ServerDomainSocketChannel> serverDomainChannel,
    String name)
{
    private static final Logger LOG = Logger.getLogger(Transport.class.getName());

    /**
     * A separate event loop group of this transport's kind, for work that must never share a thread with client
     * traffic (the admin endpoint).
     *
     * @param threads    number of event loop threads.
     * @param threadName prefix of the threads' names.
     * @return the new group; the caller shuts it down.
     */
    public EventLoopGroup newGroup(final int threads, final String threadName)
    {
        final IoHandlerFactory factory = "epoll".equals(name) ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), factory);
    }

    /**
     * @param eventLoops number of event loop threads.
     * @return epoll if available, else NIO.
     */
    public static Transport create(final int eventLoops)
    {
        if (Epoll.isAvailable())
        {
            // logged by the listener once it serves: a refused start prints only its reason
            final IoHandlerFactory factory = EpollIoHandler.newFactory();
            return new Transport(
                new MultiThreadIoEventLoopGroup(eventLoops, factory),
                EpollServerSocketChannel.class,
                EpollSocketChannel.class,
                EpollServerDomainSocketChannel.class,
                "epoll");
        }

        LOG.warning(() -> "transport: native epoll unavailable (" + Epoll.unavailabilityCause() +
            "); falling back to NIO, " + eventLoops + " event loop(s); shared-memory queues need epoll");
        return new Transport(
            new MultiThreadIoEventLoopGroup(eventLoops, NioIoHandler.newFactory()),
            NioServerSocketChannel.class,
            NioSocketChannel.class,
            null,
            "nio");
    }
}
