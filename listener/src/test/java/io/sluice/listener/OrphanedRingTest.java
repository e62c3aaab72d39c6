package io.sluice.listener;

import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A process a shared-memory worker left behind, still mapping the worker's ring file and writing records of an
 * unknown type into its response ring ({@link OrphaningWorker}), cannot harm the replacement: the replacement serves
 * with 200 for seconds and is never killed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OrphanedRingTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm")
            .worker("command", "${COMMAND}")
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 30_000;
    private static final long SERVE_MS = 3_000;
    private static final long LATE_SETTLE_MS = 2_500;
    private static final long REQUEST_INTERVAL_MS = 50;

    @TempDir
    Path tempDir;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;
    private Path marker;

    @AfterEach
    void killOrphan() throws Exception
    {
        if (null != marker && Files.exists(marker))
        {
            final long pid = Long.parseLong(Files.readString(marker, StandardCharsets.US_ASCII).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void shouldServeFromReplacementWhileOrphanOfDeadWorkerWritesIntoItsRing() throws Exception
    {
        start("");
        assertEquals(200, listener.awaitOk("/shm/good", READY_TIMEOUT_MS).status());
        assertReplacementServesUndisturbed();
    }

    @Test
    void shouldServeFromSecondReplacementWhenOrphanMapsRingOnlyAfterWorkerExited() throws Exception
    {
        // the orphan is not yet holding the file when its worker exits: the first replacement may be failed for its
        // records, and the orphan, holding the file by then, is killed when that replacement exits
        start(", \"late\"");
        assertEquals(200, listener.awaitOk("/shm/good", READY_TIMEOUT_MS).status());
        Thread.sleep(LATE_SETTLE_MS);
        assertEquals(200, listener.awaitOk("/shm/good", READY_TIMEOUT_MS).status());
        assertReplacementServesUndisturbed();
    }

    private void start(final String extraArguments)
    {
        marker = tempDir.resolve("orphan-pid");
        final String command = TestListener.workerCommand(OrphaningWorker.class);
        final String commandWithMarker =
            command.substring(0, command.length() - 2) + ", \"" + marker + "\"" + extraArguments + " ]";
        listener = LISTENERS.start("orphaned-ring", CONFIG.replace("${COMMAND}", commandWithMarker));
    }

    private void assertReplacementServesUndisturbed() throws Exception
    {
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final long pid = supervisor.pid(0);

        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SERVE_MS);
        while (System.nanoTime() - endNs < 0)
        {
            try (RawHttpClient client = new RawHttpClient(listener.port()))
            {
                final RawHttpClient.Response response = client.send(RawHttpClient.get("/shm/good", listener.port()));
                assertEquals(200, response.status());
                assertEquals(pid + "\n", new String(response.body(), StandardCharsets.US_ASCII));
            }
            Thread.sleep(REQUEST_INTERVAL_MS);
        }
        assertEquals(pid, supervisor.pid(0), "the replacement worker was killed");
    }
}
