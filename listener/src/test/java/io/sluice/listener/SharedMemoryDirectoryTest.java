package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.dispatch.shm.CountersFileDescriptor;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.StartupException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared-memory directory against local users: the listener uses {@code shmDir} only when it is a real directory
 * owned by its user with mode 0700, takes over a previous listener's leftover only when it holds nothing but names
 * Sluice creates, never follows a link while removing, and never deletes a file it did not create. A refusal is a
 * start-up error naming {@code listener.shmDir}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedMemoryDirectoryTest
{
    private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE = PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------"));
    private static final String CONFIG = TestConfig.listener()
        .listener("id", "shmdir-${ID}")
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class)
            .prefixes("http://+:${PORT}/"))
        .yaml();

    @TempDir
    Path tempDir;

    private final Path shmDir = Path.of("/dev/shm", "sluice-test-" +
        HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
    private final List<Path> toRemove = new ArrayList<>();

    @AfterEach
    void tidy() throws IOException
    {
        toRemove.add(shmDir);
        for (final Path path : toRemove)
        {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS))
            {
                try (Stream<Path> paths = Files.walk(path))
                {
                    for (final Path entry : paths.sorted((a, b) -> b.compareTo(a)).toList())
                    {
                        Files.delete(entry);
                    }
                }
            }
        }
    }

    @Test
    void shouldRefuseShmDirOwnedByAnotherUserAndLeaveItsContent() throws IOException
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "changing a file's owner needs root");
        final UserPrincipal nobody = FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByName("nobody");
        leftover();
        final Path bait = shmDir.resolve("shm-0").resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
        Files.setOwner(shmDir, nobody);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, this::start);

        assertEquals("listener.shmDir: cannot use " + shmDir + ": " + shmDir + " is owned by nobody, not by root " +
            "(the listener's user)", ex.getMessage());
        assertTrue(Files.exists(bait), "the other user's files were deleted");
        assertEquals(nobody, Files.getOwner(shmDir, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void shouldRefuseShmDirThatIsSymbolicLink() throws IOException
    {
        final Path target = Files.createDirectory(tempDir.resolve("target"), DIR_MODE);
        Files.write(target.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
        Files.createSymbolicLink(shmDir, target);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, this::start);

        assertEquals("listener.shmDir: cannot use " + shmDir + ": " + shmDir + " is a symbolic link; Sluice uses " +
            "only a directory it created", ex.getMessage());
        assertTrue(Files.isSymbolicLink(shmDir));
        assertEquals(List.of(SharedMemoryFiles.MARKER_FILE_NAME), listing(target));
    }

    @Test
    void shouldRefuseLeftoverHoldingForeignFileAndDeleteNothing() throws IOException
    {
        leftover();
        final Path precious = Files.write(shmDir.resolve("shm-0").resolve("precious"), new byte[]{42});
        final List<String> before = listing(shmDir);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, this::start);

        assertEquals("listener.shmDir: cannot use " + shmDir + ": refusing to replace " + shmDir + ": it holds " +
            "shm-0/precious, which Sluice did not create; remove it or the directory", ex.getMessage());
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(precious));
        assertEquals(before, listing(shmDir));
    }

    @Test
    void shouldNotTouchOutsideFilesWhenLeftoverWorkerDirectoryIsSymbolicLink() throws IOException
    {
        final Path outside = Files.createDirectory(tempDir.resolve("outside"));
        final Path outsideRings = Files.write(outside.resolve(WorkerFileDescriptor.RINGS_FILE_NAME), new byte[]{42});
        final Path outsideMarker = Files.write(outside.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[]{43});
        Files.createDirectory(shmDir, DIR_MODE);
        Files.write(shmDir.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
        Files.createSymbolicLink(shmDir.resolve("shm-0"), outside);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, this::start);

        assertEquals("listener.shmDir: cannot use " + shmDir + ": refusing to replace " + shmDir + ": it holds " +
            "shm-0 (a symbolic link), which Sluice did not create; remove it or the directory", ex.getMessage());
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(outsideRings));
        assertArrayEquals(new byte[]{43}, Files.readAllBytes(outsideMarker));
    }

    @Test
    void shouldReplaceLeftoverOfKilledListener() throws IOException
    {
        leftover();

        final Listener listener = start();
        try
        {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shmDir)));
            assertEquals(List.of(
                SharedMemoryFiles.MARKER_FILE_NAME,
                CountersFileDescriptor.COUNTERS_FILE_NAME,
                "shm-0",
                "shm-0/" + SharedMemoryFiles.MARKER_FILE_NAME,
                "shm-0/" + WorkerFileDescriptor.DOORBELL_FILE_NAME,
                "shm-0/" + WorkerFileDescriptor.RINGS_FILE_NAME,
                // the spare slot, where a recycled worker's replacement starts
                "shm-1",
                "shm-1/" + SharedMemoryFiles.MARKER_FILE_NAME,
                "shm-1/" + WorkerFileDescriptor.DOORBELL_FILE_NAME,
                "shm-1/" + WorkerFileDescriptor.RINGS_FILE_NAME), listing(shmDir));
        }
        finally
        {
            listener.close();
        }
        assertFalse(Files.exists(shmDir, LinkOption.NOFOLLOW_LINKS), "removed on close");
    }

    @Test
    void shouldLeaveShmDirInPlaceWithWarningWhenItHoldsForeignFileAtStop() throws IOException
    {
        final List<LogRecord> warnings = new ArrayList<>();
        final Handler capture = new Handler()
        {
            public void publish(final LogRecord record)
            {
                if (record.getLevel().intValue() >= Level.WARNING.intValue())
                {
                    synchronized (warnings)
                    {
                        warnings.add(record);
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
        final Logger logger = Logger.getLogger(Listener.class.getName());
        logger.addHandler(capture);
        try
        {
            final Listener listener = start();
            final Path notes = shmDir.resolve("shm-0").resolve("notes");
            try
            {
                Files.write(notes, new byte[]{42});
            }
            finally
            {
                listener.close();
            }

            assertArrayEquals(new byte[]{42}, Files.readAllBytes(notes));
            assertEquals(List.of("shm-0", "shm-0/notes"), listing(shmDir), "only what Sluice created is removed");
            synchronized (warnings)
            {
                assertEquals(1, warnings.size(), "warnings: " + warnings);
                assertEquals("left " + shmDir + " in place: it holds shm-0/notes, which Sluice did not create",
                    warnings.get(0).getMessage());
            }
        }
        finally
        {
            logger.removeHandler(capture);
        }
    }

    @Test
    void shouldLeaveRunningListenersShmDirAloneWhenSecondListenerOfSameConfigurationCannotBind() throws IOException
    {
        final int port = TestListener.freePort();
        final Listener first = start(port);
        try
        {
            final List<String> before = listing(shmDir);
            final Path rings = shmDir.resolve("shm-0").resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
            final Object ringsFile = Files.getAttribute(rings, "unix:ino");

            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> start(port));

            assertTrue(ex.getMessage().startsWith("queues[0].prefixes[0]: cannot listen on 127.0.0.1:" + port),
                ex.getMessage());
            assertEquals(before, listing(shmDir), "the running listener's files");
            assertEquals(ringsFile, Files.getAttribute(rings, "unix:ino"), "the running listener's ring file");
        }
        finally
        {
            first.close();
        }
    }

    @Test
    void shouldRefuseShmDirOfRunningListenerToSecondListenerOnOtherPortAndLeaveItsFiles() throws IOException
    {
        final Listener first = start();
        try
        {
            final List<String> before = listing(shmDir);
            final Path rings = shmDir.resolve("shm-0").resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
            final Path doorbell = shmDir.resolve("shm-0").resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME);
            final Object ringsFile = Files.getAttribute(rings, "unix:ino");
            final Object doorbellFile = Files.getAttribute(doorbell, "unix:ino");

            final StartupException ex = assertThrows(StartupException.class, this::start);

            assertEquals("listener.shmDir: cannot use " + shmDir + ": in use by listener pid " +
                ProcessHandle.current().pid(), ex.getMessage());
            assertEquals(before, listing(shmDir), "the running listener's files");
            assertEquals(ringsFile, Files.getAttribute(rings, "unix:ino"), "the running listener's ring file");
            assertEquals(doorbellFile, Files.getAttribute(doorbell, "unix:ino"), "the running listener's doorbell");
        }
        finally
        {
            first.close();
        }
        assertFalse(Files.exists(shmDir, LinkOption.NOFOLLOW_LINKS), "removed on close");

        // released with it: the next listener takes the directory
        start().close();
    }

    @Test
    void shouldReportFailureToCreateSharedMemoryAsStartupErrorNamingShmDir()
    {
        // past the configuration check (which refuses such a shmDir): the doorbell socket's path is too long to bind
        final Path longDir = shmDir.resolve("d".repeat(100));
        final ListenerConfiguration loaded = ConfigLoader.parse(CONFIG
            .replace("${ID}", HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()))
            .replace("${SHM_DIR}", shmDir.toString())
            .replace("${PORT}", Integer.toString(TestListener.freePort()))
            .replace("${LOG_DIR}", tempDir.toString()), "sluice.yaml");
        final ListenerConfiguration config = new ListenerConfiguration(
            loaded.id(),
            loaded.bindAddress(),
            loaded.eventLoops(),
            longDir,
            0,
            loaded.maxInitialLineLength(),
            loaded.maxRequestBytes(),
            loaded.maxPipelinedRequests(),
            loaded.queues());

        final StartupException ex = assertThrows(StartupException.class, () -> new Listener(config).start());

        assertEquals("listener.shmDir", ex.key());
        final String socket = longDir.resolve("shm-0").resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME).toString();
        assertTrue(ex.getMessage().startsWith("listener.shmDir: cannot create shared memory for queue shm in " +
            longDir + ": cannot bind " + socket + ": "), ex.getMessage());
        assertFalse(Files.exists(longDir, LinkOption.NOFOLLOW_LINKS), "removed after the failed start");
    }

    private Listener start()
    {
        return start(TestListener.freePort());
    }

    private Listener start(final int port)
    {
        final String yaml = CONFIG
            .replace("${ID}", HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()))
            .replace("${SHM_DIR}", shmDir.toString())
            .replace("${PORT}", Integer.toString(port))
            .replace("${LOG_DIR}", tempDir.toString());
        return new Listener(ConfigLoader.parse(yaml, "sluice.yaml")).start();
    }

    /**
     * What a killed listener leaves: the marker, and the worker directory with its marker, ring file and doorbell.
     */
    private void leftover() throws IOException
    {
        Files.createDirectory(shmDir, DIR_MODE);
        Files.write(shmDir.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
        Files.write(shmDir.resolve(CountersFileDescriptor.COUNTERS_FILE_NAME), new byte[]{1, 2, 3});
        final Path worker = Files.createDirectory(shmDir.resolve("shm-0"), DIR_MODE);
        Files.write(worker.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
        Files.write(worker.resolve(WorkerFileDescriptor.RINGS_FILE_NAME), new byte[]{1, 2, 3});
        Files.write(worker.resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME), new byte[0]);
    }

    private static List<String> listing(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            return paths
                .filter((path) -> !path.equals(dir))
                .map((path) -> dir.relativize(path).toString())
                .sorted()
                .toList();
        }
    }
}
