package io.sluice.listener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The file through which {@code sluice reload} finds a running listener: {@code <run directory>/<listener id>.pid},
 * holding the listener's process id and a line end, written by {@code sluice run} once it serves and removed when it
 * stops. The run directory is {@code $XDG_RUNTIME_DIR/sluice} when that variable names a directory (a per-user tmpfs),
 * else {@code /tmp/sluice-<uid>}; it is made with mode 0700 and used only when it is a directory (not a symbolic link)
 * owned by this user and not open to others, so another local user cannot plant a pid there.
 */
final class PidFile
{
    private static final String RUNTIME_DIR_ENV_NAME = "XDG_RUNTIME_DIR";
    private static final String SUFFIX = ".pid";

    private PidFile()
    {
    }

    /**
     * @param listenerId the listener's id ({@code listener.id}).
     * @return the path of its pid file.
     */
    static Path of(final String listenerId)
    {
        return runDirectory().resolve(listenerId + SUFFIX);
    }

    /**
     * @return the run directory, not created.
     */
    static Path runDirectory()
    {
        final String runtime = System.getenv(RUNTIME_DIR_ENV_NAME);
        if (null != runtime && !runtime.isEmpty() && Path.of(runtime).isAbsolute() &&
            Files.isDirectory(Path.of(runtime)))
        {
            return Path.of(runtime, "sluice");
        }
        return Path.of("/tmp", "sluice-" + uid());
    }

    /**
     * Write this process's id to the file, atomically (a reader sees the old file or the whole new one).
     *
     * @param file the pid file.
     * @throws IOException when the run directory cannot be made or is not safe, or the file cannot be written.
     */
    static void write(final Path file) throws IOException
    {
        final Path directory = file.getParent();
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS))
        {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        }
        checkDirectory(directory);
        final Path temporary = directory.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.writeString(temporary, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Remove the file if it still holds this process's id (a listener started later with the same id owns it
     * otherwise).
     *
     * @param file the pid file.
     */
    static void removeOwn(final Path file)
    {
        remove(file, ProcessHandle.current().pid());
    }

    /**
     * Remove a listener's pid file if it still holds that listener's id: the listener could not (it was killed).
     *
     * @param listenerId the listener's id.
     * @param pid        its process id.
     */
    static void removeOf(final String listenerId, final long pid)
    {
        remove(of(listenerId), pid);
    }

    private static void remove(final Path file, final long pid)
    {
        try
        {
            if (read(file) == pid)
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            // gone already, or never written
        }
    }

    /**
     * @param file the pid file.
     * @return the process id it holds.
     * @throws IOException when it cannot be read, is in an unsafe directory, or holds no process id.
     */
    static long read(final Path file) throws IOException
    {
        checkDirectory(file.getParent());
        final String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException(file + " holds no process id", ex);
        }
    }

    private static void checkDirectory(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IOException(directory + " is not a directory");
        }
        final Object owner = Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        final int mode = (Integer)Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (!Integer.valueOf(uid()).equals(owner) || 0 != (mode & 0022))
        {
            throw new IOException(directory + " is not this user's own directory (owner uid " + owner + ", mode " +
                Integer.toOctalString(mode & 0777) + ")");
        }
    }

    private static int uid()
    {
        try
        {
            return (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new IllegalStateException("cannot read this process's uid: " + ex, ex);
        }
    }
}
