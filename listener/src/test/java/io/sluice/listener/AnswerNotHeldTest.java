package io.sluice.listener;

import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A finished answer is never held hostage (docs/shared-memory-protocol.md, "Waking the other side"): a shared-memory
 * worker answers one client's request and, in the same read batch, its dispatch thread blocks in a slow handler for
 * another. The first answer must reach its client while the slow one is still outstanding, not when the handler
 * returns. The worker is stopped while both requests are written, so that it takes both in one batch.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AnswerNotHeldTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class))
        .yaml();

    private static final String SILENT_CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("silent", DeliveryHandler.class)
            .worker("command", "${COMMAND}")
            .worker("requestTimeout", "5s"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long PAUSE_MS = 3_000;
    private static final long MIN_LEAD_MS = PAUSE_MS / 2;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @Test
    void shouldDeliverAnswerWhileDispatchThreadIsBlockedInAnotherHandler() throws Exception
    {
        listener = LISTENERS.start("answer-not-held", CONFIG);
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final long pid = supervisor.pid(0);
        final int port = listener.port();

        try (RawHttpClient quick = new RawHttpClient(port); RawHttpClient slow = new RawHttpClient(port))
        {
            WorkerSignals.signal("STOP", pid);
            WorkerSignals.awaitStopped(pid);
            quick.write(RawHttpClient.get("/shm/", port));
            awaitQueueLength(1);
            slow.write(RawHttpClient.get("/shm/pause?ms=" + PAUSE_MS, port));
            awaitQueueLength(2);
            WorkerSignals.signal("CONT", pid);

            final RawHttpClient.Response quickResponse = quick.readResponse(false);
            final long quickNs = System.nanoTime();
            final RawHttpClient.Response slowResponse = slow.readResponse(false);
            final long slowNs = System.nanoTime();

            assertEquals(200, quickResponse.status(), quickResponse::toString);
            assertEquals(DeliveryHandler.HELLO, quickResponse.bodyText());
            assertEquals(200, slowResponse.status(), slowResponse::toString);
            assertEquals("paused", slowResponse.bodyText());
            final long leadMs = TimeUnit.NANOSECONDS.toMillis(slowNs - quickNs);
            assertTrue(leadMs >= MIN_LEAD_MS,
                "the quick answer arrived only " + leadMs + " ms before the slow one (handler blocked " + PAUSE_MS +
                " ms): it was held until the slow handler returned");
        }
    }

    /**
     * The safety net: a worker that commits its answers and never wakes the listener ({@link SilentWorker}) still has
     * them delivered by the listener's timer (period 625 ms here), before the request timeout (5 s: 504).
     */
    @Test
    void shouldDeliverAnswersOfWorkerThatNeverWakesTheListener() throws Exception
    {
        final String command = TestListener.workerCommand(SilentWorker.class);
        listener = LISTENERS.start("answer-not-held-silent", SILENT_CONFIG.replace("${COMMAND}", command));
        final RawHttpClient.Response first = listener.awaitOk("/silent/", READY_TIMEOUT_MS);
        assertEquals(200, first.status(), first::toString);
        final int port = listener.port();
        for (int i = 0; i < 3; i++)
        {
            try (RawHttpClient client = new RawHttpClient(port))
            {
                final RawHttpClient.Response response = client.send(RawHttpClient.get("/silent/", port));
                assertEquals(200, response.status(), response::toString);
                assertEquals(SilentWorker.BODY, response.bodyText());
            }
        }
    }

    private void awaitQueueLength(final int length) throws InterruptedException
    {
        assertEquals(length, listener.awaitQueueLength("shm", length), "requests admitted");
        // admitted on the event loop as it read them; the ring write is in the same turn, give it that turn
        Thread.sleep(50);
    }
}
