package io.sluice.listener;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin port cannot be turned against the listener: a client pipelining {@code GET /metrics} without reading the
 * answers holds a bounded amount of the listener's memory while the data plane keeps answering; a connection that
 * sends half a head, or nothing, is closed after {@code adminHeaderWait} or {@code adminIdleConnection}; no more than
 * {@code adminMaxConnections} are open; and a public {@code bind} leaves the admin port on the loopback address.
 */
@ExtendWith(TestListener.KeepLogsOnFailure.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AdminPortTest
{
    private static final String CONFIG = """
        listener:
          id: ${ID}
          bind: ${BIND}
          eventLoops: 1
          shmDir: ${SHM_DIR}
          adminPort: ${ADMIN_PORT}
          adminMaxConnections: 4
          adminHeaderWait: ${ADMIN_HEADER_WAIT}
          adminIdleConnection: ${ADMIN_IDLE}
        queues:
          - name: inproc
            prefixes: [ "http://+:${PORT}/inproc/" ]
            hosting: in-process
            handler: io.sluice.dispatch.sample.SampleHandler
        """;

    private static final byte[] METRICS_REQUEST =
        "GET /metrics HTTP/1.1\r\nHost: admin\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int PIPELINED_REQUESTS = 50_000;
    private static final long PENDING_OUTBOUND_BOUND_LENGTH = 256 * 1024;
    private static final int CLOSE_WAIT_MS = 5_000;
    private static final long FLOOD_WAIT_S = 40;
    private static final int STILL_SAMPLES = 10;
    private static final long SAMPLE_INTERVAL_MS = 100;

    private TestListener listener;
    private int adminPort;

    @AfterEach
    void closeListener()
    {
        if (null != listener)
        {
            listener.close();
            listener = null;
        }
    }

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
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS), "half a head held the admin connection open");
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
        listener = TestListener.start("admin-port", CONFIG
            .replace("${BIND}", bind)
            .replace("${ADMIN_PORT}", Integer.toString(adminPort))
            .replace("${ADMIN_HEADER_WAIT}", headerWait)
            .replace("${ADMIN_IDLE}", idle));
    }
}
