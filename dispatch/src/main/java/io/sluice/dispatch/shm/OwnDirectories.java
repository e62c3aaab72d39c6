package io.sluice.dispatch.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
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
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The checks behind {@link SharedMemoryFiles}: opening a directory through a handle without following links, only
 * when it is a real directory owned by this process's user with the expected mode; the folders above a private
 * directory safe from other users; and the removal of the names Sluice creates, relative to open handles.
 */
final class OwnDirectories
{
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Pattern WORKER_DIRECTORY_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}-[0-9]{1,3}");
    static final Set<OpenOption> CREATE_MARKER = Set.of(
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    static final Set<OpenOption> OPEN_MARKER = Set.of(
        StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    static final Set<OpenOption> CREATE_FILE = Set.of(
        StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    static final Path PROCESS_OWNER_PATH = Path.of("/proc/self");
    static final Pattern PID = Pattern.compile("[0-9]{1,19}");
    static final int MAX_MARKER_LENGTH = 32;
    static final int MAX_LINK_DEPTH = 40;
    static final int ROOT_UID = 0;
    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;
    static final int S_ISVTX = 01000;
    static final int GROUP_OTHER_WRITE = 0022;
    static final int MODE_BITS = 07777;
    static final int ANY_MODE = 0;
    static final int FIX_MODE = 1;
    static final int CHECK_MODE = 2;

    private OwnDirectories()
    {
    }

    /**
     * Check every folder of {@code absolute} from the root down, following symbolic links: each owned by root or
     * {@code uid}, a directory writable by group or others only with the sticky bit; with {@code create}, a missing
     * folder is made (mode 0755 at most) in its checked parent, and then checked.
     */
    static void checkFolders(final Path absolute, final int uid, final boolean create, final int depth)
        throws IOException
    {
        if (depth > MAX_LINK_DEPTH)
        {
            throw new IOException(absolute + ": Too many levels of symbolic links");
        }
        Path prefix = absolute.getRoot();
        for (int i = -1; i < absolute.getNameCount(); i++)
        {
            if (i >= 0)
            {
                prefix = prefix.resolve(absolute.getName(i));
                if (create && !Files.exists(prefix, LinkOption.NOFOLLOW_LINKS))
                {
                    try
                    {
                        Files.createDirectory(prefix, PosixFilePermissions.asFileAttribute(FOLDER_MODE));
                    }
                    catch (final FileAlreadyExistsException ex)
                    {
                        // made meanwhile: checked below, as every folder
                    }
                }
            }
            final Map<String, Object> attributes;
            try
            {
                attributes = Files.readAttributes(prefix, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            }
            catch (final NoSuchFileException ex)
            {
                if (create)
                {
                    throw ex;
                }
                return;
            }
            final int owner = (Integer)attributes.get("uid");
            final int mode = (Integer)attributes.get("mode");
            if (ROOT_UID != owner && uid != owner)
            {
                throw new IOException(prefix + " is owned by " +
                    Files.getOwner(prefix, LinkOption.NOFOLLOW_LINKS).getName() +
                    (ROOT_UID == uid ? ", not by root" : ", neither by root nor by " + processOwner().getName()) +
                    " (the listener's user); another user could replace what is in it");
            }
            if (S_IFLNK == (mode & S_IFMT))
            {
                // the link is in a checked folder and cannot be changed by another user; check where it leads
                checkFolders(prefix.getParent().resolve(Files.readSymbolicLink(prefix)), uid, false, depth + 1);
                continue;
            }
            if (S_IFDIR != (mode & S_IFMT))
            {
                throw new IOException(prefix + ": Not a directory");
            }
            if (0 != (mode & GROUP_OTHER_WRITE) && 0 == (mode & S_ISVTX))
            {
                throw new IOException(prefix + " is writable by group or others without the sticky bit (mode " +
                    String.format("0%o", mode & MODE_BITS) + "); another user could replace what is in it");
            }
        }
    }

    /**
     * Remove a private directory ({@link SharedMemoryFiles#deletePrivateDirectory(Path)}), with a hook for tests.
     *
     * @param dir          to remove.
     * @param onSubdirOpen called with the path of each worker directory once it is open, before its entries are
     *                     deleted: where a path-based removal would be exposed to a swap.
     * @return the entries left.
     * @throws IOException as {@link SharedMemoryFiles#deletePrivateDirectory(Path)}.
     */
    static List<String> delete(final Path dir, final Consumer<Path> onSubdirOpen) throws IOException
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

    static SecureDirectoryStream<Path> openDirectory(final Path dir) throws IOException
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
    static SecureDirectoryStream<Path> openOwnDirectory(
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

    static void checkMode(final SecureDirectoryStream<Path> stream, final Path dir) throws IOException
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
    static void visit(
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
            if (isOwnFileName(name) && (attributes.isRegularFile() || attributes.isOther()))
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

    static List<String> names(final SecureDirectoryStream<Path> dir)
    {
        final List<String> names = new ArrayList<>();
        for (final Path entry : dir)
        {
            names.add(entry.getFileName().toString());
        }
        names.sort(null);
        return names;
    }

    static int processUid() throws IOException
    {
        return (Integer)Files.getAttribute(PROCESS_OWNER_PATH, "unix:uid");
    }

    static UserPrincipal processOwner() throws IOException
    {
        // the owner of /proc/self is the process's effective user
        return Files.readAttributes(PROCESS_OWNER_PATH, PosixFileAttributes.class).owner();
    }

    static String octal(final Set<PosixFilePermission> permissions)
    {
        int mode = 0;
        for (final PosixFilePermission permission : permissions)
        {
            mode |= 0400 >> permission.ordinal();
        }
        return String.format("0%03o", mode);
    }

    /**
     * Open the marker of a directory without following a link: create it, or open the one there.
     */
    static FileChannel openMarker(final SecureDirectoryStream<Path> own, final Path dir) throws IOException
    {
        final Path name = Path.of(SharedMemoryFiles.MARKER_FILE_NAME);
        SeekableByteChannel channel;
        try
        {
            channel = own.newByteChannel(
                name, CREATE_MARKER, PosixFilePermissions.asFileAttribute(FILE_MODE));
        }
        catch (final FileAlreadyExistsException ex)
        {
            final PosixFileAttributes attributes = own
                .getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
            if (!attributes.isRegularFile())
            {
                throw new IOException("refusing to replace " + dir + ": its " + SharedMemoryFiles.MARKER_FILE_NAME +
                    " is not a regular file", ex);
            }
            channel = own.newByteChannel(name, OPEN_MARKER);
        }
        if (!(channel instanceof FileChannel))
        {
            channel.close();
            throw new IOException("this platform cannot lock a file opened relative to a directory: " + dir);
        }
        return (FileChannel)channel;
    }

    static FileLock lock(final FileChannel marker) throws IOException
    {
        FileLock lock;
        try
        {
            lock = marker.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            // this process holds it already
            lock = null;
        }
        if (null == lock)
        {
            final ByteBuffer content = ByteBuffer.allocate(MAX_MARKER_LENGTH);
            marker.read(content, 0);
            final String pid = new String(content.array(), 0, content.position(), StandardCharsets.US_ASCII).trim();
            throw new IOException(
                "in use by listener " + (PID.matcher(pid).matches() ? "pid " + pid : "(pid unknown)"));
        }
        return lock;
    }

    /**
     * @param name a name found in a directory Sluice created.
     * @return true when Sluice creates files of that name: the marker, the counters file, and every lane's ring file and
     * doorbell socket.
     */
    static boolean isOwnFileName(final String name)
    {
        return SharedMemoryFiles.MARKER_FILE_NAME.equals(name) ||
            CountersFileDescriptor.COUNTERS_FILE_NAME.equals(name) || WorkerFileDescriptor.isLaneFileName(name);
    }
}
