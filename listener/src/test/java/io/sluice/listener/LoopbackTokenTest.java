package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loopback worker's own server serves only the listener: a request reaching it directly, without the
 * {@code Sluice-Token} the listener gave the worker (read here from the worker's {@code /proc/<pid>/environ}), is
 * refused with 400.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class LoopbackTokenTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.loopback("loopback", SampleHandler.class))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final String REFUSAL = "bad request: missing or wrong Sluice-Token\n";

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;
    private int workerPort;
    private String workerToken;

    @BeforeEach
    void startListenerAndFindWorker() throws Exception
    {
        listener = LISTENERS.start("loopback-token", CONFIG);
        final WorkerSupervisor supervisor = listener.supervisor("loopback");
        assertNotNull(supervisor, "LoopbackHost.supervisor() returned null");

        final long pid = awaitPid(supervisor);
        final Map<String, String> environment = WorkerSignals.environmentOf(pid);
        assertNotNull(environment.get("SLUICE_PORT"), "SLUICE_PORT not in the environment of worker " + pid);
        assertNotNull(environment.get("SLUICE_TOKEN"), "SLUICE_TOKEN not in the environment of worker " + pid);
        workerPort = Integer.parseInt(environment.get("SLUICE_PORT"));
        workerToken = environment.get("SLUICE_TOKEN");
        awaitListening(workerPort);
    }

    @Test
    void shouldRefuseRequestWithoutToken() throws IOException
    {
        final RawHttpClient.Response response = sendToWorker();

        assertEquals(400, response.status(), response::toString);
        assertEquals("text/plain", response.header("content-type"), response::toString);
        assertEquals(REFUSAL, response.bodyText());
    }

    @Test
    void shouldRefuseRequestWithWrongToken() throws IOException
    {
        final String wrongToken = (workerToken.charAt(0) == '0' ? "1" : "0") + workerToken.substring(1);
        assertNotEquals(workerToken, wrongToken);

        final RawHttpClient.Response response = sendToWorker("Sluice-Token: " + wrongToken);

        assertEquals(400, response.status(), response::toString);
        assertEquals("text/plain", response.header("content-type"), response::toString);
        assertEquals(REFUSAL, response.bodyText());
    }

    @Test
    void shouldRefuseRequestWithEmptyToken() throws IOException
    {
        final RawHttpClient.Response response = sendToWorker("Sluice-Token: ");

        assertEquals(400, response.status(), response::toString);
        assertEquals(REFUSAL, response.bodyText());
    }

    @Test
    void shouldServeRequestWithRightToken() throws IOException
    {
        // The control: the same request with the listener's token is served, so the 400s above are the token check.
        final RawHttpClient.Response response = sendToWorker("Sluice-Token: " + workerToken);

        assertEquals(200, response.status(), response::toString);
        assertEquals("Hello, World!", response.bodyText());
    }

    private RawHttpClient.Response sendToWorker(final String... headerLines) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(workerPort))
        {
            return client.send(RawHttpClient.request(
                "GET", "/loopback/", RawHttpClient.LOOPBACK_ADDRESS + ":" + workerPort, headerLines));
        }
    }

    private static long awaitPid(final WorkerSupervisor supervisor) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        long pid = supervisor.pid(0);
        while (pid <= 0 && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(20);
            pid = supervisor.pid(0);
        }
        assertTrue(pid > 0, "no loopback worker within " + READY_TIMEOUT_MS + " ms");
        return pid;
    }

    private static void awaitListening(final int port) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (true)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port), 1_000);
                return;
            }
            catch (final IOException ex)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0,
                    "loopback worker not listening on " + port + " within " + READY_TIMEOUT_MS + " ms: " + ex);
                Thread.sleep(20);
            }
        }
    }
}
