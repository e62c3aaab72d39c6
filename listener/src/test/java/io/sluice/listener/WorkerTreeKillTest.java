package io.sluice.listener;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker the listener kills takes the processes it started with it: a worker that forks a child (which would keep
 * the ring file mapped and could write into the replacement's rings) and never becomes ready is killed at its
 * startup time limit, and its child dies too. A process a worker left behind, no longer its child, that still holds the
 * worker's ring file when the worker exits is killed before the rings are reset for a replacement.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerTreeKillTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm")
            .command("/bin/sh", "-c", "sleep 600 & echo $! >> ${CHILDREN}; exec sleep 600")
            .worker("startupTimeLimit", "1s")
            .worker("startupRetryCount", 1))
        .yaml();

    // the worker leaves a process behind that holds its ring file open and is no longer its child, then exits
    private static final String DETACHED_CONFIG = CONFIG.replace(
        "\"sleep 600 & echo $! >> ${CHILDREN}; exec sleep 600\"",
        "\"sh -c 'exec 3<$SLUICE_SHM_DIR/rings; echo $$ >> ${CHILDREN}; exec sleep 600' & " +
        "while [ ! -s ${CHILDREN} ]; do sleep 0.05; done; exit 0\"");

    private static final long FIRST_CHILD_TIMEOUT_MS = 20_000;
    private static final long CHILD_DEATH_TIMEOUT_MS = 10_000;
    private static final long POLL_MS = 50;

    @TempDir
    Path tempDir;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;
    private Path children;

    @AfterEach
    void killChildren() throws Exception
    {
        for (final long pid : childPids())
        {
            ProcessHandle.of(pid)
                .filter((handle) -> handle.info().command().map((command) -> command.endsWith("sleep")).orElse(false))
                .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void shouldKillChildOfWorkerKilledAtStartupTimeLimit() throws Exception
    {
        assertFirstChildDies(CONFIG);
    }

    @Test
    void shouldKillProcessLeftHoldingRingFileByWorkerThatExited() throws Exception
    {
        assertFirstChildDies(DETACHED_CONFIG);
    }

    private void assertFirstChildDies(final String config) throws Exception
    {
        children = tempDir.resolve("children");
        listener = LISTENERS.start("tree-kill", config.replace("${CHILDREN}", children.toString()));

        final long firstChildDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FIRST_CHILD_TIMEOUT_MS);
        while (childPids().isEmpty())
        {
            assertTrue(System.nanoTime() < firstChildDeadlineNs, "the worker never started its child");
            Thread.sleep(POLL_MS);
        }
        final long childPid = childPids().get(0);

        final long deathDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHILD_DEATH_TIMEOUT_MS);
        while (isAlive(childPid) && System.nanoTime() < deathDeadlineNs)
        {
            Thread.sleep(POLL_MS);
        }
        assertFalse(isAlive(childPid), "a process the worker started outlived it: pid " + childPid);
    }

    private static boolean isAlive(final long pid)
    {
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && handle.get().isAlive();
    }

    private List<Long> childPids() throws Exception
    {
        final List<Long> pids = new ArrayList<>();
        if (null != children && Files.exists(children))
        {
            for (final String line : Files.readAllLines(children))
            {
                if (!line.isBlank())
                {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        }
        return pids;
    }
}
