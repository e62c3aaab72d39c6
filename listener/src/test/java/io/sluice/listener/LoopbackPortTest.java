package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.hosting.loopback.LoopbackHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loopback worker's port trusts no one who has not proven to hold the token, in both directions:
 * <ul>
 *     <li>the listener sends the token and requests only to a process that answered its readiness challenge with the
 *     HMAC of the token: a process on the worker's port that cannot ({@link SquatterWorker}, the worker
 *     {@code command}, so that it owns the very port the listener gives the worker) never sees {@code Sluice-Token}
 *     nor a client's request, and the queue is never marked ready;</li>
 *     <li>the worker SDK closes a connection that has not carried the token after {@code worker.idleConnection} (it
 *     sent nothing) or {@code worker.headerWait} (it sent part of a head), keeps the listener's, and keeps at most
 *     {@code worker.maxConnections} open.</li>
 * </ul>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackPortTest
{
    private static final String SQUATTER_CONFIG = TestConfig.listener()
        .queue(TestConfig.loopback("loopback", SampleHandler.class)
            .timeout("queueWait", "2s")
            .command("${JAVA}", "-cp", "${CLASS_PATH}", "io.sluice.listener.SquatterWorker")
            .environment("SQUATTER_LOG", "${LOG_DIR}/squatter.log")
            .environment("SQUATTER_PROOF", "${PROOF}")
            .worker("startupTimeLimit", "30s")
            .worker("shutdownTimeLimit", "1s")
            .worker("stdoutLog", "${LOG_DIR}/squatter.out"))
        .yaml();

    private static final String WORKER_CONFIG = TestConfig.listener()
        .queue(TestConfig.loopback("loopback", SampleHandler.class)
            .worker("headerWait", "${HEADER_WAIT}")
            .worker("idleConnection", "${IDLE}")
            .worker("maxConnections", "${MAX_CONNECTIONS}"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CLOSE_WAIT_MS = 5_000;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @Test
    void shouldSendNeitherTokenNorTrafficToAPortSquatterThatGivesNoProof() throws Exception
    {
        shouldSendNeitherTokenNorTrafficToASquatter("none");
    }

    @Test
    void shouldSendNeitherTokenNorTrafficToAPortSquatterThatGivesAWrongProof() throws Exception
    {
        shouldSendNeitherTokenNorTrafficToASquatter("wrong");
    }

    @Test
    void shouldCloseTokenlessConnectionsAfterTheirTimersAndKeepTheListeners() throws Exception
    {
        startWorker("300ms", "300ms", "0");
        final int port = workerPort();
        final String token = WorkerSignals.environmentOf(listener.supervisor("loopback").pid(0)).get("SLUICE_TOKEN");

        try (RawHttpClient silent = new RawHttpClient(port);
            RawHttpClient halfHead = new RawHttpClient(port);
            RawHttpClient trusted = new RawHttpClient(port))
        {
            halfHead.write("GET /loopback/ HTTP/1.1\r\nHost: a");
            final RawHttpClient.Response served = trusted.send(RawHttpClient.request(
                "GET", "/loopback/", "127.0.0.1:" + port, "Sluice-Token: " + token));
            assertEquals(200, served.status(), served::toString);

            assertTrue(silent.isClosedByPeer(CLOSE_WAIT_MS), "a silent connection was kept past idleConnection");
            assertTrue(halfHead.isClosedByPeer(CLOSE_WAIT_MS), "half a head was kept past headerWait");
            assertFalse(trusted.isClosedByPeer(1_000), "a connection that carried the token was closed");
            assertEquals(200, trusted.send(RawHttpClient.request(
                "GET", "/loopback/", "127.0.0.1:" + port, "Sluice-Token: " + token)).status());
        }
        // and the listener's own connections still serve clients
        assertEquals(200, listener.awaitOk("/loopback/", READY_TIMEOUT_MS).status());
    }

    @Test
    void shouldCloseConnectionsPastTheCap() throws Exception
    {
        startWorker("30s", "30s", "3");
        final int port = workerPort();
        final List<RawHttpClient> open = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                open.add(new RawHttpClient(port));
            }
            for (final RawHttpClient client : open)
            {
                assertFalse(client.isClosedByPeer(200), "a connection under the cap was closed");
            }
            assertTrue(isRefused(port, CLOSE_WAIT_MS), "a 4th connection was kept past maxConnections: 3");

            // once one leaves (the worker sees it close a moment later), there is room again
            open.remove(0).close();
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
            while (isRefused(port, 500))
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "no room under the cap after a connection left");
            }
        }
        finally
        {
            for (final RawHttpClient client : open)
            {
                client.close();
            }
        }
    }

    private void shouldSendNeitherTokenNorTrafficToASquatter(final String proof) throws Exception
    {
        final String javaPath = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        listener = LISTENERS.start("loopback-squatter", SQUATTER_CONFIG
            .replace("${JAVA}", javaPath)
            .replace("${CLASS_PATH}", System.getProperty("java.class.path"))
            .replace("${PROOF}", proof));
        final Path log = listener.logDir().resolve("squatter.log");
        final LoopbackHost host = (LoopbackHost)listener.listener().host("loopback");
        // the squatter is a JVM of its own: it is probed once it has started, which may take longer than queueWait
        awaitProbe(log);

        // a client's request waits for a ready worker and, none being proven, gets 503 after queueWait
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/loopback/", listener.port()));
            assertNotEquals(200, response.status(), response::toString);
            assertEquals(503, response.status(), response::toString);
        }

        assertFalse(host.isReady(0), "the squatter was taken for the worker");
        assertTrue(Files.exists(log), "the squatter was never probed");
        final String seen = Files.readString(log, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        assertTrue(seen.contains("sluice-challenge: "), seen);
        assertFalse(seen.contains("sluice-token"), "the squatter received the token:\n" + seen);
        assertFalse(seen.contains("x-forwarded-for"), "the squatter received a client's request:\n" + seen);
    }

    private static void awaitProbe(final Path log) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (!(Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT)
            .contains("sluice-challenge: ")) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(log), "the squatter was never probed");
    }

    private void startWorker(final String headerWait, final String idle, final String maxConnections)
        throws InterruptedException
    {
        listener = LISTENERS.start("loopback-port", WORKER_CONFIG
            .replace("${HEADER_WAIT}", headerWait)
            .replace("${IDLE}", idle)
            .replace("${MAX_CONNECTIONS}", maxConnections));
        final LoopbackHost host = (LoopbackHost)listener.listener().host("loopback");
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (!host.isReady(0))
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "worker not ready in " + READY_TIMEOUT_MS + " ms");
            Thread.sleep(20);
        }
        // the probe's connection closes right after its answer
        Thread.sleep(200);
    }

    private int workerPort()
    {
        return ((LoopbackHost)listener.listener().host("loopback")).port(0);
    }

    private static boolean isRefused(final int port, final int waitMs)
    {
        try (RawHttpClient client = new RawHttpClient(port))
        {
            return client.isClosedByPeer(waitMs);
        }
        catch (final IOException ex)
        {
            // reset, at connect or at the first read
            return true;
        }
    }
}
