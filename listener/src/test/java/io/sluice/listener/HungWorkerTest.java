package io.sluice.listener;

import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shared-memory worker whose dispatch thread is stuck (it stops reading its ring and its heartbeat stops) is found
 * hung within the heartbeat timeout, killed and replaced; what it was doing gets 502 (a POST is never retried), what
 * waited unread in its ring is served by the replacement. A worker that merely sleeps (idle) is left alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HungWorkerTest
{
    private static final long HEARTBEAT_TIMEOUT_MS = 1_000;

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long RESTART_TIMEOUT_MS = 30_000;
    // the timer looks every heartbeatTimeout / 4; a worker hung since just after a look is found within two looks
    private static final long DETECTION_LIMIT_MS = HEARTBEAT_TIMEOUT_MS + HEARTBEAT_TIMEOUT_MS / 2 + 2_000;

    @TempDir
    Path tempDir;

    /**
     * @param loops the listener's event loops: every shared-memory worker serves one lane per loop.
     * @return the configuration.
     */
    private static String config(final int loops)
    {
        return TestConfig.listener()
            .listener("eventLoops", loops)
            .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
                .worker("heartbeatTimeout", "1s")
                .worker("shutdownTimeLimit", "1s"))
            .yaml();
    }

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @ParameterizedTest(name = "{0} event loop(s)")
    @ValueSource(ints = { 1, 4 })
    void shouldKillAndReplaceHungWorkerAndServeWhatWaitedInItsRing(final int loops) throws Exception
    {
        listener = LISTENERS.start("hung", config(loops));
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final long pid = supervisor.pid(0);

        // idle for longer than the heartbeat timeout: asleep on its doorbell is not hung
        Thread.sleep(HEARTBEAT_TIMEOUT_MS + HEARTBEAT_TIMEOUT_MS / 2);
        assertEquals(pid, supervisor.pid(0), "an idle worker was killed");

        final int port = listener.port();
        final Path marker = tempDir.resolve("blocked");
        try (RawHttpClient blocked = new RawHttpClient(port);
            RawHttpClient waiting = new RawHttpClient(port))
        {
            blocked.write(RawHttpClient.request(
                "POST", "/shm/block?marker=" + marker, "127.0.0.1:" + port, "Content-Length: 0"));
            awaitFile(marker);
            final long hungNs = System.nanoTime();
            waiting.write(RawHttpClient.get("/shm/", port));

            final RawHttpClient.Response blockedResponse = blocked.readResponse(false);
            final long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hungNs);
            assertEquals(502, blockedResponse.status(), blockedResponse::toString);
            System.out.printf("hung worker found and killed %d ms after a request waited in its ring " +
                "(heartbeatTimeout %d ms)%n", detectedMs, HEARTBEAT_TIMEOUT_MS);
            assertTrue(detectedMs >= HEARTBEAT_TIMEOUT_MS, "killed before heartbeatTimeout: " + detectedMs + " ms");
            assertTrue(detectedMs <= DETECTION_LIMIT_MS, "found hung only after " + detectedMs + " ms");
            assertTrue(ProcessHandle.of(pid).map((p) -> !p.isAlive()).orElse(true), "hung worker still alive");

            final RawHttpClient.Response waitingResponse = waiting.readResponse(false);
            assertEquals(200, waitingResponse.status(), waitingResponse::toString);
            assertEquals(DeliveryHandler.HELLO, waitingResponse.bodyText());
        }

        final long newPid = WorkerSignals.awaitNewPid(supervisor, pid);
        assertNotEquals(pid, newPid);
        assertEquals(200, listener.awaitOk("/shm/", RESTART_TIMEOUT_MS).status());
    }

    private static void awaitFile(final Path marker) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(marker) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(marker), "the worker never started " + marker);
    }
}
