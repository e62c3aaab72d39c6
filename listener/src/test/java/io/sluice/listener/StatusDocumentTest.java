package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin port's status document ({@code GET /status}) against a listener serving all three models with real
 * workers: its queues and states, and workers whose pids are the processes actually running, ready, with the
 * requests they were given.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusDocumentTest
{
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final Pattern WORKER = Pattern.compile(
        "\\{\"position\": (\\d+), \"slot\": (\\d+), \"pid\": (-?\\d+), \"state\": \"(\\w+)\", \"uptimeMs\": (\\d+), " +
        "\"requests\": (\\d+), \"restarts\": (\\d+), \"recycles\": (\\d+)}");

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @Test
    void shouldListQueuesAndTheRunningWorkersWithTheirPids() throws Exception
    {
        final int adminPort = TestListener.freePort();
        // an earlier test's worker may still be on its way out: only the processes started from here on count
        final Set<Long> earlier = new HashSet<>(childWorkers());
        final TestListener listener = LISTENERS.start("status", TestConfig.listener()
            .listener("bind", "127.0.0.1")
            .listener("adminPort", adminPort)
            .queue(TestConfig.inProcess("inproc", SampleHandler.class))
            .queue(TestConfig.sharedMemory("shm", SampleHandler.class).worker("processes", 2))
            .queue(TestConfig.loopback("loopback", SampleHandler.class))
            .yaml());
        listener.assertReady(READY_TIMEOUT_MS, "/inproc/", "/shm/", "/loopback/");
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            for (int i = 0; i < 10; i++)
            {
                assertEquals(200, client.send(RawHttpClient.get("/shm/", listener.port())).status());
                assertEquals(200, client.send(RawHttpClient.get("/loopback/", listener.port())).status());
            }
        }
        // request counts are those of the last lifetime check (every LIFETIME_CHECK_MS): read until it has seen them
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        RawHttpClient.Response response = QueueOfflineTest.get(adminPort, "/status");
        while (requestsSum(response.bodyText()) < 20 && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(WorkerSupervisor.LIFETIME_CHECK_MS / 5);
            response = QueueOfflineTest.get(adminPort, "/status");
        }
        assertEquals(200, response.status(), response::toString);
        assertEquals("application/json", response.header("content-type"));
        final String status = response.bodyText();
        assertTrue(status.contains("\"pid\": " + ProcessHandle.current().pid()), status);
        for (final String queue : List.of("inproc", "shm", "loopback"))
        {
            assertTrue(status.contains("\"" + queue + "\": {\"state\": \"online\", \"outstanding\": 0"), status);
        }

        final Set<Long> documented = new HashSet<>();
        final List<Long> requests = new ArrayList<>();
        final Matcher worker = WORKER.matcher(status);
        while (worker.find())
        {
            final long pid = Long.parseLong(worker.group(3));
            assertEquals("ready", worker.group(4), status);
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "no process " + pid);
            assertTrue(Long.parseLong(worker.group(5)) > 0, status);
            assertEquals("0", worker.group(7), status);
            documented.add(pid);
            requests.add(Long.parseLong(worker.group(6)));
        }
        final Set<Long> running = new HashSet<>(listener.supervisor("shm").pids());
        running.addAll(listener.supervisor("loopback").pids());
        assertEquals(3, running.size(), running::toString);
        assertEquals(running, documented, status);
        final Set<Long> children = new HashSet<>(childWorkers());
        children.removeAll(earlier);
        assertEquals(children, documented, "the documented pids are not the worker processes running");
        // the shm queue's 10 (and the readiness GET) went to its 2 workers, the loopback queue's to its one
        assertTrue(requests.stream().mapToLong(Long::longValue).sum() >= 20, requests::toString);
    }

    private static long requestsSum(final String status)
    {
        long sum = 0;
        final Matcher worker = WORKER.matcher(status);
        while (worker.find())
        {
            sum += Long.parseLong(worker.group(6));
        }
        return sum;
    }

    /**
     * @return the pids of the worker processes this JVM started that still run.
     */
    private static List<Long> childWorkers()
    {
        return ProcessHandle.current().children()
            .filter((p) -> p.info().commandLine().map((c) -> c.contains("WorkerMain")).orElse(false))
            .map(ProcessHandle::pid)
            .toList();
    }
}
