package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.dispatch.shm.CountersFileDescriptor;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.config.ConfigLoader;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A listener killed with SIGKILL (no shutdown hook runs): its workers notice — end-of-file on their doorbell and
 * standard input — and exit on their own; the shared-memory directory it leaves behind is replaced whole by the next
 * listener started on the same configuration.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerKilledTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .queue(TestConfig.loopback("loopback", SampleHandler.class))
        .yaml();

    private static final long WORKER_EXIT_LIMIT_MS = 5_000;
    private static final Set<String> SHM_FILES = Set.of(
        SharedMemoryFiles.MARKER_FILE_NAME,
        CountersFileDescriptor.COUNTERS_FILE_NAME,
        "shm-0",
        "shm-0/" + SharedMemoryFiles.MARKER_FILE_NAME,
        "shm-0/" + WorkerFileDescriptor.RINGS_FILE_NAME,
        "shm-0/" + WorkerFileDescriptor.DOORBELL_FILE_NAME,
        // the spare slot, where a recycled worker's replacement starts
        "shm-1",
        "shm-1/" + SharedMemoryFiles.MARKER_FILE_NAME,
        "shm-1/" + WorkerFileDescriptor.RINGS_FILE_NAME,
        "shm-1/" + WorkerFileDescriptor.DOORBELL_FILE_NAME);

    @Test
    void shouldLeaveNoWorkerRunningAndReplaceSharedMemoryWhenListenerIsKilled() throws Exception
    {
        try (ChildListener child = ChildListener.start("killed", CONFIG, "/shm/", "/loopback/"))
        {
            final List<ProcessHandle> workers = child.workers();
            assertEquals(2, workers.size(), "workers: " + workers);
            assertEquals(SHM_FILES, listing(child.shmDir()));

            child.process().destroyForcibly();
            assertTrue(child.process().waitFor(10, TimeUnit.SECONDS), "the listener survived SIGKILL");
            final long killedNs = System.nanoTime();
            final long exitedMs = awaitExit(workers, killedNs);
            System.out.printf("listener SIGKILLed: its %d workers exited within %d ms%n", workers.size(), exitedMs);

            // what the killed listener left behind (a file Sluice did not create would make the next start refuse the
            // directory: SharedMemoryDirectoryTest)
            assertTrue(Files.exists(child.shmDir().resolve("shm-0").resolve(WorkerFileDescriptor.RINGS_FILE_NAME)));

            final Listener next = new Listener(ConfigLoader.load(child.configFile())).start();
            try
            {
                assertEquals(SHM_FILES, listing(child.shmDir()));
                assertEquals(ProcessHandle.current().pid(), listenerPidInRings(child.shmDir()));
            }
            finally
            {
                next.close();
            }
            assertFalse(Files.exists(child.shmDir()), "the next listener left its shared memory behind on close");
        }
    }

    /**
     * Polls {@code /proc}: a worker whose listener died is nobody's child but init's, which may take a while to reap
     * it, and {@link ProcessHandle#isAlive()} counts an exited, unreaped process (a zombie) as alive.
     *
     * @return ms from {@code sinceNs} until the last worker had exited.
     */
    static long awaitExit(final List<ProcessHandle> workers, final long sinceNs) throws InterruptedException
    {
        final long deadlineNs = sinceNs + TimeUnit.MILLISECONDS.toNanos(WORKER_EXIT_LIMIT_MS);
        while (workers.stream().anyMatch(ListenerKilledTest::isRunning))
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "workers still running: " +
                workers.stream().filter(ListenerKilledTest::isRunning).toList());
            Thread.sleep(10);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNs);
    }

    private static boolean isRunning(final ProcessHandle process)
    {
        if (!process.isAlive())
        {
            return false;
        }
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ...", comm may hold spaces and parentheses
            final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static Set<String> listing(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            final Set<String> names = new TreeSet<>();
            paths.filter((path) -> !path.equals(dir)).forEach((path) -> names.add(dir.relativize(path).toString()));
            return names;
        }
    }

    private static long listenerPidInRings(final Path shmDir) throws IOException
    {
        final MappedByteBuffer mapped = SharedMemoryFiles.mapExisting(
            shmDir.resolve("shm-0").resolve(WorkerFileDescriptor.RINGS_FILE_NAME));
        try
        {
            return WorkerFileDescriptor.headerBuffer(mapped).getLongVolatile(WorkerFileDescriptor.LISTENER_PID_OFFSET);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
