package io.sluice.listener;

import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

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
@ExtendWith(TestListener.KeepLogsOnFailure.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimeoutsTest
{
    private static final String CONFIG = """
        listener:
          id: ${ID}
          eventLoops: 1
          shmDir: ${SHM_DIR}
          timeouts:
            headerWait: 400ms
            idleConnection: 400ms
            entityBody: 400ms
            drainEntityBody: 400ms
            queueWait: 10s
            minSendRate: 150
            minSendRateGrace: 400ms
        queues:
          - name: inproc
            prefixes: [ "http://+:${PORT}/inproc/" ]
            hosting: in-process
            handler: io.sluice.listener.LimitsHandler
          - name: early
            prefixes: [ "http://+:${PORT}/early/" ]
            hosting: in-process
            handler: io.sluice.listener.LimitsHandler
            timeouts:
              entityBody: 0
          - name: shm
            prefixes: [ "http://+:${PORT}/shm/" ]
            hosting: shared-memory
            handler: io.sluice.dispatch.sample.SampleHandler
            worker:
              stdoutLog: ${LOG_DIR}/shm.log
          - name: stuck
            prefixes: [ "http://+:${PORT}/stuck/" ]
            hosting: loopback
            handler: io.sluice.dispatch.sample.SampleHandler
            timeouts:
              queueWait: 300ms
            worker:
              command: [ "sleep", "60" ]
              shutdownTimeLimit: 0ms
              stdoutLog: ${LOG_DIR}/stuck.log
        """;

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CLOSE_WAIT_MS = 5_000;
    private static final int MIB = 1024 * 1024;

    private static TestListener listener;
    private static int port;

    @BeforeAll
    static void startListener() throws InterruptedException
    {
        listener = TestListener.start("timeouts", CONFIG);
        port = listener.port();
        listener.assertReady(READY_TIMEOUT_MS, "/shm/");
    }

    @AfterAll
    static void closeListener()
    {
        if (null != listener)
        {
            listener.close();
            listener = null;
        }
    }

    @BeforeEach
    void resetHandler()
    {
        LimitsHandler.reset();
    }

    @Test
    void shouldAnswer408AndCloseWhenRequestHeadIsNotCompleteInTime() throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(port))
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
        try (RawHttpClient client = new RawHttpClient(port))
        {
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
    }

    @Test
    void shouldCloseKeepAliveConnectionWithoutResponseWhenIdle() throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(port))
        {
            final RawHttpClient.Response served = client.send(RawHttpClient.get("/inproc/", port));
            assertEquals(200, served.status(), served::toString);
            assertEquals(null, served.header("connection"));

            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
    }

    @Test
    void shouldKeepConnectionOpenWhileRequestsKeepComing() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(port))
        {
            // each pause is under the idle time; together they are well over it
            for (int i = 0; i < 4; i++)
            {
                final RawHttpClient.Response served = client.send(RawHttpClient.get("/inproc/", port));
                assertEquals(200, served.status(), served::toString);
                Thread.sleep(200);
            }
        }
        assertEquals(4, LimitsHandler.REQUESTS.get());
    }

    @Test
    void shouldAnswer408CloseAndTellHandlerWhenBodyStalls() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(port))
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
        assertEquals(0, listener.listener().queue("inproc").length());
    }

    @Test
    void shouldAnswer408WhenSharedMemoryBodyStallsAndKeepServing() throws Exception
    {
        final RequestQueue queue = listener.listener().queue("shm");
        try (RawHttpClient client = new RawHttpClient(port))
        {
            client.write(RawHttpClient.concat(upload("/shm/upload", 100), new byte[10]));
            final RawHttpClient.Response timedOut = client.readResponse(false);

            assertEquals(408, timedOut.status(), timedOut::toString);
            assertEquals("request timeout: request body not received in time\n", timedOut.bodyText());
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
        Await.value(0, queue::length, CLOSE_WAIT_MS);
        try (RawHttpClient client = new RawHttpClient(port))
        {
            final RawHttpClient.Response served = client.send(RawHttpClient.get("/shm/", port));
            assertEquals(200, served.status(), served::toString);
            assertEquals("Hello, World!", served.bodyText());
        }
    }

    @Test
    void shouldDrainRestOfBodyAfterEarlyResponseAndServeNextRequest() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(port))
        {
            client.write(RawHttpClient.concat(upload("/early/early", 100), new byte[10]));
            final RawHttpClient.Response early = client.readResponse(false);
            assertEquals(200, early.status(), early::toString);
            assertEquals("early", early.bodyText());

            client.write(new byte[90]);
            final RawHttpClient.Response next = client.send(RawHttpClient.get("/early/", port));
            assertEquals(200, next.status(), next::toString);
            assertEquals("ok", next.bodyText());
        }
        assertEquals(2, LimitsHandler.REQUESTS.get());
    }

    @Test
    void shouldCloseWhenRestOfBodyIsNotDrainedInTime() throws IOException
    {
        // the early queue has no entity body timer: only the drain timer can end this connection
        try (RawHttpClient client = new RawHttpClient(port))
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
        final RequestQueue queue = listener.listener().queue("stuck");
        try (RawHttpClient client = new RawHttpClient(port))
        {
            final RawHttpClient.Response refused = client.send(RawHttpClient.get("/stuck/", port));

            assertEquals(503, refused.status(), refused::toString);
            assertEquals("service unavailable: request waited too long in the queue\n", refused.bodyText());
            assertEquals(null, refused.header("connection"));
            assertEquals(0, queue.length());

            // the connection is still good: a request to another queue on it is served
            final RawHttpClient.Response served = client.send(RawHttpClient.get("/inproc/", port));
            assertEquals(200, served.status(), served::toString);
        }
    }

    @Test
    void shouldCutOffClientThatStopsReadingLargeResponse() throws Exception
    {
        final int length = 16 * MIB;
        // earlier tests' connections are closed by the idle timer at the latest
        Await.value(0, () -> listener.listener().connections().openCount(), CLOSE_WAIT_MS);
        try (Socket socket = new Socket())
        {
            // a small receive window, so the kernel cannot take the whole response off the listener's hands
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port), CLOSE_WAIT_MS);
            socket.getOutputStream().write(RawHttpClient.get("/inproc/big?mib=16", port));
            Await.value(1, LimitsHandler.REQUESTS::get, CLOSE_WAIT_MS);

            // never reading: the listener closes the connection once a window passes with nothing taken
            Await.value(0, () -> listener.listener().connections().openCount(), 10_000);

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
            "POST", target, RawHttpClient.LOOPBACK_ADDRESS + ":" + port,
            "Content-Type: application/x", "Content-Length: " + contentLength);
    }
}
