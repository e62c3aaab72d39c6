package io.sluice.dispatch.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Creating, mapping and removing the private shared-memory files: directories are 0700 and files 0600 from the
 * moment they exist (created with those modes, not changed afterwards).
 * <p>
 * A directory is used only when it is a real directory (not a symbolic link) owned by this process's user with mode
 * 0700; anything else is refused, so that another local user cannot hand the listener a directory of theirs.
 * Removal deletes only the names Sluice creates ({@link #MARKER_FILE_NAME},
 * {@link CountersFileDescriptor#COUNTERS_FILE_NAME}, {@link WorkerFileDescriptor#RINGS_FILE_NAME},
 * {@link WorkerFileDescriptor#DOORBELL_FILE_NAME} and the per-worker directories {@code <queue>-<index>}), each relative
 * to an open handle of its directory without following links ({@link SecureDirectoryStream}, available on Linux):
 * swapping a directory for a symbolic link while it is being removed cannot make the listener delete anything else.
 * A name Sluice did not create is never deleted: a directory holding one is refused when taken over and left in place
 * when removed.
 * <p>
 * A listener holds its directory ({@link #openPrivateDirectory(Path)}): the marker stays open with an exclusive lock
 * for the listener's life, so a second listener naming the same directory is refused instead of taking over a live
 * one; and every directory above it must be safe from other users (owned by root or this user, sticky when writable
 * by group or others), so that the paths Java can only use by name cannot be redirected.
 */
public final class SharedMemoryFiles
{
    /**
     * Name of the empty file that marks a directory as created by Sluice, so a leftover may be replaced.
     */
    public static final String MARKER_FILE_NAME = ".sluice";

    private static final Set<Object> HELD = new HashSet<>();
    private static final Consumer<Path> NO_HOOK = (dir) -> {};

    private SharedMemoryFiles()
    {
    }

    /**
     * @param queueName name of a shared-memory queue.
     * @param index     index of the worker in the queue.
     * @return name of that worker's directory inside the listener's shared-memory directory.
     */
    public static String workerDirectoryName(final String queueName, final int index)
    {
        return queueName + "-" + index;
    }

    /**
     * Create a directory with mode 0700 holding the {@link #MARKER_FILE_NAME} marker, as
     * {@link #openPrivateDirectory(Path)} does, and release it at once: the directory stays, free for the next owner.
     *
     * @param dir to create.
     * @throws IOException when it cannot be created or is refused; the message names the reason.
     */
    public static void createPrivateDirectory(final Path dir) throws IOException
    {
        openPrivateDirectory(dir).close();
    }

    /**
     * Create a directory with mode 0700 holding the {@link #MARKER_FILE_NAME} marker, and hold it: the marker stays
     * open (opened without following links) with an exclusive lock until {@link PrivateDirectory#close()}, so that a
     * second listener naming the same directory is refused while this one lives. The kernel releases the lock when
     * the process dies, however it dies, so a killed listener's directory is free for the next one.
     * <p>
     * A directory of that name that exists already is taken over only when its marker is not locked, and it is a
     * directory (not a symbolic link) owned by this process's user, with mode 0700, either empty or holding the marker
     * and nothing but names Sluice creates (a previous listener's leftover, which is then emptied); anything else is
     * refused and left as it is.
     * <p>
     * Every directory above it must be safe from other local users, or one of them could swap the directory (or a
     * folder above it) for a symbolic link between the checks and a later use by path (a worker's doorbell socket can
     * only be bound by path, see {@link PrivateDirectory}): each must be owned by root or by this process's user, and
     * a directory writable by group or others must have the sticky bit (as {@code /tmp} and {@code /dev/shm} have).
     * Symbolic links on the way are followed for this check, and must be owned by root or this process's user too.
     * Missing folders are made (mode 0755 at most) from the top down, each in a folder already checked.
     *
     * @param dir to create.
     * @return the held directory; close it to release the lock (this does not remove the directory, see
     * {@link #deletePrivateDirectory(Path)}).
     * @throws IOException when it cannot be created or is refused; the message names the reason, e.g.
     *                     {@code in use by listener pid 1234}.
     */
    public static PrivateDirectory openPrivateDirectory(final Path dir) throws IOException
    {
        final Path absolute = dir.toAbsolutePath();
        final Path parent = absolute.getParent();
        if (null == parent)
        {
            throw new IOException("cannot use the root directory: " + dir);
        }
        final int uid = OwnDirectories.processUid();
        // each folder is checked before anything is made in it, and made (0755 at most) only when missing
        OwnDirectories.checkFolders(parent, uid, true, 0);
        boolean created = true;
        try
        {
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(OwnDirectories.DIR_MODE));
        }
        catch (final FileAlreadyExistsException ex)
        {
            created = false;
        }

        SecureDirectoryStream<Path> own = null;
        FileChannel marker = null;
        Object heldKey = null;
        try
        {
            try (SecureDirectoryStream<Path> parentStream = OwnDirectories.openDirectory(parent))
            {
                own = OwnDirectories.openOwnDirectory(
                    parentStream, absolute, created ? OwnDirectories.FIX_MODE : OwnDirectories.ANY_MODE);
            }
            final Object key = own.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
            synchronized (HELD)
            {
                // a second channel on the marker must not be opened then closed in this process: closing any
                // descriptor of a file releases the process's lock on it
                if (!HELD.add(key))
                {
                    throw new IOException("in use by listener pid " + ProcessHandle.current().pid());
                }
            }
            heldKey = key;
            final List<String> names = OwnDirectories.names(own);
            if (!created)
            {
                if (!names.isEmpty() && !names.contains(MARKER_FILE_NAME))
                {
                    throw new IOException("refusing to replace a directory Sluice did not create: " + dir);
                }
                OwnDirectories.checkMode(own, absolute);
            }
            marker = OwnDirectories.openMarker(own, absolute);
            final FileLock lock = OwnDirectories.lock(marker);
            if (!created)
            {
                final List<String> foreign = new ArrayList<>();
                OwnDirectories.visit(own, names, absolute, 0, false, foreign, NO_HOOK);
                if (!foreign.isEmpty())
                {
                    throw new IOException("refusing to replace " + dir + ": it holds " + String.join(", ", foreign) +
                        ", which Sluice did not create; remove " + (foreign.size() == 1 ? "it" : "them") +
                        " or the directory");
                }
                final List<String> replaced = new ArrayList<>(names);
                replaced.remove(MARKER_FILE_NAME);
                OwnDirectories.visit(own, replaced, absolute, 0, true, foreign, NO_HOOK);
            }
            marker.truncate(0);
            marker.write(ByteBuffer.wrap(
                (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new PrivateDirectory(absolute, own, marker, lock, heldKey);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(marker, ex);
            closeQuietly(own, ex);
            release(heldKey);
            throw ex;
        }
    }

    private static void release(final Object heldKey)
    {
        if (null != heldKey)
        {
            synchronized (HELD)
            {
                HELD.remove(heldKey);
            }
        }
    }

    private static void closeQuietly(final AutoCloseable closeable, final Exception failure)
    {
        if (null != closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ex)
            {
                failure.addSuppressed(ex);
            }
        }
    }

    /**
     * Describe a failure to create or open a file in one line, with the operating system's reason (e.g.
     * {@code /etc/passwd: Not a directory}).
     *
     * @param ex the failure.
     * @return one line.
     */
    public static String reason(final IOException ex)
    {
        if (ex instanceof FileSystemException)
        {
            final FileSystemException fileEx = (FileSystemException)ex;
            final String reason = null != fileEx.getReason() ? fileEx.getReason() :
                ex instanceof NoSuchFileException ? "No such file or directory" :
                ex instanceof AccessDeniedException ? "Permission denied" :
                ex instanceof FileAlreadyExistsException ? "File exists" :
                ex instanceof NotDirectoryException ? "Not a directory" : ex.getClass().getSimpleName();
            return (null == fileEx.getFile() ? "" : fileEx.getFile() + ": ") + reason;
        }
        return null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage();
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
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OwnDirectories.FILE_MODE));
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IOException("shared-memory file already exists: " + file, ex);
        }
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
        {
            return extendAndMap(channel, length);
        }
    }

    private static MappedByteBuffer extendAndMap(final FileChannel channel, final long length) throws IOException
    {
        channel.truncate(length);
        channel.position(length - 1);
        channel.write(ByteBuffer.wrap(new byte[1]));
        return channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
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
     * Remove a directory made by {@link #createPrivateDirectory(Path)}: the names Sluice creates in it and in its
     * worker directories, then the directory itself when nothing else is left. Anything else stays where it is, with
     * the directories that hold it. Missing is fine.
     *
     * @param dir to remove.
     * @return the entries left because Sluice did not create them (paths relative to {@code dir}); empty when
     * {@code dir} is gone.
     * @throws IOException when {@code dir} is not a directory owned by this process's user (nothing is removed then), or
     *                     something cannot be removed.
     */
    public static List<String> deletePrivateDirectory(final Path dir) throws IOException
    {
        return deletePrivateDirectory(dir, NO_HOOK);
    }

    /**
     * {@link #deletePrivateDirectory(Path)} with a hook for tests.
     *
     * @param dir          to remove.
     * @param onSubdirOpen called with the path of each worker directory once it is open, before its entries are
     *                     deleted: where a path-based removal would be exposed to a swap.
     * @return the entries left.
     * @throws IOException as {@link #deletePrivateDirectory(Path)}.
     */
    static List<String> deletePrivateDirectory(final Path dir, final Consumer<Path> onSubdirOpen) throws IOException
    {
        return OwnDirectories.delete(dir, onSubdirOpen);
    }

    /**
     * A shared-memory directory held by {@link #openPrivateDirectory(Path)}: its marker locked, and an open handle of
     * the directory through which the worker directories are checked and their files created without following links.
     * <p>
     * Two things cannot be done relative to a handle in Java: creating a directory (there is no {@code mkdirat}) and
     * binding a Unix socket (a socket address is a path). A worker directory is therefore created by path and then
     * opened through the handle without following links and checked (a directory owned by this user, mode 0700) before
     * anything is created in it; its doorbell socket is bound by path. What makes these paths safe is that no other
     * user can change any name on them: the directory itself is 0700 and owned by this user, and
     * {@link #openPrivateDirectory(Path)} refused it unless every directory above it is owned by root or this user and,
     * when writable by group or others, has the sticky bit.
     */
    public static final class PrivateDirectory implements AutoCloseable
    {
        private final Path path;
        private final SecureDirectoryStream<Path> handle;
        private final FileChannel marker;
        private final FileLock lock;
        private final Object heldKey;
        private boolean closed;

        PrivateDirectory(
            final Path path,
            final SecureDirectoryStream<Path> handle,
            final FileChannel marker,
            final FileLock lock,
            final Object heldKey)
        {
            this.path = path;
            this.handle = handle;
            this.marker = marker;
            this.lock = lock;
            this.heldKey = heldKey;
        }

        /**
         * @return the directory's absolute path.
         */
        public Path path()
        {
            return path;
        }

        /**
         * Create a worker directory (mode 0700, holding its {@link #MARKER_FILE_NAME}) in this directory.
         *
         * @param name of the worker directory, see {@link #workerDirectoryName(String, int)}.
         * @return its path.
         * @throws IOException when it cannot be created, exists already, or is not what was created.
         */
        public Path createWorkerDirectory(final String name) throws IOException
        {
            checkWorkerName(name);
            final Path dir = path.resolve(name);
            // by path: Java has no mkdirat; the name is checked through the handle before use
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OwnDirectories.DIR_MODE));
            try (SecureDirectoryStream<Path> worker =
                OwnDirectories.openOwnDirectory(handle, dir, OwnDirectories.FIX_MODE))
            {
                worker.newByteChannel(
                    Path.of(MARKER_FILE_NAME), OwnDirectories.CREATE_MARKER,
                    PosixFilePermissions.asFileAttribute(OwnDirectories.FILE_MODE)).close();
            }
            return dir;
        }

        /**
         * Create a file of the given length with mode 0600 in a worker directory and map it read-write; the worker
         * directory is opened through this directory's handle, and the file created in it, without following links.
         *
         * @param workerDirectory name of a worker directory made by {@link #createWorkerDirectory(String)}.
         * @param fileName        name of the file; must not exist.
         * @param length          in bytes.
         * @return the mapping.
         * @throws IOException when it cannot be created or mapped.
         */
        public MappedByteBuffer createAndMap(final String workerDirectory, final String fileName, final long length)
            throws IOException
        {
            checkWorkerName(workerDirectory);
            try (SecureDirectoryStream<Path> worker =
                OwnDirectories.openOwnDirectory(handle, path.resolve(workerDirectory), OwnDirectories.CHECK_MODE))
            {
                final SeekableByteChannel channel;
                try
                {
                    channel = worker.newByteChannel(
                        Path.of(fileName), OwnDirectories.CREATE_FILE,
                        PosixFilePermissions.asFileAttribute(OwnDirectories.FILE_MODE));
                }
                catch (final FileAlreadyExistsException ex)
                {
                    throw new IOException("shared-memory file already exists: " +
                        path.resolve(workerDirectory).resolve(fileName), ex);
                }
                try (channel)
                {
                    if (!(channel instanceof FileChannel))
                    {
                        throw new IOException("this platform cannot map a file opened relative to a directory");
                    }
                    return extendAndMap((FileChannel)channel, length);
                }
            }
        }

        /**
         * Create the listener's counters file ({@link CountersFileDescriptor#COUNTERS_FILE_NAME}, mode 0600) in this
         * directory through its handle, without following links, and map it read-write.
         *
         * @param length in bytes.
         * @return the mapping.
         * @throws IOException when it cannot be created or mapped, or exists already.
         */
        public MappedByteBuffer createCountersFile(final long length) throws IOException
        {
            final SeekableByteChannel channel;
            try
            {
                channel = handle.newByteChannel(
                    Path.of(CountersFileDescriptor.COUNTERS_FILE_NAME), OwnDirectories.CREATE_FILE,
                    PosixFilePermissions.asFileAttribute(OwnDirectories.FILE_MODE));
            }
            catch (final FileAlreadyExistsException ex)
            {
                throw new IOException("shared-memory file already exists: " +
                    path.resolve(CountersFileDescriptor.COUNTERS_FILE_NAME), ex);
            }
            try (channel)
            {
                if (!(channel instanceof FileChannel))
                {
                    throw new IOException("this platform cannot map a file opened relative to a directory");
                }
                return extendAndMap((FileChannel)channel, length);
            }
        }

        /**
         * Release the lock and the handle; the directory stays (see {@link #deletePrivateDirectory(Path)}).
         */
        public void close()
        {
            if (closed)
            {
                return;
            }
            closed = true;
            try
            {
                lock.release();
            }
            catch (final IOException ex)
            {
                // closing the channel releases it too
            }
            try
            {
                marker.close();
            }
            catch (final IOException ex)
            {
                // nothing else holds it
            }
            try
            {
                handle.close();
            }
            catch (final IOException ex)
            {
                // nothing else holds it
            }
            release(heldKey);
        }

        private static void checkWorkerName(final String name) throws IOException
        {
            if (!OwnDirectories.WORKER_DIRECTORY_NAME.matcher(name).matches())
            {
                throw new IOException("not a worker directory name: " + name);
            }
        }
    }
}
