package io.sluice.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.http.LoopConnectionCounts;
import io.sluice.listener.queue.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The listening sockets on each transport, over real sockets: on NIO one socket per port whose connections the group
 * hands to its loops in turn; on epoll one {@code SO_REUSEPORT} socket per loop, each connection served by the loop
 * whose socket accepted it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerChannelsTest
{
    private static final int CONNECTIONS = 8;
    private static final long RELEASE_WAIT_MS = 2_000;

    @Test
    void shouldListenOnOneNioSocketAndHandItsConnectionsToTheLoopsInTurn() throws Exception
    {
        final Transport transport = new Transport(
            new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory()),
            NioServerSocketChannel.class, NioSocketChannel.class, null, "nio");
        try
        {
            final int port = TestListener.freePort();
            final ServerChannels channels = new ServerChannels(config(port), transport);
            assertFalse(channels.reusePort());
            final LoopConnectionCounts counts = new LoopConnectionCounts(transport.group());
            final AtomicInteger onAcceptingLoop = new AtomicInteger();
            final CountDownLatch accepted = new CountDownLatch(CONNECTIONS);
            channels.bind(port, recorder(counts, onAcceptingLoop, accepted));
            assertEquals(1, channels.channelCount());
            channels.startAccepting();

            connectAll(port, accepted);

            assertEquals(CONNECTIONS / 2, counts.accepted(0));
            assertEquals(CONNECTIONS / 2, counts.accepted(1));
            closeAndCheckFree(channels, port);
        }
        finally
        {
            transport.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void shouldListenOnOneEpollSocketPerLoopAndServeEachConnectionOnTheLoopThatAcceptedIt() throws Exception
    {
        assumeTrue(Epoll.isAvailable(), "epoll");
        final Transport transport = new Transport(
            new MultiThreadIoEventLoopGroup(3, EpollIoHandler.newFactory()),
            EpollServerSocketChannel.class, EpollSocketChannel.class, EpollServerDomainSocketChannel.class, "epoll");
        try
        {
            final int port = TestListener.freePort();
            final ServerChannels channels = new ServerChannels(config(port), transport);
            assertTrue(channels.reusePort());
            final LoopConnectionCounts counts = new LoopConnectionCounts(transport.group());
            final AtomicInteger onAcceptingLoop = new AtomicInteger();
            final CountDownLatch accepted = new CountDownLatch(CONNECTIONS);
            channels.bind(port, recorder(counts, onAcceptingLoop, accepted));
            assertEquals(3, channels.channelCount());
            assertEquals(List.of(port), channels.ports());
            channels.startAccepting();

            connectAll(port, accepted);

            assertEquals(CONNECTIONS, onAcceptingLoop.get(), "connections served by the loop that accepted them");
            assertEquals(CONNECTIONS, counts.accepted(0) + counts.accepted(1) + counts.accepted(2));
            closeAndCheckFree(channels, port);
        }
        finally
        {
            transport.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // Netty 4.2 deprecates the read size handle's interface, which is still what its channels use to size a read
    @SuppressWarnings("deprecation")
    @Test
    void shouldGrowTheReadsOfAConnectionThatKeepsFillingThemToAQuarterMebibyteAndNoFurther()
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final RecvByteBufAllocator.Handle handle = ServerChannels.connectionReadAllocator().newHandle();
        int largest = 0;
        for (int read = 0; read < 20; read++)
        {
            handle.reset(channel.config());
            final int guess = handle.guess();
            largest = Math.max(largest, guess);
            handle.attemptedBytesRead(guess);
            handle.lastBytesRead(guess);
            handle.incMessagesRead(1);
            handle.readComplete();
        }
        assertEquals(ServerChannels.MAX_READ_LENGTH, largest);
        assertEquals(256 * 1024, ServerChannels.MAX_READ_LENGTH);

        for (int read = 0; read < 20; read++)
        {
            handle.reset(channel.config());
            handle.attemptedBytesRead(handle.guess());
            handle.lastBytesRead(100);
            handle.incMessagesRead(1);
            handle.readComplete();
        }
        assertTrue(handle.guess() <= 2048, "a connection that sends little reads little: " + handle.guess());
        channel.finishAndReleaseAll();
    }

    private static ChannelInitializer<SocketChannel> recorder(
        final LoopConnectionCounts counts, final AtomicInteger onAcceptingLoop, final CountDownLatch accepted)
    {
        return new ChannelInitializer<>()
        {
            protected void initChannel(final SocketChannel ch)
            {
                counts.record(ch.eventLoop());
                final Channel parent = ch.parent();
                if (parent.eventLoop() == ch.eventLoop())
                {
                    onAcceptingLoop.incrementAndGet();
                }
                accepted.countDown();
            }
        };
    }

    private static void connectAll(final int port, final CountDownLatch accepted) throws Exception
    {
        final List<Socket> sockets = new ArrayList<>();
        try
        {
            for (int i = 0; i < CONNECTIONS; i++)
            {
                final Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port), 5_000);
            }
            assertTrue(accepted.await(10, TimeUnit.SECONDS), "accepted: " + (CONNECTIONS - accepted.getCount()));
        }
        finally
        {
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
    }

    /**
     * Close and bind the port again. A JDK NIO server channel that is registered with a selector keeps its socket
     * until the selector's next cycle deregisters it, after the close has completed; so the bind is tried again for
     * up to {@link #RELEASE_WAIT_MS} while it finds the port in use. Epoll releases the port on close.
     */
    private static void closeAndCheckFree(final ServerChannels channels, final int port) throws Exception
    {
        channels.close();
        assertEquals(0, channels.channelCount());
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELEASE_WAIT_MS);
        while (true)
        {
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName(RawHttpClient.LOOPBACK_ADDRESS)))
            {
                assertEquals(port, again.getLocalPort());
                return;
            }
            catch (final BindException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw ex;
                }
                Thread.sleep(10);
            }
        }
    }

    private static ListenerConfiguration config(final int port)
    {
        return ConfigLoader.parse("""
            listener:
              bind: 127.0.0.1
            queues:
              - name: app
                prefixes: [ "http://+:%d/app/" ]
                hosting: in-process
                handler: io.sluice.dispatch.sample.SampleHandler
            """.formatted(port), "test.yaml");
    }
}
