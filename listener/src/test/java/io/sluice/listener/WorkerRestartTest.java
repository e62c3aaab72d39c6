package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shared-memory worker killed with SIGKILL is noticed, restarted as a new process, and the queue serves again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerRestartTest
{

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long RESTART_TIMEOUT_MS = 30_000;

    /**
     * @param loops the listener's event loops: every shared-memory worker serves one lane per loop.
     * @return the configuration.
     */
    private static String config(final int loops)
    {
        return TestConfig.listener()
            .listener("eventLoops", loops)
            .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
            .yaml();
    }

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @ParameterizedTest(name = "{0} event loop(s)")
    @ValueSource(ints = { 1, 4 })
    void shouldRestartKilledSharedMemoryWorkerAndServeAgain(final int loops) throws Exception
    {
        listener = LISTENERS.start("restart", config(loops));
        listener.assertReady(READY_TIMEOUT_MS, "/shm/");

        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final long oldPid = supervisor.pid(0);
        assertTrue(oldPid > 0, "worker pid: " + oldPid);
        final Optional<ProcessHandle> worker = ProcessHandle.of(oldPid);
        assertTrue(worker.isPresent(), "no process " + oldPid);

        assertTrue(worker.get().destroyForcibly(), "SIGKILL not delivered to " + oldPid);
        worker.get().onExit().get(10, TimeUnit.SECONDS);

        final long newPid = awaitNewPid(supervisor, oldPid);
        assertNotEquals(oldPid, newPid);
        assertTrue(ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false), "new worker not alive");

        final RawHttpClient.Response served = listener.awaitOk("/shm/", RESTART_TIMEOUT_MS);
        assertNotNull(served, "no response from /shm/ after the restart");
        assertEquals(200, served.status(), served::toString);
        assertEquals("text/plain", served.header("content-type"), served::toString);
        assertEquals("Hello, World!", served.bodyText());
        assertEquals(newPid, supervisor.pid(0), "worker restarted more than once");
    }

    private static long awaitNewPid(final WorkerSupervisor supervisor, final long oldPid) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESTART_TIMEOUT_MS);
        long pid = supervisor.pid(0);
        while ((pid <= 0 || pid == oldPid) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(20);
            pid = supervisor.pid(0);
        }
        assertTrue(pid > 0 && pid != oldPid,
            "no new worker within " + RESTART_TIMEOUT_MS + " ms: pid(0)=" + pid + ", old=" + oldPid);
        return pid;
    }
}
