package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rapid-fail protection (WAS semantics): a queue whose worker exits as soon as it starts is stopped after
 * {@code rapidFailsPerMinute} failures and answers 503 at once from then on, while the listener's other queues — one
 * in-process, one on a healthy shared-memory worker — answer every request meanwhile, without stalls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RapidFailTest
{
    private static final int RAPID_FAILS_PER_MINUTE = 3;
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .queue(TestConfig.sharedMemory("broken", SampleHandler.class)
            .command("/bin/sh", "-c", "sleep 1; exit 1")
            .worker("startupRetryCount", 100)
            .worker("rapidFailsPerMinute", 3))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long STOP_TIMEOUT_MS = 20_000;
    // loose on purpose: a stall of the healthy queues would be seconds (a worker restart, a blocked event loop)
    private static final long HEALTHY_LATENCY_LIMIT_MS = 1_000;
    private static final long REFUSAL_LATENCY_LIMIT_MS = 1_000;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @Test
    void shouldStopCrashingQueueWith503WhileOtherQueuesKeepServing() throws Exception
    {
        listener = LISTENERS.start("rapid-fail", CONFIG);
        assertEquals(200, listener.awaitOk("/inproc/", READY_TIMEOUT_MS).status());
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor healthy = listener.supervisor("shm");
        final long healthyPid = healthy.pid(0);

        final HealthyLoad load = new HealthyLoad(listener.port());
        final Thread loadThread = new Thread(load, "healthy-load");
        loadThread.start();
        final WorkerSupervisor broken = listener.supervisor("broken");
        final RawHttpClient waiting = new RawHttpClient(listener.port());
        final RawHttpClient.Response waited;
        try
        {
            waiting.write(RawHttpClient.get("/broken/", listener.port()));
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS);
            while (!broken.isQueueStopped() && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(10);
            }
            assertTrue(broken.isQueueStopped(), "the crashing queue was not stopped");
            waited = waiting.readResponse(false);
        }
        finally
        {
            waiting.close();
        }
        final int servedWhileCrashing = load.latenciesMs.size();

        final long refusalStartNs = System.nanoTime();
        final RawHttpClient.Response refused;
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            refused = client.send(RawHttpClient.get("/broken/", listener.port()));
        }
        final long refusalMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - refusalStartNs);
        Thread.sleep(300);
        load.running.set(false);
        loadThread.join(10_000);

        final List<Long> latencies = new ArrayList<>(load.latenciesMs);
        Collections.sort(latencies);
        System.out.printf("rapid fail: queue stopped, 503 in %d ms; healthy queues: %d requests while it crashed, " +
            "%d in all, p50 %d ms, max %d ms, failures %s%n",
            refusalMs, servedWhileCrashing, latencies.size(), latencies.get(latencies.size() / 2),
            latencies.get(latencies.size() - 1), load.failures);
        assertEquals(503, waited.status(), "a request waiting for the crashing worker: " + waited);
        assertEquals(503, refused.status(), refused::toString);
        assertTrue(servedWhileCrashing > 10, "healthy requests while the queue crashed: " + servedWhileCrashing);
        assertTrue(refusalMs <= REFUSAL_LATENCY_LIMIT_MS, "503 took " + refusalMs + " ms");
        assertEquals(List.of(), load.failures);
        assertTrue(latencies.size() > 10, "too few healthy requests: " + latencies.size());
        assertTrue(latencies.get(latencies.size() - 1) <= HEALTHY_LATENCY_LIMIT_MS,
            "a healthy request took " + latencies.get(latencies.size() - 1) + " ms");
        assertEquals(healthyPid, healthy.pid(0), "the healthy worker was restarted");
        assertTrue(!healthy.isQueueStopped());
    }

    /**
     * One connection per healthy queue, alternating requests between them for as long as it runs.
     */
    private static final class HealthyLoad implements Runnable
    {
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final int port;

        HealthyLoad(final int port)
        {
            this.port = port;
        }

        public void run()
        {
            try (RawHttpClient inproc = new RawHttpClient(port); RawHttpClient shm = new RawHttpClient(port))
            {
                for (int i = 0; running.get(); i++)
                {
                    final boolean toShm = (i & 1) == 1;
                    final long startNs = System.nanoTime();
                    final RawHttpClient.Response response = (toShm ? shm : inproc).send(
                        RawHttpClient.get(toShm ? "/shm/" : "/inproc/", port));
                    latenciesMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                    if (response.status() != 200)
                    {
                        failures.add((toShm ? "shm: " : "inproc: ") + response);
                    }
                    Thread.sleep(1);
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                failures.add(ex.toString());
            }
        }
    }
}
