package io.sluice.listener.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One YAML mapping of the deployment file with its key path ({@code queues[1].worker}), giving typed, validated
 * values. Every failure is a {@link ConfigException} whose message reads {@code <file>: <key path>: <problem> (was
 * <value>)}. A key that is absent or set to null takes its default; a required key must be present.
 */
final class ConfigSection
{
    private final String source;
    private final String path;
    private final Map<?, ?> map;

    private ConfigSection(final String source, final String path, final Map<?, ?> map)
    {
        this.source = source;
        this.path = path;
        this.map = map;
    }

    /**
     * @param source file name used in messages.
     * @param path   key path of the mapping, empty for the top level.
     * @param value  as loaded from YAML; null means an empty mapping (every key takes its default).
     * @return the section.
     * @throws ConfigException when the value is not a mapping.
     */
    static ConfigSection of(final String source, final String path, final Object value)
    {
        if (null == value)
        {
            return new ConfigSection(source, path, Collections.emptyMap());
        }
        if (!(value instanceof Map))
        {
            throw error(source, path, "must be a mapping", value);
        }
        return new ConfigSection(source, path, (Map<?, ?>)value);
    }

    /**
     * @param source  file name.
     * @param path    key path, possibly empty.
     * @param problem what is wrong, e.g. {@code must be between 1 and 64}.
     * @param value   the value found.
     * @return the exception, message {@code <source>: <path>: <problem> (was <value>)}.
     */
    static ConfigException error(final String source, final String path, final String problem, final Object value)
    {
        return error(source, path, problem + " (was " + ConfigValues.describe(value) + ")");
    }

    /**
     * @param source  file name.
     * @param path    key path, possibly empty.
     * @param problem what is wrong, complete.
     * @return the exception, message {@code <source>: <path>: <problem>}.
     */
    static ConfigException error(final String source, final String path, final String problem)
    {
        return new ConfigException(source + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
    }

    /**
     * @return file name used in messages.
     */
    String source()
    {
        return source;
    }

    /**
     * @param key a key of this mapping.
     * @return the key's full path, e.g. {@code queues[0].worker.processes}.
     */
    String pathOf(final String key)
    {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * @param key a key of this mapping.
     * @return true when the key is written, even with a null value.
     */
    boolean contains(final String key)
    {
        return map.containsKey(key);
    }

    /**
     * @param key a key of this mapping.
     * @return the value, or null when absent or null.
     */
    Object raw(final String key)
    {
        return map.get(key);
    }

    /**
     * @param knownKeys every key this mapping may hold.
     * @throws ConfigException naming the first key, in file order, that is not one of them.
     */
    void rejectUnknownKeys(final String... knownKeys)
    {
        final List<String> known = Arrays.asList(knownKeys);
        for (final Object key : map.keySet())
        {
            if (!known.contains(key))
            {
                throw error(source, pathOf(String.valueOf(key)), "unknown key");
            }
        }
    }

    /**
     * @param key a key that must be present.
     * @throws ConfigException when it is not.
     */
    void require(final String key)
    {
        if (!map.containsKey(key))
        {
            throw error(source, pathOf(key), "missing required key");
        }
    }

    /**
     * @param key    a key of this mapping.
     * @param setter receives the value when the key is present and not null; the range is the setter's context's
     *               to check.
     * @throws ConfigException when the value is not a YAML integer.
     */
    void integer(final String key, final LongConsumer setter)
    {
        final Object value = map.get(key);
        if (null != value)
        {
            if (!ConfigValues.isInteger(value))
            {
                throw error(source, pathOf(key), "must be an integer", value);
            }
            setter.accept(ConfigValues.integerValue(value));
        }
    }

    /**
     * @param key    a key of this mapping.
     * @param setter receives the size in bytes, see {@link ConfigValues#parseSize(Object)}, when the key is present
     *               and not null.
     * @throws ConfigException when the value is not a size.
     */
    void size(final String key, final LongConsumer setter)
    {
        final Object value = map.get(key);
        if (null != value)
        {
            final long size = ConfigValues.parseSize(value);
            if (ConfigValues.NOT_PARSED == size)
            {
                throw error(
                    source, pathOf(key), "must be a size in bytes: an integer, or one with suffix k, m or g", value);
            }
            setter.accept(size);
        }
    }

    /**
     * @param key    a key of this mapping.
     * @param setter receives the duration in ms, see {@link ConfigValues#parseDurationMs(Object)}, when the key is
     *               present and not null.
     * @throws ConfigException when the value is not a duration.
     */
    void durationMs(final String key, final LongConsumer setter)
    {
        final Object value = map.get(key);
        if (null != value)
        {
            final long durationMs = ConfigValues.parseDurationMs(value);
            if (ConfigValues.NOT_PARSED == durationMs)
            {
                throw error(
                    source,
                    pathOf(key),
                    "must be a duration: milliseconds, or a number with unit ms, s, m or h",
                    value);
            }
            setter.accept(durationMs);
        }
    }

    /**
     * @param key    a key of this mapping.
     * @param setter receives the value when the key is present and not null.
     * @throws ConfigException when the value is not a YAML boolean ({@code true} or {@code false}).
     */
    void bool(final String key, final Consumer<Boolean> setter)
    {
        final Object value = map.get(key);
        if (null != value)
        {
            if (!(value instanceof Boolean))
            {
                throw error(source, pathOf(key), "must be true or false", value);
            }
            setter.accept((Boolean)value);
        }
    }

    /**
     * @param key    a key of this mapping.
     * @param setter receives the text when the key is present and not null.
     * @throws ConfigException when the value is not text.
     */
    void string(final String key, final Consumer<String> setter)
    {
        final Object value = map.get(key);
        if (null != value)
        {
            setter.accept(checkString(pathOf(key), value));
        }
    }

    /**
     * @param key           a key of this mapping.
     * @param baseDirectory directory a relative path resolves against.
     * @param setter        receives the normalized absolute-or-based path when the key is present and not null.
     * @throws ConfigException when the value is not text, is empty or is not a path.
     */
    void path(final String key, final Path baseDirectory, final Consumer<Path> setter)
    {
        final Object value = map.get(key);
        if (null == value)
        {
            return;
        }
        final String text = checkString(pathOf(key), value);
        if (text.isEmpty())
        {
            throw error(source, pathOf(key), "must be a file system path", value);
        }
        final Path path;
        try
        {
            path = baseDirectory.resolve(text).normalize();
        }
        catch (final InvalidPathException ex)
        {
            throw error(source, pathOf(key), "must be a file system path", value);
        }
        setter.accept(path);
    }

    /**
     * @param key a key of this mapping.
     * @return the elements, in file order, or an empty list when absent.
     * @throws ConfigException when the value is not a list.
     */
    List<?> list(final String key)
    {
        final Object value = map.get(key);
        if (null == value)
        {
            return Collections.emptyList();
        }
        if (!(value instanceof List))
        {
            throw error(source, pathOf(key), "must be a list", value);
        }
        return (List<?>)value;
    }

    /**
     * @param key a key of this mapping.
     * @return the text elements, in file order, or an empty list when absent.
     * @throws ConfigException when the value is not a list or an element is not text; the element's path is named.
     */
    List<String> stringList(final String key)
    {
        final List<?> elements = list(key);
        final List<String> strings = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++)
        {
            strings.add(checkString(pathOf(key) + "[" + i + "]", elements.get(i)));
        }
        return strings;
    }

    /**
     * @param key a key of this mapping.
     * @return text keys to text values, in file order, or an empty map when absent.
     * @throws ConfigException when the value is not a mapping or a value is not text; the entry's path is named.
     */
    Map<String, String> stringMap(final String key)
    {
        final ConfigSection section = section(key);
        final Map<String, String> strings = new LinkedHashMap<>();
        for (final Map.Entry<?, ?> entry : section.map.entrySet())
        {
            final String entryPath = section.pathOf(String.valueOf(entry.getKey()));
            if (!(entry.getKey() instanceof String))
            {
                throw error(source, entryPath, "key must be text; quote it");
            }
            strings.put((String)entry.getKey(), checkString(entryPath, entry.getValue()));
        }
        return strings;
    }

    /**
     * @param key a key of this mapping.
     * @return the nested mapping; empty when absent or null.
     * @throws ConfigException when the value is not a mapping.
     */
    ConfigSection section(final String key)
    {
        return of(source, pathOf(key), map.get(key));
    }

    /**
     * @param valuePath path of the value, for the message.
     * @param value     as loaded from YAML.
     * @return the value as text.
     * @throws ConfigException when it is not text; a number or boolean gets the hint to quote it.
     */
    String checkString(final String valuePath, final Object value)
    {
        if (value instanceof String)
        {
            return (String)value;
        }
        if (value instanceof Number || value instanceof Boolean)
        {
            throw error(source, valuePath, "must be text; quote it", value);
        }
        throw error(source, valuePath, "must be text", value);
    }
}
