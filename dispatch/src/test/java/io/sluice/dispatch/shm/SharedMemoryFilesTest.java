package io.sluice.dispatch.shm;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class SharedMemoryFilesTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldCreateDirectoryWithMode0700() throws IOException
    {
        final Path dir = tempDir.resolve("sluice-test");

        SharedMemoryFiles.createPrivateDirectory(dir);

        assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS));
        assertEquals("rwx------", mode(dir));
    }

    @Test
    void shouldCreateMissingParentsWhenCreatingPrivateDirectory() throws IOException
    {
        final Path dir = tempDir.resolve("a").resolve("b").resolve("queue-0");

        SharedMemoryFiles.createPrivateDirectory(dir);

        assertTrue(Files.isDirectory(dir));
        assertEquals("rwx------", mode(dir));
    }

    @Test
    void shouldCreateFileWithMode0600AndRequestedLengthWhenMapping() throws IOException
    {
        final Path dir = tempDir.resolve("queue-0");
        SharedMemoryFiles.createPrivateDirectory(dir);
        final Path file = dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
        final long length = WorkerFileDescriptor.fileLength(4096, 8192);

        final MappedByteBuffer mapped = SharedMemoryFiles.createAndMap(file, length);
        try
        {
            assertEquals("rw-------", mode(file));
            assertEquals(length, Files.size(file));
            assertEquals(length, mapped.capacity());
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            for (int i = 0; i < buffer.capacity(); i += 8)
            {
                assertEquals(0L, buffer.getLong(i), "offset " + i);
            }
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    @Test
    void shouldReplaceLeftoverDirectoryWhenCreatingPrivateDirectory() throws IOException
    {
        final Path dir = tempDir.resolve("queue-0");
        Files.createDirectories(dir.resolve("nested").resolve("deeper"));
        Files.write(dir.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
        Files.write(dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME), new byte[]{1, 2, 3});
        Files.write(dir.resolve("nested").resolve("deeper").resolve("x"), new byte[]{4});
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        SharedMemoryFiles.createPrivateDirectory(dir);

        assertTrue(Files.isDirectory(dir));
        assertEquals("rwx------", mode(dir));
        try (var entries = Files.list(dir))
        {
            assertEquals(List.of(SharedMemoryFiles.MARKER_FILE_NAME),
                entries.map((p) -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void shouldRefuseToReplaceDirectoryWithoutMarker() throws IOException
    {
        final Path dir = tempDir.resolve("not-ours");
        Files.createDirectory(dir);
        final Path precious = dir.resolve("precious");
        Files.write(precious, new byte[]{42});

        final IOException ex = assertThrows(IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(dir));

        assertEquals("refusing to replace a directory Sluice did not create: " + dir, ex.getMessage());
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(precious));
    }

    @Test
    void shouldRemoveLinkButNotItsTargetWhenLeftoverIsSymbolicLink() throws IOException
    {
        final Path elsewhere = tempDir.resolve("elsewhere");
        Files.createDirectory(elsewhere);
        final Path precious = elsewhere.resolve("precious");
        Files.write(precious, new byte[]{42});
        final Path dir = tempDir.resolve("queue-0");
        Files.createSymbolicLink(dir, elsewhere);

        SharedMemoryFiles.createPrivateDirectory(dir);

        assertFalse(Files.isSymbolicLink(dir));
        assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS));
        assertEquals("rwx------", mode(dir));
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(precious));
    }

    @Test
    void shouldRefuseAndKeepContentWhenFileAlreadyExists() throws IOException
    {
        final Path file = tempDir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
        Files.write(file, new byte[]{7, 7, 7});

        final IOException ex = assertThrows(IOException.class, () -> SharedMemoryFiles.createAndMap(file, 8192));

        assertEquals("shared-memory file already exists: " + file, ex.getMessage());
        assertInstanceOf(FileAlreadyExistsException.class, ex.getCause());
        assertArrayEquals(new byte[]{7, 7, 7}, Files.readAllBytes(file));
    }

    @Test
    void shouldShareBytesBothWaysWhenFileIsMappedTwice() throws IOException
    {
        final Path file = tempDir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
        final MappedByteBuffer created = SharedMemoryFiles.createAndMap(file, 16384);
        final MappedByteBuffer attached = SharedMemoryFiles.mapExisting(file);
        try
        {
            final UnsafeBuffer listenerView = new UnsafeBuffer(created);
            final UnsafeBuffer workerView = new UnsafeBuffer(attached);

            listenerView.putLongVolatile(8, 0x0102030405060708L);
            workerView.putIntVolatile(16380, 0x7FFF0001);

            assertEquals(16384, attached.capacity());
            assertEquals(0x0102030405060708L, workerView.getLongVolatile(8));
            assertEquals(0x7FFF0001, listenerView.getIntVolatile(16380));
        }
        finally
        {
            IoUtil.unmap(attached);
            IoUtil.unmap(created);
        }
    }

    @Test
    void shouldDoNothingWhenDeletingMissingDirectory() throws IOException
    {
        final Path missing = tempDir.resolve("missing");

        SharedMemoryFiles.deleteRecursively(missing);

        assertFalse(Files.exists(missing));
    }

    @Test
    void shouldRemoveTreeWhenDeletingRecursively() throws IOException
    {
        final Path dir = tempDir.resolve("sluice-x");
        SharedMemoryFiles.createPrivateDirectory(dir.resolve("queue-0"));
        IoUtil.unmap(SharedMemoryFiles.createAndMap(dir.resolve("queue-0").resolve("rings"), 4096));

        SharedMemoryFiles.deleteRecursively(dir);

        assertFalse(Files.exists(dir));
        assertTrue(Files.isDirectory(tempDir));
    }

    private static String mode(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
