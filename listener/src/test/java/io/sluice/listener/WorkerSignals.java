package io.sluice.listener;

import io.sluice.listener.process.WorkerSupervisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals to worker processes for the failure tests: kill, stop/continue, and waiting for their effect; and what a
 * worker process was started with.
 */
final class WorkerSignals
{
    private static final long RESTART_TIMEOUT_MS = 30_000;

    private WorkerSignals()
    {
    }

    static void kill(final long pid) throws Exception
    {
        final ProcessHandle worker = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        assertTrue(worker.destroyForcibly(), "SIGKILL not delivered to " + pid);
        worker.onExit().get(10, TimeUnit.SECONDS);
    }

    static void signal(final String signal, final long pid) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }

    /**
     * {@code kill} returns once SIGSTOP is queued; the threads stop only once one of them has taken the signal, and a
     * worker thread scheduled meanwhile can still take a request head off its ring (seen under load).
     */
    static void awaitStopped(final long pid) throws Exception
    {
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadlineNs < 0)
        {
            boolean stopped = true;
            try (var threads = Files.list(tasks))
            {
                for (final Path thread : (Iterable<Path>)threads::iterator)
                {
                    // "pid (comm) state ...": comm may hold spaces and parentheses
                    final String stat = Files.readString(thread.resolve("stat"));
                    final char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    stopped &= state == 'T' || state == 't';
                }
            }
            if (stopped)
            {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("worker " + pid + " did not stop");
    }

    static long awaitNewPid(final WorkerSupervisor supervisor, final long oldPid) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESTART_TIMEOUT_MS);
        long pid = supervisor.pid(0);
        while ((pid <= 0 || pid == oldPid) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
            pid = supervisor.pid(0);
        }
        assertNotEquals(oldPid, pid);
        assertTrue(pid > 0, "no new worker within " + RESTART_TIMEOUT_MS + " ms");
        return pid;
    }

    /**
     * The environment a process was started with, from {@code /proc/<pid>/environ}.
     *
     * @param pid the process.
     * @return its environment variables by name.
     * @throws IOException when the process is gone or not readable.
     */
    static Map<String, String> environmentOf(final long pid) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        final Map<String, String> environment = new HashMap<>();
        for (final String entry : new String(bytes, StandardCharsets.UTF_8).split("\0"))
        {
            final int equals = entry.indexOf('=');
            if (equals > 0)
            {
                environment.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return environment;
    }
}
