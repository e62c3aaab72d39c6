package io.sluice.listener.config;

import java.nio.file.Path;

/**
 * One log file: the access log of the listener or of a queue, or the error log ({@code listener.accessLog},
 * {@code listener.errorLog}, {@code queues[n].accessLog}).
 *
 * @param enabled          false: nothing is logged there.
 * @param path             the file; null when not enabled.
 * @param rotateSizeLength rotate before the file passes this many bytes; {@link #ROTATE_SIZE_NEVER}: never by size.
 * @param rotateDaily      rotate when the UTC day changes.
 */
public record LogFileConfiguration(boolean enabled, Path path, long rotateSizeLength, boolean rotateDaily)
{
    /**
     * Rotation size meaning never by size.
     */
    public static final long ROTATE_SIZE_NEVER = 0;

    /**
     * Default rotation size: never by size.
     */
    public static final long ROTATE_SIZE_DEFAULT = ROTATE_SIZE_NEVER;

    /**
     * Default daily rotation: on, as IIS's daily log schedule.
     */
    public static final boolean ROTATE_DAILY_DEFAULT = true;

    /**
     * No log file: the default of the listener's access and error logs.
     */
    public static final LogFileConfiguration OFF =
        new LogFileConfiguration(false, null, ROTATE_SIZE_DEFAULT, ROTATE_DAILY_DEFAULT);

    /**
     * @param path a file, with the default rotation.
     * @return that log file, enabled.
     */
    public static LogFileConfiguration at(final Path path)
    {
        return new LogFileConfiguration(true, path, ROTATE_SIZE_DEFAULT, ROTATE_DAILY_DEFAULT);
    }
}
