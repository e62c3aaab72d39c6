package io.sluice.listener.process;

import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.queue.HostingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker's command is checked when the listener starts, as the process will be started (a name without a slash is
 * looked up in {@code PATH}); a worker that cannot be spawned later is logged in one line, without a stack trace.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldAcceptDefaultCommandAndProgramFoundInPath()
    {
        assertDoesNotThrow(() -> WorkerCommand.checkCommand(List.of()));
        assertDoesNotThrow(() -> WorkerCommand.checkCommand(List.of("sh", "-c", "exit 0")));
        assertDoesNotThrow(() -> WorkerCommand.checkCommand(List.of("/bin/sh")));
    }

    @Test
    void shouldRefuseProgramNotInPath()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> WorkerCommand.checkCommand(List.of("no-such-sluice-worker")));

        assertEquals("program not found in PATH (" + System.getenv("PATH") + "): no-such-sluice-worker",
            ex.getMessage());
    }

    @Test
    void shouldRefuseMissingPathAndFileThatIsNotExecutable() throws IOException
    {
        final Path missing = tempDir.resolve("missing");
        final Path script = Files.writeString(tempDir.resolve("worker.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));

        assertEquals("program not found: " + missing, assertThrows(IllegalArgumentException.class,
            () -> WorkerCommand.checkCommand(List.of(missing.toString()))).getMessage());
        assertEquals("not an executable file: " + script, assertThrows(IllegalArgumentException.class,
            () -> WorkerCommand.checkCommand(List.of(script.toString()))).getMessage());
        assertEquals("not an executable file: " + tempDir, assertThrows(IllegalArgumentException.class,
            () -> WorkerCommand.checkCommand(List.of(tempDir.toString()))).getMessage());

        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertDoesNotThrow(() -> WorkerCommand.checkCommand(List.of(script.toString())));
    }

    @Test
    void shouldLogOneLineWithoutStackTraceWhenWorkerCannotBeSpawned() throws InterruptedException
    {
        final Path missing = tempDir.resolve("removed-worker");
        final List<LogRecord> records = new ArrayList<>();
        final Handler capture = new Handler()
        {
            public void publish(final LogRecord record)
            {
                if (record.getLevel().intValue() >= Level.WARNING.intValue())
                {
                    synchronized (records)
                    {
                        records.add(record);
                    }
                }
            }

            public void flush()
            {
            }

            public void close()
            {
            }
        };
        final Logger logger = Logger.getLogger(WorkerSupervisor.class.getName());
        logger.addHandler(capture);
        final CountDownLatch queueStopped = new CountDownLatch(1);
        final WorkerSupervisor supervisor = new WorkerSupervisor(
            "app",
            HostingMode.LOOPBACK_FORWARD,
            "io.sluice.dispatch.sample.SampleHandler",
            "/",
            new WorkerConfiguration(
                List.of(missing.toString(), "--port", "0"), Map.of(), 1, 10_000, 0, 10, 1_000, 10_000, 0, null),
            (slot, env) -> {},
            new WorkerEvents()
            {
                public void onStarting(final int slot, final String token)
                {
                }

                public void onExited(final int slot, final int exitCode)
                {
                }

                public void onQueueStopped()
                {
                    queueStopped.countDown();
                }
            });
        try
        {
            supervisor.start();
            assertTrue(queueStopped.await(20, TimeUnit.SECONDS), "the queue was not stopped");
        }
        finally
        {
            supervisor.close();
            logger.removeHandler(capture);
        }

        synchronized (records)
        {
            final LogRecord spawn = records.get(0);
            assertEquals(Level.WARNING, spawn.getLevel());
            assertEquals("queue app: cannot start worker 0: " + missing + " --port 0: Cannot run program \"" +
                missing + "\": error=2, No such file or directory", spawn.getMessage());
            assertNull(spawn.getThrown(), "a stack trace is logged");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWorkerWhoseEnvironmentCannotBeMadeIsAFailedStartNotADeadPosition() throws InterruptedException
    {
        final CountDownLatch queueStopped = new CountDownLatch(1);
        final List<Integer> fills = new ArrayList<>();
        final WorkerSupervisor supervisor = new WorkerSupervisor(
            "app",
            HostingMode.LOOPBACK_FORWARD,
            "io.sluice.dispatch.sample.SampleHandler",
            "/",
            new WorkerConfiguration(
                List.of("/bin/true"), Map.of(), 1, 10_000, 1, 10, 1_000, 10_000, 0, null),
            (slot, env) ->
            {
                synchronized (fills)
                {
                    fills.add(slot);
                }
                throw new UncheckedIOException(new IOException("cannot find a free loopback port"));
            },
            new WorkerEvents()
            {
                public void onStarting(final int slot, final String token)
                {
                }

                public void onExited(final int slot, final int exitCode)
                {
                }

                public void onQueueStopped()
                {
                    queueStopped.countDown();
                }
            });
        try
        {
            supervisor.start();
            // tried again as a failed start is (startupRetryCount 1), then the queue stopped: never silently dead
            assertTrue(queueStopped.await(20, TimeUnit.SECONDS), "the queue was not stopped");
            assertTrue(supervisor.isQueueStopped());
            synchronized (fills)
            {
                assertEquals(List.of(0, 0), fills);
            }
        }
        finally
        {
            supervisor.close();
        }
    }
}
