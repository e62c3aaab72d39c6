package io.sluice.dispatch.shm;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Creating, mapping and removing the private shared-memory files: directories are 0700 and files 0600 from the
 * moment they exist (created with those modes, not changed afterwards).
 * <p>
 * A directory is used only when it is a real directory (not a symbolic link) owned by this process's user with mode
 * 0700; anything else is refused, so that another local user cannot hand the listener a directory of theirs.
 * Removal deletes only the names Sluice creates ({@link #MARKER_FILE_NAME}, {@link WorkerFileDescriptor#RINGS_FILE_NAME},
 * {@link WorkerFileDescriptor#DOORBELL_FILE_NAME} and the per-worker directories {@code <queue>-<index>}), each relative
 * to an open handle of its directory without following links ({@link SecureDirectoryStream}, available on Linux):
 * swapping a directory for a symbolic link while it is being removed cannot make the listener delete anything else.
 * A name Sluice did not create is never deleted: a directory holding one is refused when taken over and left in place
 * when removed.
 */
public final class SharedMemoryFiles
{
    /**
     * Name of the empty file that marks a directory as created by Sluice, so a leftover may be replaced.
     */
    public static final String MARKER_FILE_NAME = ".sluice";

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<String> FILE_NAMES = Set.of(
        MARKER_FILE_NAME, WorkerFileDescriptor.RINGS_FILE_NAME, WorkerFileDescriptor.DOORBELL_FILE_NAME);
    private static final Pattern WORKER_DIRECTORY_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}-[0-9]{1,3}");
    private static final Set<OpenOption> CREATE_MARKER = Set.of(
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final Path PROCESS_OWNER_PATH = Path.of("/proc/self");
    private static final int ANY_MODE = 0;
    private static final int FIX_MODE = 1;
    private static final int CHECK_MODE = 2;
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
     * Create a directory with mode 0700 holding the {@link #MARKER_FILE_NAME} marker. A directory of that name that
     * exists already is taken over only when it is a directory (not a symbolic link) owned by this process's user, with
     * mode 0700, and either empty or holding the marker and nothing but names Sluice creates (a previous listener's
     * leftover, which is then emptied); anything else is refused and left as it is.
     *
     * @param dir to create.
     * @throws IOException when it cannot be created or is refused; the message names the reason.
     */
    public static void createPrivateDirectory(final Path dir) throws IOException
    {
        final Path absolute = dir.toAbsolutePath();
        final Path parent = absolute.getParent();
        if (null == parent)
        {
            throw new IOException("cannot use the root directory: " + dir);
        }
        Files.createDirectories(parent);
        boolean created = true;
        try
        {
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(DIR_MODE));
        }
        catch (final FileAlreadyExistsException ex)
        {
            created = false;
        }

        try (SecureDirectoryStream<Path> parentStream = openDirectory(parent);
            SecureDirectoryStream<Path> own = openOwnDirectory(parentStream, absolute, created ? FIX_MODE : ANY_MODE))
        {
            if (!created)
            {
                final List<String> names = names(own);
                if (!names.isEmpty() && !names.contains(MARKER_FILE_NAME))
                {
                    throw new IOException("refusing to replace a directory Sluice did not create: " + dir);
                }
                checkMode(own, absolute);
                final List<String> foreign = new ArrayList<>();
                visit(own, names, absolute, 0, false, foreign, NO_HOOK);
                if (!foreign.isEmpty())
                {
                    throw new IOException("refusing to replace " + dir + ": it holds " + String.join(", ", foreign) +
                        ", which Sluice did not create; remove " + (foreign.size() == 1 ? "it" : "them") +
                        " or the directory");
                }
                visit(own, names, absolute, 0, true, foreign, NO_HOOK);
            }
            own.newByteChannel(Path.of(MARKER_FILE_NAME), CREATE_MARKER, PosixFilePermissions.asFileAttribute(FILE_MODE))
                .close();
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
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
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
        final Path absolute = dir.toAbsolutePath();
        final Path parent = absolute.getParent();
        if (null == parent || !Files.exists(absolute, LinkOption.NOFOLLOW_LINKS))
        {
            return List.of();
        }
        final List<String> foreign = new ArrayList<>();
        try (SecureDirectoryStream<Path> parentStream = openDirectory(parent))
        {
            try (SecureDirectoryStream<Path> own = openOwnDirectory(parentStream, absolute, ANY_MODE))
            {
                visit(own, names(own), absolute, 0, true, foreign, onSubdirOpen);
            }
            if (foreign.isEmpty())
            {
                parentStream.deleteDirectory(absolute.getFileName());
            }
        }
        catch (final NoSuchFileException ex)
        {
            // removed meanwhile
        }
        return foreign;
    }

    private static SecureDirectoryStream<Path> openDirectory(final Path dir) throws IOException
    {
        final DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
        if (!(stream instanceof SecureDirectoryStream))
        {
            stream.close();
            throw new IOException("this platform cannot open directories race-free (no SecureDirectoryStream): " + dir);
        }
        return (SecureDirectoryStream<Path>)stream;
    }

    /**
     * Open {@code dir} through its parent without following a link, and check it is a directory owned by this
     * process's user; {@link #FIX_MODE}: one this process has just made, whose mode may have lost bits to the umask, is
     * set to 0700; {@link #CHECK_MODE}: the mode must be 0700; {@link #ANY_MODE}: not checked.
     */
    private static SecureDirectoryStream<Path> openOwnDirectory(
        final SecureDirectoryStream<Path> parent, final Path dir, final int modeAction) throws IOException
    {
        final Path name = dir.getFileName();
        final PosixFileAttributes linkAttributes = parent
            .getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .readAttributes();
        if (linkAttributes.isSymbolicLink())
        {
            throw new IOException(dir + " is a symbolic link; Sluice uses only a directory it created");
        }
        if (!linkAttributes.isDirectory())
        {
            throw new IOException(dir + " is not a directory");
        }
        final SecureDirectoryStream<Path> stream;
        try
        {
            stream = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException ex)
        {
            throw new IOException(dir + " cannot be opened without following links: " + ex.getMessage(), ex);
        }
        try
        {
            final PosixFileAttributeView view = stream.getFileAttributeView(PosixFileAttributeView.class);
            final PosixFileAttributes attributes = view.readAttributes();
            final UserPrincipal processOwner = processOwner();
            if (!processOwner.equals(attributes.owner()))
            {
                throw new IOException(dir + " is owned by " + attributes.owner().getName() + ", not by " +
                    processOwner.getName() + " (the listener's user)");
            }
            if (FIX_MODE == modeAction && !DIR_MODE.equals(attributes.permissions()))
            {
                view.setPermissions(DIR_MODE);
            }
            else if (CHECK_MODE == modeAction)
            {
                checkMode(stream, dir);
            }
            return stream;
        }
        catch (final IOException | RuntimeException ex)
        {
            stream.close();
            throw ex;
        }
    }

    private static void checkMode(final SecureDirectoryStream<Path> stream, final Path dir) throws IOException
    {
        final Set<PosixFilePermission> permissions = stream
            .getFileAttributeView(PosixFileAttributeView.class)
            .readAttributes()
            .permissions();
        if (!DIR_MODE.equals(permissions))
        {
            throw new IOException(dir + " has mode " + octal(permissions) + ", not 0700");
        }
    }

    /**
     * Walk the names Sluice creates in an open directory; with {@code delete}, remove them. Every other entry is added
     * to {@code foreign} and left alone. Depth 0 is the listener's directory (which may hold worker directories),
     * depth 1 a worker directory.
     */
    private static void visit(
        final SecureDirectoryStream<Path> dir,
        final List<String> names,
        final Path path,
        final int depth,
        final boolean delete,
        final List<String> foreign,
        final Consumer<Path> onSubdirOpen) throws IOException
    {
        for (final String name : names)
        {
            final Path relative = Path.of(name);
            final PosixFileAttributes attributes;
            try
            {
                attributes = dir
                    .getFileAttributeView(relative, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            }
            catch (final NoSuchFileException ex)
            {
                continue;
            }
            final String shown = 0 == depth ? name : path.getFileName() + "/" + name;
            if (FILE_NAMES.contains(name) && (attributes.isRegularFile() || attributes.isOther()))
            {
                if (delete)
                {
                    dir.deleteFile(relative);
                }
            }
            else if (0 == depth && WORKER_DIRECTORY_NAME.matcher(name).matches() && attributes.isDirectory())
            {
                final Path subdirPath = path.resolve(name);
                final SecureDirectoryStream<Path> subdir;
                try
                {
                    subdir = openOwnDirectory(dir, subdirPath, CHECK_MODE);
                }
                catch (final IOException ex)
                {
                    foreign.add(shown + " (" + ex.getMessage() + ")");
                    continue;
                }
                final int foreignBefore = foreign.size();
                try (subdir)
                {
                    onSubdirOpen.accept(subdirPath);
                    visit(subdir, names(subdir), subdirPath, depth + 1, delete, foreign, onSubdirOpen);
                }
                if (delete && foreign.size() == foreignBefore)
                {
                    try
                    {
                        // fails, deleting nothing, when the name is no longer an empty directory (swapped, or added to)
                        dir.deleteDirectory(relative);
                    }
                    catch (final IOException ex)
                    {
                        foreign.add(shown + " (cannot remove: " + ex.getMessage() + ")");
                    }
                }
            }
            else
            {
                foreign.add(shown + (attributes.isSymbolicLink() ? " (a symbolic link)" :
                    attributes.isDirectory() ? " (a directory)" : ""));
            }
        }
    }

    private static List<String> names(final SecureDirectoryStream<Path> dir)
    {
        final List<String> names = new ArrayList<>();
        for (final Path entry : dir)
        {
            names.add(entry.getFileName().toString());
        }
        names.sort(null);
        return names;
    }

    private static UserPrincipal processOwner() throws IOException
    {
        // the owner of /proc/self is the process's effective user
        return Files.readAttributes(PROCESS_OWNER_PATH, PosixFileAttributes.class).owner();
    }

    private static String octal(final Set<PosixFilePermission> permissions)
    {
        int mode = 0;
        for (final PosixFilePermission permission : permissions)
        {
            mode |= 0400 >> permission.ordinal();
        }
        return String.format("0%03o", mode);
    }
}
