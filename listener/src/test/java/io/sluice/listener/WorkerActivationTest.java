package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.process.WorkerStatus;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Worker activation and idle stop (WAS semantics) with real worker processes over real sockets, in both out-of-process
 * models: {@code activation: on-demand} starts no worker until the first request, which waits for it and is answered;
 * {@code idleTimeout} stops the workers of a queue without requests (on an injected clock), and the next request
 * starts them again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerActivationTest
{
    private static final long ANSWER_TIMEOUT_MS = 30_000;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private static String config(final String model, final String activation, final String idleTimeout)
    {
        final TestConfig.Queue queue = "shm".equals(model) ?
            TestConfig.sharedMemory("q", SampleHandler.class) : TestConfig.loopback("q", SampleHandler.class);
        // a request timeout longer than the idle test moves its clock: a host timer stamps a request's start with the
        // clock it read last, which may be the one from before the move
        queue.worker("activation", activation).worker("idleTimeout", idleTimeout).worker("processes", 2)
            .worker("requestTimeout", "1h");
        return TestConfig.listener().listener("bind", "127.0.0.1").queue(queue).yaml();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "shm", "loopback" })
    void shouldStartNoWorkerBeforeTheFirstRequestAndAnswerIt(final String model) throws Exception
    {
        // an earlier test's worker may still be on its way out: only the processes started from here on count
        final Set<Long> earlier = childWorkers(Set.of()).stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        final TestListener listener = LISTENERS.start("on-demand", config(model, "on-demand", "0"));
        final WorkerSupervisor supervisor = listener.supervisor("q");
        Thread.sleep(3 * WorkerSupervisor.LIFETIME_CHECK_MS);
        assertEquals(List.of(), supervisor.pids(), "a worker started before any request");
        assertTrue(supervisor.isDormant());
        assertEquals(List.of(), childWorkers(earlier), "a worker process runs before any request");

        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            final RawHttpClient.Response first = client.send(RawHttpClient.get("/q/", listener.port()));
            assertEquals(200, first.status(), first::toString);
            assertEquals("Hello, World!", first.bodyText());
        }
        assertFalse(supervisor.isDormant());
        assertEquals(2, supervisor.pids().size(), () -> "workers: " + supervisor.pids());
        assertEquals(2, childWorkers(earlier).size(), () -> "worker processes: " + childWorkers(earlier));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "shm", "loopback" })
    void shouldStopIdleWorkersAndStartThemAgainOnTheNextRequest(final String model) throws Exception
    {
        final ManualNanoClock clock = new ManualNanoClock();
        final TestListener listener = LISTENERS.start("idle", config(model, "eager", "20m"), clock);
        listener.assertReady(ANSWER_TIMEOUT_MS, "/q/");
        final WorkerSupervisor supervisor = listener.supervisor("q");
        final List<Long> before = supervisor.pids();
        assertEquals(2, before.size(), before::toString);
        // the lifetime check counts the requests every LIFETIME_CHECK_MS: let it see the last one before time moves
        Thread.sleep(3 * WorkerSupervisor.LIFETIME_CHECK_MS);

        clock.advanceMs(TimeUnit.MINUTES.toMillis(19));
        Thread.sleep(3 * WorkerSupervisor.LIFETIME_CHECK_MS);
        assertEquals(before, supervisor.pids(), "stopped before idleTimeout");

        clock.advanceMs(TimeUnit.MINUTES.toMillis(2));
        awaitNoWorker(supervisor);
        for (final long pid : before)
        {
            final ProcessHandle worker = ProcessHandle.of(pid).orElse(null);
            if (null != worker)
            {
                worker.onExit().get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
        assertTrue(supervisor.isDormant());
        for (final WorkerStatus worker : supervisor.workers())
        {
            assertEquals(WorkerStatus.STOPPED, worker.state(), supervisor.workers()::toString);
            assertEquals(0, worker.restarts(), "an idle stop is no failure");
        }
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            final RawHttpClient.Response next = client.send(RawHttpClient.get("/q/", listener.port()));
            assertEquals(200, next.status(), next::toString);
            assertEquals("Hello, World!", next.bodyText());
        }
        final List<Long> after = supervisor.pids();
        assertEquals(2, after.size(), after::toString);
        for (final long pid : after)
        {
            assertFalse(before.contains(pid), () -> "not a new worker: " + after + " before " + before);
        }
        assertNotEquals(-1, supervisor.pid(0));
    }

    private static void awaitNoWorker(final WorkerSupervisor supervisor) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_TIMEOUT_MS);
        while (!allStopped(supervisor) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        assertEquals(List.of(), supervisor.pids());
        assertTrue(allStopped(supervisor), supervisor.workers()::toString);
    }

    private static boolean allStopped(final WorkerSupervisor supervisor)
    {
        for (final WorkerStatus worker : supervisor.workers())
        {
            if (!WorkerStatus.STOPPED.equals(worker.state()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param except the processes not to list: workers of earlier tests.
     * @return the worker processes this JVM started that still run (the listener's children running the worker
     * SDK), but those {@code except} names.
     */
    private static List<ProcessHandle> childWorkers(final Set<Long> except)
    {
        return ProcessHandle.current().children()
            .filter((p) -> !except.contains(p.pid()))
            .filter((p) -> p.info().commandLine().map((c) -> c.contains("WorkerMain")).orElse(false))
            .toList();
    }
}
