package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP.sys connection timers, over real sockets against a real listener, each shortened to a few hundred
 * milliseconds in the configuration: header wait (408 and close), idle connection (close, no response), entity body
 * (408, close, handler told), drain entity body (close; a drained connection serves its next request), time in queue
 * (503, for requests a loopback queue holds while no worker is ready) and the minimum send rate (a client that stops
 * reading a large response is cut off).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimeoutsTest
{
    private static final String CONFIG = TestConfig.listener()
        .timeout("headerWait", "400ms")
        .timeout("idleConnection", "400ms")
        .timeout("entityBody", "400ms")
        .timeout("drainEntityBody", "400ms")
        .timeout("queueWait", "10s")
        .timeout("minSendRate", 150)
        .timeout("minSendRateGrace", "400ms")
        .queue(TestConfig.inProcess("inproc", LimitsHandler.class))
        .queue(TestConfig.inProcess("early", LimitsHandler.class)
            .timeout("entityBody", 0))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .queue(TestConfig.loopback("stuck", SampleHandler.class)
            .timeout("queueWait", "300ms")
            .command("sleep", "60")
            .worker("shutdownTimeLimit", "0ms"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CLOSE_WAIT_MS = 5_000;
    private static final int MIB = 1024 * 1024;

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("timeouts", CONFIG).awaitReady(READY_TIMEOUT_MS, "/shm/");

    @BeforeEach
    void resetHandler()
    {
        LimitsHandler.reset();
    }

    @Test
    void shouldAnswer408AndCloseWhenRequestHeadIsNotCompleteInTime() throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            client.write("GET /inproc/ HTTP/1.1\r\nHost: " + RawHttpClient.LOOPBACK_ADDRESS + "\r\n");
            final RawHttpClient.Response timedOut = client.readResponse(false);

            assertEquals(408, timedOut.status(), timedOut::toString);
            assertEquals("close", timedOut.header("connection"));
            assertEquals("request timeout: request head not received in time\n", timedOut.bodyText());
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
        assertEquals(0, LimitsHandler.REQUESTS.get());
    }

    @Test
    void shouldCloseNewConnectionWithoutResponseWhenNoRequestArrives() throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
    }

    @Test
    void shouldCloseKeepAliveConnectionWithoutResponseWhenIdle() throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response served = client.send(RawHttpClient.get("/inproc/", LISTENER.port()));
            assertEquals(200, served.status(), served::toString);
            assertEquals(null, served.header("connection"));

            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
    }

    @Test
    void shouldKeepConnectionOpenWhileRequestsKeepComing() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            // each pause is under the idle time; together they are well over it
            for (int i = 0; i < 4; i++)
            {
                final RawHttpClient.Response served = client.send(RawHttpClient.get("/inproc/", LISTENER.port()));
                assertEquals(200, served.status(), served::toString);
                Thread.sleep(200);
            }
        }
        assertEquals(4, LimitsHandler.REQUESTS.get());
    }

    @Test
    void shouldAnswer408CloseAndTellHandlerWhenBodyStalls() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            client.write(RawHttpClient.concat(upload("/inproc/upload", 100), new byte[10]));
            final RawHttpClient.Response timedOut = client.readResponse(false);

            assertEquals(408, timedOut.status(), timedOut::toString);
            assertEquals("close", timedOut.header("connection"));
            assertEquals("request timeout: request body not received in time\n", timedOut.bodyText());
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
        assertEquals(1, LimitsHandler.REQUESTS.get());
        Await.value(1, LimitsHandler.ABORTS::get, CLOSE_WAIT_MS);
        assertEquals(0, LISTENER.listener().queue("inproc").length());
    }

    @Test
    void shouldAnswer408WhenSharedMemoryBodyStallsAndKeepServing() throws Exception
    {
        final RequestQueue queue = LISTENER.listener().queue("shm");
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            client.write(RawHttpClient.concat(upload("/shm/upload", 100), new byte[10]));
            final RawHttpClient.Response timedOut = client.readResponse(false);

            assertEquals(408, timedOut.status(), timedOut::toString);
            assertEquals("request timeout: request body not received in time\n", timedOut.bodyText());
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
        Await.value(0, queue::length, CLOSE_WAIT_MS);
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response served = client.send(RawHttpClient.get("/shm/", LISTENER.port()));
            assertEquals(200, served.status(), served::toString);
            assertEquals("Hello, World!", served.bodyText());
        }
    }

    @Test
    void shouldDrainRestOfBodyAfterEarlyResponseAndServeNextRequest() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            client.write(RawHttpClient.concat(upload("/early/early", 100), new byte[10]));
            final RawHttpClient.Response early = client.readResponse(false);
            assertEquals(200, early.status(), early::toString);
            assertEquals("early", early.bodyText());

            client.write(new byte[90]);
            final RawHttpClient.Response next = client.send(RawHttpClient.get("/early/", LISTENER.port()));
            assertEquals(200, next.status(), next::toString);
            assertEquals("ok", next.bodyText());
        }
        assertEquals(2, LimitsHandler.REQUESTS.get());
    }

    @Test
    void shouldCloseWhenRestOfBodyIsNotDrainedInTime() throws IOException
    {
        // the early queue has no entity body timer: only the drain timer can end this connection
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            client.write(RawHttpClient.concat(upload("/early/early", 100), new byte[10]));
            final RawHttpClient.Response early = client.readResponse(false);
            assertEquals(200, early.status(), early::toString);
            assertEquals(null, early.header("connection"));

            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
    }

    @Test
    void shouldAnswer503WhenNoWorkerTakesRequestWithinQueueWait() throws Exception
    {
        final RequestQueue queue = LISTENER.listener().queue("stuck");
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response refused = client.send(RawHttpClient.get("/stuck/", LISTENER.port()));

            assertEquals(503, refused.status(), refused::toString);
            assertEquals("service unavailable: request waited too long in the queue\n", refused.bodyText());
            assertEquals(null, refused.header("connection"));
            assertEquals(0, queue.length());

            // the connection is still good: a request to another queue on it is served
            final RawHttpClient.Response served = client.send(RawHttpClient.get("/inproc/", LISTENER.port()));
            assertEquals(200, served.status(), served::toString);
        }
    }

    @Test
    void shouldCutOffClientThatStopsReadingLargeResponse() throws Exception
    {
        final int length = 16 * MIB;
        // earlier tests' connections are closed by the idle timer at the latest
        Await.value(0, () -> LISTENER.listener().connections().openCount(), CLOSE_WAIT_MS);
        try (Socket socket = new Socket())
        {
            // a small receive window, so the kernel cannot take the whole response off the listener's hands
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, LISTENER.port()), CLOSE_WAIT_MS);
            socket.getOutputStream().write(RawHttpClient.get("/inproc/big?mib=16", LISTENER.port()));
            Await.value(1, LimitsHandler.REQUESTS::get, CLOSE_WAIT_MS);

            // never reading: the listener closes the connection once a window passes with nothing taken
            Await.value(0, () -> LISTENER.listener().connections().openCount(), 10_000);

            socket.setSoTimeout(CLOSE_WAIT_MS);
            final long received = readUntilClosed(socket.getInputStream());
            assertTrue(received > 0 && received < length, "received " + received + " of " + length + " bytes");
        }
        assertEquals(1, LimitsHandler.REQUESTS.get());
    }

    private static long readUntilClosed(final InputStream in) throws IOException
    {
        final byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                total += read;
            }
        }
        catch (final SocketException ex)
        {
            // a reset instead of an orderly close also ends the response early
        }
        return total;
    }

    private static byte[] upload(final String target, final int contentLength)
    {
        return RawHttpClient.request(
            "POST", target, RawHttpClient.LOOPBACK_ADDRESS + ":" + LISTENER.port(),
            "Content-Type: application/x", "Content-Length: " + contentLength);
    }
}
