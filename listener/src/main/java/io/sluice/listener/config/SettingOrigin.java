package io.sluice.listener.config;

import java.util.HashSet;
import java.util.Set;

/**
 * Where the settings of one mapping of a context came from, so that {@code conclude()} names them as the file does:
 * the keys set (by a setter, or written in the file even as null) and, when read from a file, the file name, the
 * mapping's key path and each key's value as written. Every failure is a {@link ConfigException} reading
 * {@code <file>: <key path>: <problem> (was <value>)}, the value as written in the file, or as set in code.
 * <p>
 * A context made in code has no file: its messages name {@link #SOURCE_IN_CODE} and the key path the file would have.
 */
final class SettingOrigin
{
    /**
     * Source named in the messages of a context that was not read from a file.
     */
    static final String SOURCE_IN_CODE = "context";

    private final Set<String> keysSet = new HashSet<>();
    private ConfigSection read;
    private ConfigSection section;

    /**
     * @param section the mapping this context's settings are read from.
     */
    void readFrom(final ConfigSection section)
    {
        this.read = section;
    }

    /**
     * @param key a key whose setter was called.
     */
    void set(final String key)
    {
        keysSet.add(key);
    }

    /**
     * Fix the source and key path used in messages; the file's when read from one.
     *
     * @param path key path of the mapping, e.g. {@code queues[0].worker}, for a context made in code.
     * @return this.
     */
    SettingOrigin at(final String path)
    {
        section = null != read ? read : ConfigSection.of(SOURCE_IN_CODE, path, null);
        return this;
    }

    /**
     * @return the file name, or {@link #SOURCE_IN_CODE}.
     */
    String source()
    {
        return section.source();
    }

    /**
     * @param key a key of this mapping.
     * @return its full key path.
     */
    String pathOf(final String key)
    {
        return section.pathOf(key);
    }

    /**
     * @param key a key of this mapping.
     * @return true when its setter was called: a key written as null in the file takes its default and is not set.
     */
    boolean isSet(final String key)
    {
        return keysSet.contains(key);
    }

    /**
     * @param key a key of this mapping.
     * @return true when it was set, or written in the file even with a null value: the key is there.
     */
    boolean isWritten(final String key)
    {
        return keysSet.contains(key) || (null != read && read.contains(key));
    }

    /**
     * @param key     the key at fault.
     * @param problem what is wrong, complete.
     * @return the exception, message {@code <source>: <path>: <problem>}.
     */
    ConfigException error(final String key, final String problem)
    {
        return ConfigSection.error(source(), pathOf(key), problem);
    }

    /**
     * @param key     the key at fault.
     * @param problem what is wrong, e.g. {@code must be between 1 and 64}.
     * @param value   the value as set; the value as written in the file when it was read from one.
     * @return the exception, message {@code <source>: <path>: <problem> (was <value>)}.
     */
    ConfigException error(final String key, final String problem, final Object value)
    {
        return ConfigSection.error(source(), pathOf(key), problem, asWritten(key, value));
    }

    /**
     * @param key     the key at fault.
     * @param problem what is wrong.
     * @param value   the value to name, whatever was written (e.g. a value derived from another key).
     * @return the exception, message {@code <source>: <path>: <problem> (was <value>)}.
     */
    ConfigException errorNaming(final String key, final String problem, final Object value)
    {
        return ConfigSection.error(source(), pathOf(key), problem, value);
    }

    /**
     * @param key   a key holding a whole number.
     * @param value its value.
     * @param min   least allowed.
     * @param max   greatest allowed.
     * @return the value.
     * @throws ConfigException {@code must be between <min> and <max>} when out of range.
     */
    int between(final String key, final long value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw error(key, "must be between " + min + " and " + max, value);
        }
        return (int)value;
    }

    /**
     * @param key   a key holding a size in bytes.
     * @param value its value.
     * @param min   least allowed.
     * @return the value.
     * @throws ConfigException when less than {@code min} or more than {@link Integer#MAX_VALUE}.
     */
    int intSize(final String key, final long value, final int min)
    {
        if (value < min)
        {
            throw error(key, "must be at least " + min + " bytes", value);
        }
        if (value > Integer.MAX_VALUE)
        {
            throw error(key, "must be at most " + Integer.MAX_VALUE + " bytes", value);
        }
        return (int)value;
    }

    /**
     * @param key   a key holding a duration.
     * @param valueMs its value in ms.
     * @param minMs least allowed.
     * @param maxMs greatest allowed.
     * @return the value.
     * @throws ConfigException {@code must be between <min> and <max>}, both as durations, when out of range.
     */
    long durationMs(final String key, final long valueMs, final long minMs, final long maxMs)
    {
        if (valueMs < minMs || valueMs > maxMs)
        {
            throw error(
                key,
                "must be between " + ConfigValues.formatDurationMs(minMs) + " and " +
                ConfigValues.formatDurationMs(maxMs),
                valueMs);
        }
        return valueMs;
    }

    /**
     * @param key     a required text key.
     * @param value   its value, null when not set.
     * @return the value.
     * @throws ConfigException {@code missing required key}, or {@code must be text} when written as null.
     */
    String required(final String key, final String value)
    {
        if (null == value)
        {
            throw isWritten(key) ? error(key, "must be text", null) : error(key, "missing required key");
        }
        return value;
    }

    private Object asWritten(final String key, final Object value)
    {
        return null != read && read.contains(key) ? read.raw(key) : value;
    }
}
