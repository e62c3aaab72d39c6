package io.sluice.listener;

import io.sluice.listener.RawHttpClient.Received;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker's doorbell socket is reachable by the worker, which may be hostile: {@link HostileWorker}, attached, opens
 * 500 more doorbell connections that never send a token and one that sends its token again
 * ({@code /raw/doorbell-flood}). The listener holds at most one connection waiting for a token per slot, for a short
 * deadline, and none once the worker is attached: every extra connection is closed (the worker reads end-of-file),
 * the listener's own descriptors stay bounded (the listener runs in this JVM), the duplicate token attaches nothing
 * (the worker keeps serving, not failed), and another queue's worker keeps answering throughout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DoorbellFloodTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.sharedMemory("raw", HostileWorker.class)
            .worker("command", "${COMMAND}")
            .worker("shutdownTimeLimit", "1s")
            .worker("requestTimeout", "30s"))
        .queue(TestConfig.sharedMemory("bystander", HostileWorker.class)
            .worker("command", "${COMMAND}")
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 30_000;
    private static final int FLOOD_READ_TIMEOUT_MS = 40_000;
    private static final int FLOOD_CONNECTIONS = 500;
    private static final long DESCRIPTOR_SLACK = 50;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass(
        "doorbell-flood", CONFIG.replace("${COMMAND}", TestListener.workerCommand(HostileWorker.class)));

    @BeforeAll
    static void awaitWorkers() throws Exception
    {
        assertEquals(200, LISTENER.get().awaitOk("/raw/good", READY_TIMEOUT_MS).status());
        assertEquals(200, LISTENER.get().awaitOk("/bystander/good", READY_TIMEOUT_MS).status());
    }

    @Test
    void shouldCloseExtraDoorbellConnectionsAndKeepServing() throws Exception
    {
        final SharedMemoryHost host = (SharedMemoryHost)LISTENER.listener().host("raw");
        final long failedBefore = host.failedWorkerCount();
        final long pid = LISTENER.get().supervisor("raw").pid(0);
        final long bystanderPid = LISTENER.get().supervisor("bystander").pid(0);
        final long descriptorsBefore = openDescriptors();

        final CompletableFuture<Received> flood = CompletableFuture.supplyAsync(() -> floodExchange());
        assertEquals(bystanderPid + "\n", good("/bystander/"), "the bystander answers during the flood");
        final Received received = flood.get(FLOOD_READ_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);

        assertTrue(received.text().startsWith("HTTP/1.1 200 "), String.valueOf(received));
        assertTrue(received.text().endsWith("closed=" + FLOOD_CONNECTIONS + " duplicate=closed"),
            "every extra doorbell connection closed by the listener: " + received);
        // the worker still holds its ends of all of them open
        final long descriptorsAfter = openDescriptors();
        assertTrue(descriptorsAfter - descriptorsBefore < DESCRIPTOR_SLACK,
            "listener descriptors bounded: " + descriptorsBefore + " -> " + descriptorsAfter);
        assertEquals(pid + "\n", good("/raw/"), "the attached worker keeps serving");
        assertEquals(pid, LISTENER.get().supervisor("raw").pid(0), "not replaced");
        assertEquals(failedBefore, host.failedWorkerCount(), "not failed");
        assertEquals(bystanderPid + "\n", good("/bystander/"));
    }

    private static Received floodExchange()
    {
        try
        {
            return RawHttpClient.exchange(
                LISTENER.port(), RawHttpClient.get("/raw/doorbell-flood", LISTENER.port()),
                FLOOD_READ_TIMEOUT_MS, 1_000);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static long openDescriptors() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    /**
     * @return the body of the first 200 for {@code GET <queue>good}: the PID of the worker that served it.
     */
    private static String good(final String queue) throws Exception
    {
        final RawHttpClient.Response response = LISTENER.get().awaitOk(queue + "good", READY_TIMEOUT_MS);
        assertEquals(200, response.status(), String.valueOf(response));
        return response.bodyText();
    }
}
