package io.sluice.listener;

import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shared-memory worker that sends a response body past its credit breaks the protocol: the listener sends none of
 * the excess to the client (the request is answered 502, or its connection closed once the head is out), kills the
 * worker and starts a replacement, which serves the next request. The worker ({@link CreditIgnoringWorker}) is
 * written against the protocol document, with the queue's window at its least (4 KiB) so its first 32 KiB chunk is
 * already past it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CreditViolationTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("adminPort", "${ADMIN_PORT}")
        .queue(TestConfig.sharedMemory("shm", CreditIgnoringWorker.class)
            .set("responseWindow", "4k")
            .worker("command", "${COMMAND}")
            .worker("shutdownTimeLimit", "1s")
            .worker("rapidFailsPerMinute", 100))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @Test
    void shouldFailAndReplaceWorkerThatSendsPastItsCreditAndNeverRelayTheExcess() throws Exception
    {
        final int adminPort = TestListener.freePort();
        listener = LISTENERS.start("credit-violation", CONFIG
            .replace("${COMMAND}", TestListener.workerCommand(CreditIgnoringWorker.class))
            .replace("${ADMIN_PORT}", Integer.toString(adminPort)));
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("shm");
        final long pid = supervisor.pid(0);

        final String response;
        try (Socket socket = new Socket(RawHttpClient.LOOPBACK_ADDRESS, listener.port()))
        {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(RawHttpClient.get("/shm/greedy", listener.port()));
            response = readUntilClosed(socket.getInputStream());
        }

        final int headEnd = response.indexOf("\r\n\r\n");
        assertTrue(headEnd > 0, "no response head: " + response.length() + " bytes");
        final String head = response.substring(0, headEnd);
        final int bodyLength = response.length() - headEnd - 4;
        if (head.startsWith("HTTP/1.1 200 "))
        {
            // the head went out before the first chunk broke the credit: the connection is closed, the body cut
            assertTrue(head.toLowerCase().contains("content-length: " + CreditIgnoringWorker.GREEDY_LENGTH), head);
            assertTrue(bodyLength <= 4096, "body bytes relayed past the 4 KiB window: " + bodyLength);
        }
        else
        {
            assertTrue(head.startsWith("HTTP/1.1 502 "), head);
        }

        final long replacement = WorkerSignals.awaitNewPid(supervisor, pid);
        assertNotEquals(pid, replacement);
        assertEquals(1, host.failedWorkerCount());
        final String metrics = metrics(adminPort);
        assertTrue(metrics.contains("sluice_queue_failed_workers_total{queue=\"shm\"} 1\n"), metrics);
        assertTrue(metrics.contains("sluice_queue_response_bytes_outstanding{queue=\"shm\"} 0\n"), metrics);
        final RawHttpClient.Response next = listener.awaitOk("/shm/", READY_TIMEOUT_MS);
        assertEquals(200, next.status());
        assertEquals(Long.toString(replacement), new String(next.body(), StandardCharsets.US_ASCII));
    }

    private static String metrics(final int adminPort) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/metrics", adminPort));
            assertEquals(200, response.status(), response::toString);
            return response.bodyText();
        }
    }

    private static String readUntilClosed(final InputStream in) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] buffer = new byte[8192];
        try
        {
            int n;
            while ((n = in.read(buffer)) >= 0)
            {
                bytes.write(buffer, 0, n);
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("connection still open after " + bytes.size() + " bytes", ex);
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
