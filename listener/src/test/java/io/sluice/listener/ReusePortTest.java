package io.sluice.listener;

import io.netty.channel.epoll.Epoll;
import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.http.LoopConnectionCounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * With several event loops on epoll, each port the prefixes name is listened on by one {@code SO_REUSEPORT} socket
 * per loop: the kernel spreads the connections over them, every loop serves some when many connect, and a stop closes
 * every socket (the port is free again). The kernel picks a socket by a hash of the connection's addresses, so 64
 * connections miss one of 2 loops with a chance of 2 in 2^64, and one of 4 with about 4 in 10^8.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReusePortTest
{
    private static final int CONNECTIONS = 64;
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private TestListener started;

    @AfterEach
    void close()
    {
        if (null != started)
        {
            started.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 2, 4 })
    void shouldSpreadConnectionsOverEveryLoopWithOneSocketPerLoopAndPort(final int loops) throws Exception
    {
        assumeTrue(Epoll.isAvailable(), "epoll");
        final int otherPort = TestListener.freePort();
        started = TestListener.start("reuseport", config(loops, otherPort));
        final ServerChannels channels = started.listener().serverChannels();
        assertTrue(channels.reusePort());
        assertEquals(2 * loops, channels.channelCount(), "one socket per loop and port");
        assertEquals(Set.of(started.port(), otherPort), Set.copyOf(channels.ports()));

        final List<RawHttpClient> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < CONNECTIONS; i++)
            {
                final int port = 0 == i % 2 ? started.port() : otherPort;
                final RawHttpClient client = new RawHttpClient(port);
                clients.add(client);
                final RawHttpClient.Response response = client.send(RawHttpClient.get("/inproc/", port));
                assertEquals(200, response.status());
                assertArrayEquals(HELLO, response.body());
            }
        }
        finally
        {
            for (final RawHttpClient client : clients)
            {
                client.close();
            }
        }

        final LoopConnectionCounts counts = started.listener().loopConnectionCounts();
        assertEquals(loops, counts.loopCount());
        final long[] perLoop = new long[loops];
        for (int i = 0; i < loops; i++)
        {
            perLoop[i] = counts.accepted(i);
        }
        assertEquals(CONNECTIONS, Arrays.stream(perLoop).sum(), Arrays.toString(perLoop));
        assertTrue(Arrays.stream(perLoop).allMatch((accepted) -> accepted > 0), Arrays.toString(perLoop));
    }

    @Test
    void shouldCloseEverySocketOnStop() throws Exception
    {
        assumeTrue(Epoll.isAvailable(), "epoll");
        final int otherPort = TestListener.freePort();
        started = TestListener.start("reuseport-stop", config(3, otherPort));
        final int port = started.port();
        assertEquals(6, started.listener().serverChannels().channelCount());

        started.listener().stop();

        assertEquals(0, started.listener().serverChannels().channelCount());
        for (final int closedPort : new int[] { port, otherPort })
        {
            assertThrows(ConnectException.class, () -> connect(closedPort), "port " + closedPort);
            // no socket of the listener is left on it: a socket without SO_REUSEPORT can listen there again
            try (ServerSocket again = new ServerSocket(closedPort, 1, InetAddress.getByName(
                RawHttpClient.LOOPBACK_ADDRESS)))
            {
                assertEquals(closedPort, again.getLocalPort());
            }
        }
    }

    @Test
    void shouldListenOnOneSocketPerPortWithOneLoop()
    {
        started = TestListener.start("reuseport-one", config(1, TestListener.freePort()));
        final ServerChannels channels = started.listener().serverChannels();
        assertFalse(channels.reusePort());
        assertEquals(2, channels.channelCount());
    }

    private static String config(final int loops, final int otherPort)
    {
        return TestConfig.listener()
            .listener("bind", "127.0.0.1")
            .listener("eventLoops", loops)
            .queue(TestConfig.inProcess("inproc", SampleHandler.class)
                .prefixes("http://+:${PORT}/inproc/", "http://+:" + otherPort + "/inproc/"))
            .yaml();
    }

    private static void connect(final int port) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port), 1_000);
        }
    }
}
