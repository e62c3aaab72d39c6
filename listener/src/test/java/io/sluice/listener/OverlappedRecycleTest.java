package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.process.WorkerStatus;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.Host;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overlapped recycling (IIS overlapped recycle) with real worker processes over real sockets, in both out-of-process
 * models: the replacement is started and ready before the old worker stops taking requests, the old one finishes what
 * it holds and exits, and no request of a continuous keep-alive load is refused, failed or lost. Each trigger: asked
 * ({@link Host#recycle}), by request count, by age on an injected clock, by resident memory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OverlappedRecycleTest
{
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long RECYCLE_TIMEOUT_MS = 30_000;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private static String config(final String model, final String recycle)
    {
        final TestConfig.Queue queue = "shm".equals(model) ?
            TestConfig.sharedMemory("q", SampleHandler.class) : TestConfig.loopback("q", SampleHandler.class);
        queue.worker("shutdownTimeLimit", "10s");
        if (null != recycle)
        {
            queue.worker("recycle", recycle);
        }
        return TestConfig.listener().listener("bind", "127.0.0.1").queue(queue).yaml();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "shm", "loopback" })
    void shouldRecycleUnderContinuousLoadWithoutLosingARequest(final String model) throws Exception
    {
        final TestListener listener = LISTENERS.start("recycle-load", config(model, null));
        listener.assertReady(READY_TIMEOUT_MS, "/q/");
        final WorkerSupervisor supervisor = listener.supervisor("q");
        final Host host = listener.listener().host("q");

        final KeepAliveLoad load = new KeepAliveLoad(listener.port(), "/q/", 8);
        load.start();
        awaitAnswers(load, 200);
        long pid = supervisor.pid(0);
        for (int round = 0; round < 3; round++)
        {
            final long before = load.answered();
            host.recycle("test round " + round);
            final long next = awaitNewPid(supervisor, pid);
            awaitExit(pid);
            pid = next;
            awaitAnswers(load, before + 200);
        }
        load.stop();

        assertTrue(load.answered() > 600, load::summary);
        assertEquals(0, load.wrongAnswers(), load::summary);
        assertEquals(0, load.connectionFailures(), load::summary);
        assertEquals(Map.of(200, load.answered()), load.statuses(), load::summary);
        final List<WorkerStatus> workers = supervisor.workers();
        assertEquals(3, workers.get(0).recycles(), workers::toString);
        assertEquals(0, workers.get(0).restarts(), workers::toString);
        assertEquals(pid, workers.get(0).pid(), workers::toString);
        assertEquals(1, supervisor.pids().size(), () -> "only the last worker runs: " + supervisor.pids());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "shm", "loopback" })
    void shouldRecycleAWorkerGivenRecycleRequests(final String model) throws Exception
    {
        final TestListener listener = LISTENERS.start("recycle-requests", config(model, "{ requests: 40 }"));
        listener.assertReady(READY_TIMEOUT_MS, "/q/");
        final WorkerSupervisor supervisor = listener.supervisor("q");
        final long pid = supervisor.pid(0);

        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            for (int i = 0; i < 30; i++)
            {
                assertEquals(200, client.send(RawHttpClient.get("/q/", listener.port())).status());
            }
            Thread.sleep(3 * WorkerSupervisor.LIFETIME_CHECK_MS);
            assertEquals(pid, supervisor.pid(0), "recycled before recycle.requests");
            for (int i = 0; i < 20; i++)
            {
                assertEquals(200, client.send(RawHttpClient.get("/q/", listener.port())).status());
            }
        }
        final long next = awaitNewPid(supervisor, pid);
        awaitExit(pid);
        assertEquals(200, listener.awaitOk("/q/", READY_TIMEOUT_MS).status());
        assertEquals(next, supervisor.pid(0));
        assertEquals(1, supervisor.workers().get(0).recycles());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "shm", "loopback" })
    void shouldRecycleAWorkerThatRanRecycleTime(final String model) throws Exception
    {
        final ManualNanoClock clock = new ManualNanoClock();
        final TestListener listener = LISTENERS.start("recycle-time", config(model, "{ time: 2h }"), clock);
        listener.assertReady(READY_TIMEOUT_MS, "/q/");
        final WorkerSupervisor supervisor = listener.supervisor("q");
        final long pid = supervisor.pid(0);

        clock.advanceMs(TimeUnit.MINUTES.toMillis(119));
        Thread.sleep(3 * WorkerSupervisor.LIFETIME_CHECK_MS);
        assertEquals(pid, supervisor.pid(0), "recycled before recycle.time");

        clock.advanceMs(TimeUnit.MINUTES.toMillis(1));
        final long next = awaitNewPid(supervisor, pid);
        awaitExit(pid);
        assertEquals(200, listener.awaitOk("/q/", READY_TIMEOUT_MS).status());
        assertEquals(next, supervisor.pid(0));
        assertEquals(1, supervisor.workers().get(0).recycles());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "shm", "loopback" })
    void shouldRecycleAWorkerPastRecycleMemory(final String model) throws Exception
    {
        // any JVM worker's resident memory is past 1 MiB: it is recycled as soon as it is ready, again and again
        final TestListener listener = LISTENERS.start("recycle-memory", config(model, "{ memory: 1m }"));
        listener.assertReady(READY_TIMEOUT_MS, "/q/");
        final WorkerSupervisor supervisor = listener.supervisor("q");
        final long pid = supervisor.pid(0);

        awaitNewPid(supervisor, pid);
        awaitExit(pid);
        assertEquals(200, listener.awaitOk("/q/", READY_TIMEOUT_MS).status());
        assertTrue(supervisor.workers().get(0).recycles() >= 1);
        assertEquals(0, supervisor.workers().get(0).restarts());
        assertFalse(supervisor.isQueueStopped());
    }

    private static void awaitAnswers(final KeepAliveLoad load, final long count) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECYCLE_TIMEOUT_MS);
        while (load.answered() < count && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        assertTrue(load.answered() >= count, load::summary);
    }

    private static long awaitNewPid(final WorkerSupervisor supervisor, final long oldPid) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECYCLE_TIMEOUT_MS);
        long pid = supervisor.pid(0);
        while ((pid <= 0 || pid == oldPid) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
            pid = supervisor.pid(0);
        }
        assertTrue(pid > 0, "no worker");
        assertNotEquals(oldPid, pid, "not recycled within " + RECYCLE_TIMEOUT_MS + " ms");
        return pid;
    }

    private static void awaitExit(final long pid) throws Exception
    {
        final ProcessHandle old = ProcessHandle.of(pid).orElse(null);
        if (null != old)
        {
            old.onExit().get(RECYCLE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }
}
