package io.sluice.dispatch.shm;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Creating, mapping and removing the private shared-memory files: directories are 0700 and files 0600 from the
 * moment they exist (created with those modes, not changed afterwards).
 */
public final class SharedMemoryFiles
{
    /**
     * Name of the empty file that marks a directory as created by Sluice, so a leftover may be replaced.
     */
    public static final String MARKER_FILE_NAME = ".sluice";

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private SharedMemoryFiles()
    {
    }

    /**
     * Create a directory with mode 0700 holding the {@link #MARKER_FILE_NAME} marker, replacing a leftover of the same
     * name only when it is empty or carries the marker (a previous listener's); any other directory is refused.
     *
     * @param dir to create.
     * @throws IOException when it cannot be created.
     */
    public static void createPrivateDirectory(final Path dir) throws IOException
    {
        if (Files.isSymbolicLink(dir))
        {
            Files.delete(dir);
        }
        else if (Files.exists(dir))
        {
            if (!isEmptyDirectory(dir) && !Files.exists(dir.resolve(MARKER_FILE_NAME)))
            {
                throw new IOException("refusing to replace a directory Sluice did not create: " + dir);
            }
            deleteRecursively(dir);
        }
        if (null != dir.getParent())
        {
            Files.createDirectories(dir.getParent());
        }
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        Files.createFile(dir.resolve(MARKER_FILE_NAME), PosixFilePermissions.asFileAttribute(FILE_MODE));
    }

    private static boolean isEmptyDirectory(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * Create a file of the given length with mode 0600 and map it read-write.
     *
     * @param file   to create; must not exist.
     * @param length in bytes.
     * @return the mapping.
     * @throws IOException when it cannot be created or mapped.
     */
    public static MappedByteBuffer createAndMap(final Path file, final long length) throws IOException
    {
        try
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IOException("shared-memory file already exists: " + file, ex);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            channel.truncate(length);
            channel.position(length - 1);
            channel.write(java.nio.ByteBuffer.wrap(new byte[1]));
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
    }

    /**
     * Map an existing file read-write.
     *
     * @param file to map.
     * @return the mapping of the whole file.
     * @throws IOException when it cannot be mapped.
     */
    public static MappedByteBuffer mapExisting(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }
    }

    /**
     * Remove a directory and everything in it; missing is fine.
     *
     * @param dir to remove.
     * @throws IOException when something cannot be removed.
     */
    public static void deleteRecursively(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
