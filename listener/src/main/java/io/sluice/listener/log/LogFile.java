package io.sluice.listener.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * One log file, as the writer thread holds it: opened for append without following a symbolic link, created with
 * mode 0640 (its directory, when missing, 0750), written from a buffer of lines in batches. Rotated when the next
 * batch would take it past its size limit, or when the UTC day changed since it was opened: renamed with a
 * {@code .yyyyMMdd-HHmmss} suffix (the time of the rotation, UTC) and created anew. Every file starts with the W3C
 * directives. Used by the writer thread only.
 */
final class LogFile
{
    /**
     * Bytes of lines buffered before they are written.
     */
    static final int BUFFER_LENGTH = 128 * 1024;

    private static final long MS_PER_DAY = 86_400_000L;
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final int MAX_SUFFIX_ATTEMPTS = 1000;

    private final Path path;
    private final long rotateSizeLength;
    private final boolean rotateDaily;
    private final String fields;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_LENGTH);
    private FileChannel channel;
    private long fileLength;
    private long openDay;
    private long openLength;

    /**
     * @param path             the file.
     * @param rotateSizeLength rotate before the file passes this many bytes; 0: never by size.
     * @param rotateDaily      rotate when the UTC day changes.
     * @param fields           the {@code #Fields} directive's fields.
     */
    LogFile(final Path path, final long rotateSizeLength, final boolean rotateDaily, final String fields)
    {
        this.path = path;
        this.rotateSizeLength = rotateSizeLength;
        this.rotateDaily = rotateDaily;
        this.fields = fields;
    }

    Path path()
    {
        return path;
    }

    String fields()
    {
        return fields;
    }

    /**
     * @return the buffer lines are formatted into; {@link #makeRoom} first.
     */
    ByteBuffer buffer()
    {
        return buffer;
    }

    /**
     * Open (or create) the file and write its directives.
     *
     * @param nowMs the wall clock now.
     * @throws UncheckedIOException when it cannot be opened.
     */
    void open(final long nowMs)
    {
        open(nowMs, true);
    }

    private void open(final long nowMs, final boolean directivesAlways)
    {
        try
        {
            final Path parent = path.getParent();
            if (null != parent && !Files.isDirectory(parent))
            {
                Files.createDirectories(
                    parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
            }
            channel = FileChannel.open(
                path,
                Set.of(
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND,
                    LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
            fileLength = channel.size();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open log file " + path + ": " + ex.getMessage(), ex);
        }
        openDay = Math.floorDiv(nowMs, MS_PER_DAY);
        if (directivesAlways || 0 == fileLength)
        {
            buffer.put(W3cFormat.directives(fields, nowMs));
        }
        openLength = fileLength + buffer.position();
    }

    /**
     * Before a line of at most {@code lineLength} bytes: rotate when due, and write the buffer when it has no room.
     *
     * @param lineLength the longest the line can be.
     * @param recordMs   the record's wall-clock time.
     * @throws IOException when writing or rotating fails.
     */
    void makeRoom(final int lineLength, final long recordMs) throws IOException
    {
        final boolean newDay = rotateDaily && Math.floorDiv(recordMs, MS_PER_DAY) != openDay;
        final boolean full = rotateSizeLength > 0 && fileLength + buffer.position() + lineLength > rotateSizeLength &&
            fileLength + buffer.position() > openLength;
        if (newDay || full)
        {
            rotate(recordMs);
        }
        if (buffer.remaining() < lineLength)
        {
            flush();
        }
    }

    /**
     * Write what is buffered.
     *
     * @throws IOException when writing fails.
     */
    void flush() throws IOException
    {
        if (0 == buffer.position())
        {
            return;
        }
        buffer.flip();
        if (null != channel)
        {
            while (buffer.hasRemaining())
            {
                fileLength += channel.write(buffer);
            }
        }
        buffer.clear();
    }

    /**
     * Write what is buffered, close the file, and open the file at the same path again (logrotate moved it). A file
     * that was not moved (still there, not empty) goes on without its directives again.
     *
     * @param nowMs the wall clock now.
     * @throws IOException when writing or closing fails.
     */
    void reopen(final long nowMs) throws IOException
    {
        flush();
        close();
        open(nowMs, false);
    }

    /**
     * Write what is buffered and close the file.
     *
     * @throws IOException when writing or closing fails.
     */
    void close() throws IOException
    {
        try
        {
            flush();
        }
        finally
        {
            if (null != channel)
            {
                channel.close();
                channel = null;
            }
        }
    }

    private void rotate(final long nowMs) throws IOException
    {
        // what was buffered belongs to the old file
        flush();
        close();
        final String suffix =
            SUFFIX.format(LocalDateTime.ofEpochSecond(Math.floorDiv(nowMs, 1000L), 0, ZoneOffset.UTC));
        Path target = path.resolveSibling(path.getFileName() + "." + suffix);
        for (int i = 1; i < MAX_SUFFIX_ATTEMPTS; i++)
        {
            try
            {
                if (Files.exists(path, LinkOption.NOFOLLOW_LINKS))
                {
                    Files.move(path, target);
                }
                break;
            }
            catch (final FileAlreadyExistsException ex)
            {
                target = path.resolveSibling(path.getFileName() + "." + suffix + "-" + i);
            }
        }
        open(nowMs);
    }
}
