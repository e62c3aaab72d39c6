package io.sluice.dispatch.shm;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        final Path dir = tempDir.resolve("sluice-x");
        leftover(dir);

        SharedMemoryFiles.createPrivateDirectory(dir);

        assertTrue(Files.isDirectory(dir));
        assertEquals("rwx------", mode(dir));
        assertEquals(List.of(SharedMemoryFiles.MARKER_FILE_NAME), listing(dir));
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
    void shouldRefuseAndKeepEverythingWhenMarkedDirectoryHoldsForeignFile() throws IOException
    {
        final Path dir = tempDir.resolve("sluice-x");
        leftover(dir);
        final Path precious = dir.resolve("queue-0").resolve("precious");
        Files.write(precious, new byte[]{42});
        final List<String> before = listing(dir);

        final IOException ex = assertThrows(IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(dir));

        assertEquals("refusing to replace " + dir + ": it holds queue-0/precious, which Sluice did not create; " +
            "remove it or the directory", ex.getMessage());
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(precious));
        assertEquals(before, listing(dir), "nothing removed");
    }

    @Test
    void shouldRefuseSymbolicLinkAndKeepItsTarget() throws IOException
    {
        final Path elsewhere = tempDir.resolve("elsewhere");
        Files.createDirectory(elsewhere, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        Files.write(elsewhere.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
        final Path precious = elsewhere.resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
        Files.write(precious, new byte[]{42});
        final Path dir = tempDir.resolve("sluice-x");
        Files.createSymbolicLink(dir, elsewhere);

        final IOException ex = assertThrows(IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(dir));

        assertEquals(dir + " is a symbolic link; Sluice uses only a directory it created", ex.getMessage());
        assertTrue(Files.isSymbolicLink(dir));
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(precious));
    }

    @Test
    void shouldRefuseLeftoverWithModeOtherThan0700() throws IOException
    {
        final Path dir = tempDir.resolve("sluice-x");
        leftover(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        final List<String> before = listing(dir);

        final IOException ex = assertThrows(IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(dir));

        assertEquals(dir + " has mode 0755, not 0700", ex.getMessage());
        assertEquals(before, listing(dir), "nothing removed");
    }

    @Test
    void shouldRefuseDirectoryOwnedByAnotherUser() throws IOException
    {
        final UserPrincipal nobody = anotherUser();
        final Path dir = tempDir.resolve("sluice-x");
        leftover(dir);
        Files.setOwner(dir, nobody);
        final List<String> before = listing(dir);

        final IOException ex = assertThrows(IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(dir));

        assertEquals(dir + " is owned by " + nobody.getName() + ", not by " + System.getProperty("user.name") +
            " (the listener's user)", ex.getMessage());
        assertEquals(before, listing(dir), "nothing removed");
        assertEquals(nobody, Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void shouldRefuseLeftoverWhoseWorkerDirectoryIsSymbolicLinkAndKeepItsTarget() throws IOException
    {
        final Path outside = outsideDirectoryWithRings();
        final Path dir = tempDir.resolve("sluice-x");
        leftover(dir);
        Files.createSymbolicLink(dir.resolve("queue-1"), outside);

        final IOException ex = assertThrows(IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(dir));

        assertEquals("refusing to replace " + dir + ": it holds queue-1 (a symbolic link), which Sluice did not " +
            "create; remove it or the directory", ex.getMessage());
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(outside.resolve(WorkerFileDescriptor.RINGS_FILE_NAME)));
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

        assertEquals(List.of(), SharedMemoryFiles.deletePrivateDirectory(missing));

        assertFalse(Files.exists(missing));
    }

    @Test
    void shouldRemoveTreeWhenDeletingPrivateDirectory() throws IOException
    {
        final Path dir = tempDir.resolve("sluice-x");
        SharedMemoryFiles.createPrivateDirectory(dir);
        SharedMemoryFiles.createPrivateDirectory(dir.resolve("queue-0"));
        IoUtil.unmap(SharedMemoryFiles.createAndMap(dir.resolve("queue-0").resolve("rings"), 4096));

        assertEquals(List.of(), SharedMemoryFiles.deletePrivateDirectory(dir));

        assertFalse(Files.exists(dir));
        assertTrue(Files.isDirectory(tempDir));
    }

    @Test
    void shouldRemoveOnlyWhatSluiceCreatedAndLeaveTheRestWhenDeleting() throws IOException
    {
        final Path dir = tempDir.resolve("sluice-x");
        leftover(dir);
        Files.write(dir.resolve("queue-0").resolve("precious"), new byte[]{42});
        Files.write(dir.resolve("notes"), new byte[]{43});

        final List<String> left = SharedMemoryFiles.deletePrivateDirectory(dir);

        assertEquals(List.of("notes", "queue-0/precious"), left);
        assertEquals(List.of("notes", "queue-0", "queue-0/precious"), listing(dir));
    }

    @Test
    void shouldNotFollowWorkerDirectorySymbolicLinkWhenDeleting() throws IOException
    {
        final Path outside = outsideDirectoryWithRings();
        final Path dir = tempDir.resolve("sluice-x");
        leftover(dir);
        Files.createSymbolicLink(dir.resolve("queue-1"), outside);

        final List<String> left = SharedMemoryFiles.deletePrivateDirectory(dir);

        assertEquals(List.of("queue-1 (a symbolic link)"), left);
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(outside.resolve(WorkerFileDescriptor.RINGS_FILE_NAME)));
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(outside.resolve(SharedMemoryFiles.MARKER_FILE_NAME)));
    }

    /**
     * The race a local user could win against a removal by path names: a worker directory is listed, then swapped for a
     * symbolic link to a directory outside before its files are removed by name ({@code sluice-x/queue-0/rings} would
     * then resolve through the link). The hook makes the swap at exactly that point.
     */
    @Test
    void shouldNotFollowWorkerDirectorySwappedForSymbolicLinkWhileDeleting() throws IOException
    {
        final Path outside = outsideDirectoryWithRings();
        final Path dir = tempDir.resolve("sluice-x");
        leftover(dir);
        final Path worker = dir.resolve("queue-0");
        final Path moved = dir.resolve("moved");
        final List<Path> swapped = new ArrayList<>();

        final List<String> left = SharedMemoryFiles.deletePrivateDirectory(
            dir,
            (opened) ->
            {
                try
                {
                    Files.move(worker, moved);
                    Files.createSymbolicLink(worker, outside);
                    swapped.add(opened);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });

        assertEquals(List.of(worker), swapped);
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(outside.resolve(WorkerFileDescriptor.RINGS_FILE_NAME)));
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(outside.resolve(SharedMemoryFiles.MARKER_FILE_NAME)));
        assertEquals(List.of(), listing(moved), "the files were removed from the directory that was opened");
        assertTrue(Files.isSymbolicLink(worker), "the link is left");
        assertEquals(1, left.size(), "left: " + left);
        assertTrue(left.get(0).startsWith("queue-0 (cannot remove: "), left.get(0));
    }

    @Test
    void shouldRefuseDirectoryHeldByAnotherOwnerAndLeaveItsFiles() throws IOException
    {
        final Path dir = tempDir.resolve("sluice-x");
        try (SharedMemoryFiles.PrivateDirectory held = SharedMemoryFiles.openPrivateDirectory(dir))
        {
            held.createWorkerDirectory("queue-0");
            IoUtil.unmap(held.createAndMap("queue-0", WorkerFileDescriptor.RINGS_FILE_NAME, 4096));
            final Path rings = dir.resolve("queue-0").resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
            final Object ringsFile = Files.getAttribute(rings, "unix:ino");
            final List<String> before = listing(dir);

            final IOException ex = assertThrows(
                IOException.class, () -> SharedMemoryFiles.openPrivateDirectory(dir).close());

            assertEquals("in use by listener pid " + ProcessHandle.current().pid(), ex.getMessage());
            assertEquals(before, listing(dir), "nothing removed");
            assertEquals(ringsFile, Files.getAttribute(rings, "unix:ino"));
            // the refusal did not release the holder's lock
            assertThrows(IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(dir));
        }

        try (SharedMemoryFiles.PrivateDirectory next = SharedMemoryFiles.openPrivateDirectory(dir))
        {
            assertEquals(List.of(SharedMemoryFiles.MARKER_FILE_NAME), listing(dir), "released: taken over");
            assertEquals(ProcessHandle.current().pid() + "\n",
                Files.readString(next.path().resolve(SharedMemoryFiles.MARKER_FILE_NAME)));
        }
    }

    @Test
    void shouldCreateWorkerFilesThroughHeldDirectoryAndRefuseSwappedWorkerDirectory() throws IOException
    {
        final Path outside = Files.createDirectory(tempDir.resolve("outside"), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        final Path dir = tempDir.resolve("sluice-x");
        try (SharedMemoryFiles.PrivateDirectory held = SharedMemoryFiles.openPrivateDirectory(dir))
        {
            final Path worker = held.createWorkerDirectory("queue-0");
            assertEquals(dir.resolve("queue-0"), worker);
            assertEquals("rwx------", mode(worker));
            final MappedByteBuffer mapped = held.createAndMap("queue-0", WorkerFileDescriptor.RINGS_FILE_NAME, 8192);
            IoUtil.unmap(mapped);
            assertEquals("rw-------", mode(worker.resolve(WorkerFileDescriptor.RINGS_FILE_NAME)));
            assertEquals(8192, Files.size(worker.resolve(WorkerFileDescriptor.RINGS_FILE_NAME)));

            held.createWorkerDirectory("queue-1");
            Files.move(dir.resolve("queue-1"), dir.resolve("moved"));
            Files.createSymbolicLink(dir.resolve("queue-1"), outside);

            final IOException ex = assertThrows(IOException.class,
                () -> held.createAndMap("queue-1", WorkerFileDescriptor.RINGS_FILE_NAME, 8192));

            assertEquals(dir.resolve("queue-1") + " is a symbolic link; Sluice uses only a directory it created",
                ex.getMessage());
            assertEquals(List.of(), listing(outside), "nothing created through the link");
        }
    }

    @Test
    void shouldRefuseDirectoryUnderFolderWritableByOthersWithoutStickyBit() throws IOException
    {
        final Path shared = Files.createDirectory(tempDir.resolve("pub"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        final Path dir = shared.resolve("a").resolve("sl");

        final IOException ex = assertThrows(IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(dir));

        assertEquals(shared + " is writable by group or others without the sticky bit (mode 0777); another user " +
            "could replace what is in it", ex.getMessage());
        assertEquals(List.of(), listing(shared), "nothing created");
    }

    @Test
    void shouldRefuseDirectoryReachedThroughLinkToFolderWritableByOthers() throws IOException
    {
        final Path shared = Files.createDirectory(tempDir.resolve("pub"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---"));
        final Path link = Files.createSymbolicLink(tempDir.resolve("link"), shared);

        final IOException ex = assertThrows(
            IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(link.resolve("sl")));

        assertEquals(shared + " is writable by group or others without the sticky bit (mode 0770); another user " +
            "could replace what is in it", ex.getMessage());
    }

    @Test
    void shouldAcceptDirectoryUnderFolderWritableByOthersWithStickyBit() throws IOException
    {
        final Path shared = Files.createDirectory(tempDir.resolve("tmp"));
        Files.setAttribute(shared, "unix:mode", 01777);

        SharedMemoryFiles.createPrivateDirectory(shared.resolve("sl"));

        assertEquals("rwx------", mode(shared.resolve("sl")));
    }

    @Test
    void shouldRefuseDirectoryUnderFolderOwnedByAnotherUser() throws IOException
    {
        final UserPrincipal nobody = anotherUser();
        final Path theirs = Files.createDirectory(tempDir.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setOwner(theirs, nobody);

        final IOException ex = assertThrows(
            IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(theirs.resolve("sl")));

        assertEquals(theirs + " is owned by nobody, not by root (the listener's user); another user could replace " +
            "what is in it", ex.getMessage());
    }

    @Test
    void shouldMakeMissingFoldersAboveWithMode0755AtMost() throws IOException
    {
        final Path dir = tempDir.resolve("a").resolve("b").resolve("sluice-x");

        SharedMemoryFiles.createPrivateDirectory(dir);

        assertEquals("rwx------", mode(dir));
        assertTrue(Set.of("rwxr-xr-x", "rwxr-x---", "rwx------").contains(mode(tempDir.resolve("a"))),
            mode(tempDir.resolve("a")));
        assertTrue(Set.of("rwxr-xr-x", "rwxr-x---", "rwx------").contains(mode(tempDir.resolve("a").resolve("b"))));
    }

    @Test
    void shouldGiveOperatingSystemReasonWhenFolderAboveIsFile() throws IOException
    {
        final Path file = Files.write(tempDir.resolve("file"), new byte[]{1});

        final IOException ex = assertThrows(
            IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(file.resolve("x")));

        assertEquals(file + ": Not a directory", SharedMemoryFiles.reason(ex));
        final IOException deeper = assertThrows(
            IOException.class, () -> SharedMemoryFiles.createPrivateDirectory(file.resolve("x").resolve("y")));
        assertEquals(file + ": Not a directory", SharedMemoryFiles.reason(deeper));
    }

    /**
     * A leftover as a killed listener leaves it: the marker, and a worker directory with its marker, ring file and
     * doorbell socket (a plain file here), all 0700/0600.
     */
    private static void leftover(final Path dir) throws IOException
    {
        final FileAttribute<Set<PosixFilePermission>> dirMode = PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------"));
        Files.createDirectory(dir, dirMode);
        Files.write(dir.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
        final Path worker = Files.createDirectory(dir.resolve("queue-0"), dirMode);
        Files.write(worker.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
        Files.write(worker.resolve(WorkerFileDescriptor.RINGS_FILE_NAME), new byte[]{1, 2, 3});
        Files.write(worker.resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME), new byte[0]);
    }

    private Path outsideDirectoryWithRings() throws IOException
    {
        final Path outside = Files.createDirectory(tempDir.resolve("outside"));
        Files.write(outside.resolve(WorkerFileDescriptor.RINGS_FILE_NAME), new byte[]{42});
        Files.write(outside.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[]{42});
        return outside;
    }

    private static UserPrincipal anotherUser() throws IOException
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "changing a file's owner needs root");
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
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

    private static String mode(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
