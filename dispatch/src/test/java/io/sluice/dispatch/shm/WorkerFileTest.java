package io.sluice.dispatch.shm;

import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker file from both sides: the listener creates and initialises it, the worker maps the same bytes, and a
 * file that is not ready is refused.
 */
class WorkerFileTest
{
    private static final int REQUEST_RING_CAPACITY = 4096;
    private static final int RESPONSE_RING_CAPACITY = 8192;

    @TempDir
    Path tempDir;

    @Test
    void shouldShareTheFileTheListenerCreatedWithTheWorker() throws IOException
    {
        final Path dir = tempDir.resolve("shm");
        SharedMemoryFiles.createPrivateDirectory(dir);
        final String name = SharedMemoryFiles.workerDirectoryName("q", 0);
        try (SharedMemoryFiles.PrivateDirectory directory = SharedMemoryFiles.openPrivateDirectory(dir))
        {
            final Path workerDir = directory.createWorkerDirectory(name);
            try (WorkerFile listenerSide = WorkerFile.create(
                directory, name, REQUEST_RING_CAPACITY, RESPONSE_RING_CAPACITY, 42, 1_000);
                WorkerFile workerSide = WorkerFile.open(workerDir))
            {
                final Path file = workerDir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
                assertEquals(WorkerFileDescriptor.fileLength(REQUEST_RING_CAPACITY, RESPONSE_RING_CAPACITY),
                    Files.size(file));
                assertEquals(42, workerSide.header().getLong(WorkerFileDescriptor.LISTENER_PID_OFFSET));
                final int trailer = RingBufferDescriptor.TRAILER_LENGTH;
                assertEquals(REQUEST_RING_CAPACITY + trailer, workerSide.requestRingBuffer().capacity());
                assertEquals(RESPONSE_RING_CAPACITY + trailer, workerSide.responseRingBuffer().capacity());

                workerSide.responseRingBuffer().putLong(0, 0x5151_5151L);
                assertEquals(0x5151_5151L, listenerSide.responseRingBuffer().getLong(0), "one file, two mappings");
            }
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotReady() throws IOException
    {
        final Path dir = tempDir.resolve("worker");
        Files.createDirectory(dir);
        SharedMemoryFiles.createAndMap(
            dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME),
            WorkerFileDescriptor.fileLength(REQUEST_RING_CAPACITY, RESPONSE_RING_CAPACITY));

        final IOException ex = assertThrows(IOException.class, () -> WorkerFile.open(dir));
        assertTrue(ex.getMessage().startsWith("shared-memory file not ready or of another version: "));
    }

    @Test
    void shouldUnmapOnce() throws IOException
    {
        final Path dir = tempDir.resolve("shm");
        SharedMemoryFiles.createPrivateDirectory(dir);
        final String name = SharedMemoryFiles.workerDirectoryName("q", 1);
        try (SharedMemoryFiles.PrivateDirectory directory = SharedMemoryFiles.openPrivateDirectory(dir))
        {
            directory.createWorkerDirectory(name);
            final WorkerFile file = WorkerFile.create(
                directory, name, REQUEST_RING_CAPACITY, RESPONSE_RING_CAPACITY, 1, 1);

            file.close();
            file.close();
        }
    }

    @Test
    void shouldGiveEveryLaneItsOwnFileAndRemoveThemAll() throws IOException
    {
        final Path dir = tempDir.resolve("lanes");
        SharedMemoryFiles.createPrivateDirectory(dir);
        final String name = SharedMemoryFiles.workerDirectoryName("q", 0);
        try (SharedMemoryFiles.PrivateDirectory directory = SharedMemoryFiles.openPrivateDirectory(dir))
        {
            final Path workerDir = directory.createWorkerDirectory(name);
            for (int lane = 0; lane < 3; lane++)
            {
                try (WorkerFile listenerSide = WorkerFile.create(
                    directory, name, lane, REQUEST_RING_CAPACITY, RESPONSE_RING_CAPACITY, 42, 1_000 + lane);
                    WorkerFile workerSide = WorkerFile.open(workerDir, lane))
                {
                    assertTrue(Files.isRegularFile(workerDir.resolve(WorkerFileDescriptor.ringsFileName(lane))));
                    assertEquals(1_000 + lane,
                        workerSide.header().getLong(WorkerFileDescriptor.LISTENER_START_TIME_OFFSET));
                    assertEquals(0, listenerSide.header().getLong(WorkerFileDescriptor.WORKER_PID_OFFSET));
                }
            }
        }
        assertEquals(List.of(), SharedMemoryFiles.deletePrivateDirectory(dir), "lane files are Sluice's own");
        assertFalse(Files.exists(dir));
    }
}
