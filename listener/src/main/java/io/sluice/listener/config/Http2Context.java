package io.sluice.listener.config;

import io.sluice.listener.http.Http2Config;

/**
 * The {@code listener.http2} mapping as set, before it is checked ({@link ListenerContext}'s manner): fluent setters
 * take any value, {@link #conclude} checks them once and yields the {@link Http2Configuration}. Every setting but the
 * reset window is a whole number in a range: one row of {@link #SETTINGS} (key, how the file writes it, default,
 * range), read by {@link #readFrom} and checked by {@link #conclude} in one loop each. Not thread-safe.
 */
public final class Http2Context
{
    /**
     * Greatest {@code maxConcurrentStreams}.
     */
    public static final int MAX_CONCURRENT_STREAMS_MAX = 10_000;

    /**
     * Greatest {@code initialWindowSize}: 2^31 - 1 bytes (RFC 9113 6.5.2).
     */
    public static final int INITIAL_WINDOW_SIZE_MAX = Integer.MAX_VALUE;

    /**
     * Greatest {@code headerTableSize}: 64 KiB.
     */
    public static final int HEADER_TABLE_SIZE_MAX = 64 * 1024;

    /**
     * Greatest {@code resetWindow}: 1 h.
     */
    public static final long RESET_WINDOW_MS_MAX = 3_600_000;

    private static final long MS_PER_SECOND = 1000;

    private static final int MAX_CONCURRENT_STREAMS = 0;
    private static final int INITIAL_WINDOW_SIZE = 1;
    private static final int HEADER_TABLE_SIZE = 2;
    private static final int MAX_RESETS = 3;
    private static final int MAX_QUEUED_CONTROL_FRAMES = 4;
    private static final int MAX_SMALL_CONTINUATION_FRAMES = 5;
    private static final int MAX_CONSECUTIVE_EMPTY_FRAMES = 6;

    /**
     * The whole-number settings, indexed by the constants above, in the order they are checked.
     */
    private static final Setting[] SETTINGS =
    {
        Setting.count(YamlKeys.MAX_CONCURRENT_STREAMS, Http2Config.MAX_CONCURRENT_STREAMS_DEFAULT, 1,
            MAX_CONCURRENT_STREAMS_MAX),
        Setting.size(YamlKeys.INITIAL_WINDOW_SIZE, Http2Config.INITIAL_WINDOW_SIZE_DEFAULT, 1, INITIAL_WINDOW_SIZE_MAX),
        Setting.size(YamlKeys.HEADER_TABLE_SIZE, Http2Config.HEADER_TABLE_SIZE_DEFAULT, 0, HEADER_TABLE_SIZE_MAX),
        Setting.count(YamlKeys.MAX_RESETS, Http2Config.MAX_RESETS_DEFAULT, 1, Integer.MAX_VALUE),
        Setting.count(
            YamlKeys.MAX_QUEUED_CONTROL_FRAMES, Http2Config.MAX_QUEUED_CONTROL_FRAMES_DEFAULT, 1, Integer.MAX_VALUE),
        Setting.count(
            YamlKeys.MAX_SMALL_CONTINUATION_FRAMES,
            Http2Config.MAX_SMALL_CONTINUATION_FRAMES_DEFAULT,
            1,
            Integer.MAX_VALUE),
        Setting.count(
            YamlKeys.MAX_CONSECUTIVE_EMPTY_FRAMES,
            Http2Config.MAX_CONSECUTIVE_EMPTY_FRAMES_DEFAULT,
            1,
            Integer.MAX_VALUE),
    };

    private final SettingOrigin origin = new SettingOrigin();
    private final long[] values = new long[SETTINGS.length];
    private long resetWindowMs = Http2Config.RESET_WINDOW_SECONDS_DEFAULT * MS_PER_SECOND;

    /**
     * Every setting at its default.
     */
    public Http2Context()
    {
        for (int i = 0; i < SETTINGS.length; i++)
        {
            values[i] = SETTINGS[i].defaultValue();
        }
    }

    /**
     * @return where the settings came from, for messages.
     */
    SettingOrigin origin()
    {
        return origin;
    }

    /**
     * @return every key of the mapping.
     */
    static String[] keys()
    {
        final String[] keys = new String[SETTINGS.length + 1];
        for (int i = 0; i < SETTINGS.length; i++)
        {
            keys[i] = SETTINGS[i].key();
        }
        keys[SETTINGS.length] = YamlKeys.RESET_WINDOW;
        return keys;
    }

    /**
     * Take the settings the mapping writes, as written: each number as its key's kind reads it.
     *
     * @param http2 the {@code listener.http2} mapping.
     */
    void readFrom(final ConfigSection http2)
    {
        for (int i = 0; i < SETTINGS.length; i++)
        {
            final int index = i;
            if (SETTINGS[i].isSize())
            {
                http2.size(SETTINGS[i].key(), (value) -> set(index, value));
            }
            else
            {
                http2.integer(SETTINGS[i].key(), (value) -> set(index, value));
            }
            if (MAX_RESETS == i)
            {
                // the window of the reset count is read with the count, as the file documents them
                http2.durationMs(YamlKeys.RESET_WINDOW, this::resetWindowMs);
            }
        }
    }

    /**
     * @param count streams open at once per connection, 1 to {@value #MAX_CONCURRENT_STREAMS_MAX}.
     * @return this.
     */
    public Http2Context maxConcurrentStreams(final long count)
    {
        return set(MAX_CONCURRENT_STREAMS, count);
    }

    /**
     * @param length stream window in bytes, at least 1.
     * @return this.
     */
    public Http2Context initialWindowSize(final long length)
    {
        return set(INITIAL_WINDOW_SIZE, length);
    }

    /**
     * @param length HPACK dynamic table size in bytes, 0 to {@value #HEADER_TABLE_SIZE_MAX}.
     * @return this.
     */
    public Http2Context headerTableSize(final long length)
    {
        return set(HEADER_TABLE_SIZE, length);
    }

    /**
     * @param count resets per window, at least 1.
     * @return this.
     */
    public Http2Context maxResets(final long count)
    {
        return set(MAX_RESETS, count);
    }

    /**
     * @param windowMs window of the reset count, whole seconds from 1 s to 1 h.
     * @return this.
     */
    public Http2Context resetWindowMs(final long windowMs)
    {
        resetWindowMs = windowMs;
        origin.set(YamlKeys.RESET_WINDOW);
        return this;
    }

    /**
     * @param count queued control frames, at least 1.
     * @return this.
     */
    public Http2Context maxQueuedControlFrames(final long count)
    {
        return set(MAX_QUEUED_CONTROL_FRAMES, count);
    }

    /**
     * @param count small CONTINUATION frames per header block, at least 1.
     * @return this.
     */
    public Http2Context maxSmallContinuationFrames(final long count)
    {
        return set(MAX_SMALL_CONTINUATION_FRAMES, count);
    }

    /**
     * @param count empty DATA frames in a row, at least 1.
     * @return this.
     */
    public Http2Context maxConsecutiveEmptyFrames(final long count)
    {
        return set(MAX_CONSECUTIVE_EMPTY_FRAMES, count);
    }

    /**
     * Check every setting once.
     *
     * @param path key path of the mapping, {@code listener.http2}.
     * @return the settings.
     * @throws ConfigException naming the first key whose value is out of range.
     */
    Http2Configuration conclude(final String path)
    {
        origin.at(path);
        final long windowMs =
            origin.durationMs(YamlKeys.RESET_WINDOW, resetWindowMs, MS_PER_SECOND, RESET_WINDOW_MS_MAX);
        if (windowMs % MS_PER_SECOND != 0)
        {
            throw origin.error(YamlKeys.RESET_WINDOW, "must be whole seconds", resetWindowMs + "ms");
        }
        final int[] checked = new int[SETTINGS.length];
        for (int i = 0; i < SETTINGS.length; i++)
        {
            final Setting setting = SETTINGS[i];
            checked[i] = origin.between(setting.key(), values[i], setting.min(), setting.max());
        }
        return new Http2Configuration(
            checked[MAX_CONCURRENT_STREAMS],
            checked[INITIAL_WINDOW_SIZE],
            checked[HEADER_TABLE_SIZE],
            checked[MAX_RESETS],
            windowMs,
            checked[MAX_QUEUED_CONTROL_FRAMES],
            checked[MAX_SMALL_CONTINUATION_FRAMES],
            checked[MAX_CONSECUTIVE_EMPTY_FRAMES]);
    }

    private Http2Context set(final int index, final long value)
    {
        values[index] = value;
        origin.set(SETTINGS[index].key());
        return this;
    }

    /**
     * One whole-number setting of the mapping.
     *
     * @param key          its key.
     * @param isSize       true when the file writes it as a size ({@code 64k}), false for a plain count.
     * @param defaultValue its default.
     * @param min          its least value.
     * @param max          its greatest value.
     */
    private record Setting(String key, boolean isSize, long defaultValue, int min, int max)
    {
        static Setting count(final String key, final long defaultValue, final int min, final int max)
        {
            return new Setting(key, false, defaultValue, min, max);
        }

        static Setting size(final String key, final long defaultValue, final int min, final int max)
        {
            return new Setting(key, true, defaultValue, min, max);
        }
    }
}
