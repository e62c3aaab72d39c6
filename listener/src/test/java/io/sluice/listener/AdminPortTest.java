package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin port cannot be turned against the listener: a client pipelining {@code GET /metrics} without reading the
 * answers holds a bounded amount of the listener's memory (and of the kernel's) while the data plane keeps answering,
 * and is reset once it takes its answers slower than the minimum send rate, so such clients cannot hold every admin
 * connection; a connection that sends half a head, or nothing, is closed after {@code adminHeaderWait} (408) or
 * {@code adminIdleConnection}, even when the head began in the same write as a complete request; no more than
 * {@code adminMaxConnections} are open; a public {@code bind} leaves the admin port on the loopback address; and the
 * admin port follows the data plane's HTTP rules (Host, CONNECT, HTTP/1.0 keep-alive, Date).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AdminPortTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "${BIND}")
        .listener("adminPort", "${ADMIN_PORT}")
        .listener("adminMaxConnections", "${ADMIN_MAX_CONNECTIONS}")
        .listener("adminHeaderWait", "${ADMIN_HEADER_WAIT}")
        .listener("adminIdleConnection", "${ADMIN_IDLE}")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .yaml();

    private static final byte[] METRICS_REQUEST =
        "GET /metrics HTTP/1.1\r\nHost: admin\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int PIPELINED_REQUESTS = 50_000;
    private static final long PENDING_OUTBOUND_BOUND_LENGTH = 256 * 1024;
    private static final int CLOSE_WAIT_MS = 5_000;
    private static final long FLOOD_WAIT_S = 40;
    private static final long FLOOD_WAIT_MS = TimeUnit.SECONDS.toMillis(FLOOD_WAIT_S);
    private static final int STILL_SAMPLES = 10;
    private static final long SAMPLE_INTERVAL_MS = 100;
    private static final int ADMIN_MAX_CONNECTIONS = 4;
    private static final long STILL_MS = 1_000;
    private static final long KERNEL_HELD_BOUND_LENGTH = 96 * 1024;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;
    private int adminPort;

    @Test
    void shouldBoundOutputOfAClientThatPipelinesWithoutReadingAndKeepServingTheDataPlane() throws Exception
    {
        start("127.0.0.1", "10s", "10s");
        final AtomicLong written = new AtomicLong();
        final Socket flooder = new Socket();
        flooder.setReceiveBufferSize(4096);
        flooder.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, adminPort), 5_000);
        final Thread writer = new Thread(() ->
        {
            final byte[] batch = new byte[METRICS_REQUEST.length * 100];
            for (int i = 0; i < 100; i++)
            {
                System.arraycopy(METRICS_REQUEST, 0, batch, i * METRICS_REQUEST.length, METRICS_REQUEST.length);
            }
            try
            {
                final OutputStream out = flooder.getOutputStream();
                for (int i = 0; i < PIPELINED_REQUESTS / 100; i++)
                {
                    out.write(batch);
                    written.addAndGet(batch.length);
                }
            }
            catch (final IOException ignore)
            {
                // the socket is closed by the test once it has seen enough
            }
        }, "admin-flooder");
        writer.setDaemon(true);
        writer.start();
        try
        {
            // until the listener stops answering the flood (it stopped reading it) or its output passes the bound,
            // the data plane keeps answering
            final AdminServer admin = listener.listener().admin();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_WAIT_S);
            long answered = -1;
            int stillSamples = 0;
            while (stillSamples < STILL_SAMPLES &&
                admin.pendingOutboundHighWaterLength() <= PENDING_OUTBOUND_BOUND_LENGTH &&
                System.nanoTime() - deadlineNs < 0)
            {
                try (RawHttpClient client = new RawHttpClient(listener.port()))
                {
                    final RawHttpClient.Response response =
                        client.send(RawHttpClient.get("/inproc/", listener.port()));
                    assertEquals(200, response.status(), response::toString);
                }
                Thread.sleep(SAMPLE_INTERVAL_MS);
                final long nowAnswered = admin.answeredRequests();
                stillSamples = nowAnswered == answered && nowAnswered > 0 ? stillSamples + 1 : 0;
                answered = nowAnswered;
            }
            final long pending = admin.pendingOutboundHighWaterLength();
            System.out.println("AdminPortTest: " + written.get() + " request bytes pipelined, " + answered +
                " answered, most pending output " + pending + " bytes");
            assertTrue(pending > 0, "the flood was never held back; " + answered + " answered");
            assertTrue(pending <= PENDING_OUTBOUND_BOUND_LENGTH,
                "pending output of one admin connection grew to " + pending + " bytes (bound " +
                PENDING_OUTBOUND_BOUND_LENGTH + "); " + written.get() + " request bytes written");
            assertEquals(STILL_SAMPLES, stillSamples,
                "the listener kept answering a client that does not read: " + answered + " answered");
        }
        finally
        {
            flooder.close();
            writer.join(5_000);
        }

        // and the admin port still answers a well-behaved client
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/health", adminPort));
            assertEquals(200, response.status(), response::toString);
        }
    }

    @Test
    void shouldCloseAConnectionWhoseHeadIsNotCompleteWithinTheHeaderWait() throws Exception
    {
        start("127.0.0.1", "300ms", "30s");
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            client.write("GET /metrics HTTP/1.1\r\nHost: ad");
            final RawHttpClient.Response response = client.readResponse(false);
            assertEquals(408, response.status(), response::toString);
            assertEquals("close", response.header("connection"), response::toString);
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS), "half a head held the admin connection open");
        }
    }

    @Test
    void shouldCloseAConnectionWhoseBodyIsNotCompleteWithinTheHeaderWait() throws Exception
    {
        start("127.0.0.1", "300ms", "30s");
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            client.write("POST /health HTTP/1.1\r\nHost: admin\r\nContent-Length: 10\r\n\r\nabc");
            final RawHttpClient.Response response = client.readResponse(false);
            assertEquals(408, response.status(), response::toString);
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS), "half a body held the admin connection open");
        }
    }

    @Test
    void shouldTimeAHeadBegunInTheSameWriteAsTheRequestBeforeIt() throws Exception
    {
        start("127.0.0.1", "300ms", "60s");
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            client.write("GET /health HTTP/1.1\r\nHost: admin\r\n\r\nGET /metrics HTTP/1.1\r\nHost: ad");
            final RawHttpClient.Response health = client.readResponse(false);
            assertEquals(200, health.status(), health::toString);
            final RawHttpClient.Response timeout = client.readResponse(false);
            assertEquals(408, timeout.status(), timeout::toString);
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS), "half a head held the admin connection open");
        }
    }

    @Test
    void shouldFollowTheDataPlanesHttpRules() throws Exception
    {
        start("127.0.0.1", "10s", "10s");
        final String host = RawHttpClient.LOOPBACK_ADDRESS + ":" + adminPort;
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            // HTTP/1.0 kept alive on request is told so, and kept
            client.write("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            final RawHttpClient.Response kept = client.readResponse(false);
            assertEquals(200, kept.status(), kept::toString);
            assertEquals("keep-alive", kept.header("connection"), kept::toString);
            assertDated(kept);
            client.write(RawHttpClient.request("HEAD", "/metrics", host));
            final RawHttpClient.Response head = client.readResponse(true);
            assertEquals(200, head.status(), head::toString);
            assertEquals(0, head.body().length, head::toString);
            assertNull(head.header("connection"), head::toString);
            final RawHttpClient.Response post = client.send(
                RawHttpClient.ascii("POST /health HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 3\r\n\r\nabc"));
            assertEquals(405, post.status(), post::toString);
            assertEquals("GET, HEAD", post.header("allow"), post::toString);
            assertDated(post);
            final RawHttpClient.Response trace = client.send(RawHttpClient.request("TRACE", "/health", host));
            assertEquals(405, trace.status(), trace::toString);
            final RawHttpClient.Response missing = client.send(RawHttpClient.get("/nowhere", adminPort));
            assertEquals(404, missing.status(), missing::toString);
            assertDated(missing);
        }
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            client.write("GET /health HTTP/1.0\r\n\r\n");
            final RawHttpClient.Response closed = client.readResponse(false);
            assertEquals(200, closed.status(), closed::toString);
            assertEquals("close", closed.header("connection"), closed::toString);
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
        for (final String badHost : List.of("a.example:@evil", "user@a.example", "a.example:99999"))
        {
            try (RawHttpClient client = new RawHttpClient(adminPort))
            {
                final RawHttpClient.Response refused = client.send(RawHttpClient.request("GET", "/health", badHost));
                assertEquals(400, refused.status(), () -> badHost + ": " + refused);
                assertDated(refused);
                assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
            }
        }
        for (final String malformed : List.of(
            "GET /health HTTP/1.1\r\nHost: admin\r\nBad Name: x\r\n\r\n",
            "GET /health HTTP/1.1\nHost: admin\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: admin\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nabc",
            "GET /health HTTP/1.1\r\nHost: admin\r\nX-Long: " + "x".repeat(AdminServer.MAX_REQUEST_LENGTH) +
            "\r\n\r\n"))
        {
            try (RawHttpClient client = new RawHttpClient(adminPort))
            {
                client.write(malformed);
                final RawHttpClient.Response refused = client.readResponse(false);
                assertTrue(400 == refused.status() || 431 == refused.status(), refused::toString);
                assertEquals("close", refused.header("connection"), refused::toString);
                assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
            }
        }
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            client.write("GET /health HTTP/1.1\r\n\r\n");
            final RawHttpClient.Response noHost = client.readResponse(false);
            assertEquals(400, noHost.status(), noHost::toString);
        }
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            final RawHttpClient.Response connect = client.send(RawHttpClient.request("CONNECT", "/health", host));
            assertEquals(501, connect.status(), connect::toString);
            assertEquals("close", connect.header("connection"), connect::toString);
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
    }

    @Test
    void shouldResetClientsThatPipelineWithoutReadingSoThatHealthIsAnsweredAgain() throws Exception
    {
        start("127.0.0.1", "10s", "3s");
        final List<Socket> flooders = new ArrayList<>();
        final List<Thread> writers = new ArrayList<>();
        try
        {
            for (int i = 0; i < ADMIN_MAX_CONNECTIONS; i++)
            {
                final Socket flooder = new Socket();
                flooder.setReceiveBufferSize(4096);
                flooder.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, adminPort), 5_000);
                flooders.add(flooder);
                final Thread writer = new Thread(() ->
                {
                    try
                    {
                        final OutputStream out = flooder.getOutputStream();
                        for (int r = 0; r < PIPELINED_REQUESTS; r++)
                        {
                            out.write(METRICS_REQUEST);
                        }
                    }
                    catch (final IOException ignore)
                    {
                        // reset by the listener
                    }
                }, "admin-flooder-" + i);
                writer.setDaemon(true);
                writer.start();
                writers.add(writer);
            }
            Await.value(ADMIN_MAX_CONNECTIONS, () -> listener.listener().admin().openConnections(), CLOSE_WAIT_MS);

            // none of the flooders reads, yet the admin port answers again once they are found out
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_WAIT_S);
            int status = 0;
            while (200 != status && System.nanoTime() - deadlineNs < 0)
            {
                try (RawHttpClient client = new RawHttpClient(adminPort))
                {
                    status = client.send(RawHttpClient.get("/health", adminPort)).status();
                }
                catch (final IOException ex)
                {
                    Thread.sleep(SAMPLE_INTERVAL_MS);
                }
            }
            assertEquals(200, status, "clients that never read held every admin connection");
            System.out.println("AdminPortTest: /health answered " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deadlineNs + TimeUnit.SECONDS.toNanos(FLOOD_WAIT_S)) +
                " ms after " + ADMIN_MAX_CONNECTIONS + " clients filled the admin port without reading");
            // and every one of them is reset, not only the one that made room
            Await.value(0, () -> listener.listener().admin().openConnections(), FLOOD_WAIT_MS);
            assertEquals(ADMIN_MAX_CONNECTIONS, listener.listener().admin().slowClosedConnections());
        }
        finally
        {
            for (final Socket flooder : flooders)
            {
                flooder.close();
            }
        }
    }

    @Test
    void shouldHoldLittleInTheKernelForAClientThatIsNotRead() throws Exception
    {
        start("127.0.0.1", "10s", "10s");
        try (SocketChannel flooder = SocketChannel.open())
        {
            flooder.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            flooder.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            flooder.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, adminPort));
            flooder.configureBlocking(false);
            final ByteBuffer requests = ByteBuffer.allocate(METRICS_REQUEST.length * 1000);
            while (requests.hasRemaining())
            {
                requests.put(METRICS_REQUEST);
            }
            requests.flip();
            long accepted = 0;
            long lastProgressNs = System.nanoTime();
            while (System.nanoTime() - lastProgressNs < TimeUnit.MILLISECONDS.toNanos(STILL_MS))
            {
                if (!requests.hasRemaining())
                {
                    requests.rewind();
                }
                final int written = flooder.write(requests);
                if (written > 0)
                {
                    accepted += written;
                    lastProgressNs = System.nanoTime();
                }
                else
                {
                    Thread.sleep(10);
                }
            }
            System.out.println("AdminPortTest: a client that is not read pushed " + accepted + " request bytes");
            assertTrue(accepted < KERNEL_HELD_BOUND_LENGTH,
                accepted + " request bytes accepted from a client that is not read (bound " +
                KERNEL_HELD_BOUND_LENGTH + ")");
        }
    }

    @Test
    void shouldCloseAnIdleConnectionAfterTheIdleTime() throws Exception
    {
        start("127.0.0.1", "30s", "300ms");
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/health", adminPort));
            assertEquals(200, response.status(), response::toString);
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS), "an idle admin connection was kept");
        }
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS), "a silent admin connection was kept");
        }
    }

    @Test
    void shouldKeepAnIdleConnectionWhileItsTimerHasNotRun() throws Exception
    {
        start("127.0.0.1", "30s", "30s");
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            client.write("GET /metrics HTTP/1.1\r\nHost: ad");
            assertFalse(client.isClosedByPeer(500), "half a head was closed long before the header wait");
            client.write("min\r\n\r\n");
            assertEquals(200, client.readResponse(false).status());
        }
    }

    @Test
    void shouldCloseConnectionsPastTheCap() throws Exception
    {
        start("127.0.0.1", "30s", "30s");
        final List<RawHttpClient> open = new ArrayList<>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                final RawHttpClient client = new RawHttpClient(adminPort);
                open.add(client);
                assertEquals(200, client.send(RawHttpClient.get("/health", adminPort)).status());
            }
            assertTrue(isRefused(adminPort), "the 5th admin connection was kept past adminMaxConnections: 4");
            assertEquals(1, listener.listener().admin().refusedConnections());

            open.remove(0).close();
            awaitOpenConnections(3);
            final RawHttpClient again = new RawHttpClient(adminPort);
            open.add(again);
            assertEquals(200, again.send(RawHttpClient.get("/health", adminPort)).status());
        }
        finally
        {
            for (final RawHttpClient client : open)
            {
                client.close();
            }
        }
    }

    @Test
    void shouldBindTheAdminPortToLoopbackWhenBindIsPublic() throws Exception
    {
        start("0.0.0.0", "10s", "10s");
        final InetSocketAddress address = listener.listener().admin().localAddress();
        assertNotNull(address);
        assertEquals("127.0.0.1", address.getAddress().getHostAddress());
    }

    private static void assertDated(final RawHttpClient.Response response)
    {
        assertEquals(1, response.headerCount("date"), response::toString);
        assertTrue(response.header("date").endsWith(" GMT"), response::toString);
    }

    private static boolean isRefused(final int port)
    {
        try (RawHttpClient client = new RawHttpClient(port))
        {
            client.write(RawHttpClient.get("/health", port));
            return client.isClosedByPeer(CLOSE_WAIT_MS);
        }
        catch (final IOException ex)
        {
            // reset, at connect or at the first read
            return true;
        }
    }

    private void awaitOpenConnections(final int expected) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (listener.listener().admin().openConnections() != expected && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        assertEquals(expected, listener.listener().admin().openConnections());
    }

    private void start(final String bind, final String headerWait, final String idle)
    {
        adminPort = TestListener.freePort();
        listener = LISTENERS.start("admin-port", CONFIG
            .replace("${BIND}", bind)
            .replace("${ADMIN_PORT}", Integer.toString(adminPort))
            .replace("${ADMIN_MAX_CONNECTIONS}", Integer.toString(ADMIN_MAX_CONNECTIONS))
            .replace("${ADMIN_HEADER_WAIT}", headerWait)
            .replace("${ADMIN_IDLE}", idle));
    }
}
