package io.sluice.listener.config;

import io.sluice.listener.http.Http2Config;

/**
 * The {@code listener.http2} mapping as set, before it is checked ({@link ListenerContext}'s manner): fluent setters
 * take any value, {@link #conclude} checks them once and yields the {@link Http2Configuration}. Not thread-safe.
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

    private final SettingOrigin origin = new SettingOrigin();
    private long maxConcurrentStreams = Http2Config.MAX_CONCURRENT_STREAMS_DEFAULT;
    private long initialWindowSize = Http2Config.INITIAL_WINDOW_SIZE_DEFAULT;
    private long headerTableSize = Http2Config.HEADER_TABLE_SIZE_DEFAULT;
    private long maxResets = Http2Config.MAX_RESETS_DEFAULT;
    private long resetWindowMs = Http2Config.RESET_WINDOW_SECONDS_DEFAULT * MS_PER_SECOND;
    private long maxQueuedControlFrames = Http2Config.MAX_QUEUED_CONTROL_FRAMES_DEFAULT;
    private long maxSmallContinuationFrames = Http2Config.MAX_SMALL_CONTINUATION_FRAMES_DEFAULT;
    private long maxConsecutiveEmptyFrames = Http2Config.MAX_CONSECUTIVE_EMPTY_FRAMES_DEFAULT;

    /**
     * @return where the settings came from, for messages.
     */
    SettingOrigin origin()
    {
        return origin;
    }

    /**
     * @param count streams open at once per connection, 1 to {@value #MAX_CONCURRENT_STREAMS_MAX}.
     * @return this.
     */
    public Http2Context maxConcurrentStreams(final long count)
    {
        maxConcurrentStreams = count;
        origin.set(YamlKeys.MAX_CONCURRENT_STREAMS);
        return this;
    }

    /**
     * @param length stream window in bytes, at least 1.
     * @return this.
     */
    public Http2Context initialWindowSize(final long length)
    {
        initialWindowSize = length;
        origin.set(YamlKeys.INITIAL_WINDOW_SIZE);
        return this;
    }

    /**
     * @param length HPACK dynamic table size in bytes, 0 to {@value #HEADER_TABLE_SIZE_MAX}.
     * @return this.
     */
    public Http2Context headerTableSize(final long length)
    {
        headerTableSize = length;
        origin.set(YamlKeys.HEADER_TABLE_SIZE);
        return this;
    }

    /**
     * @param count resets per window, at least 1.
     * @return this.
     */
    public Http2Context maxResets(final long count)
    {
        maxResets = count;
        origin.set(YamlKeys.MAX_RESETS);
        return this;
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
        maxQueuedControlFrames = count;
        origin.set(YamlKeys.MAX_QUEUED_CONTROL_FRAMES);
        return this;
    }

    /**
     * @param count small CONTINUATION frames per header block, at least 1.
     * @return this.
     */
    public Http2Context maxSmallContinuationFrames(final long count)
    {
        maxSmallContinuationFrames = count;
        origin.set(YamlKeys.MAX_SMALL_CONTINUATION_FRAMES);
        return this;
    }

    /**
     * @param count empty DATA frames in a row, at least 1.
     * @return this.
     */
    public Http2Context maxConsecutiveEmptyFrames(final long count)
    {
        maxConsecutiveEmptyFrames = count;
        origin.set(YamlKeys.MAX_CONSECUTIVE_EMPTY_FRAMES);
        return this;
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
        return new Http2Configuration(
            origin.between(YamlKeys.MAX_CONCURRENT_STREAMS, maxConcurrentStreams, 1, MAX_CONCURRENT_STREAMS_MAX),
            origin.between(YamlKeys.INITIAL_WINDOW_SIZE, initialWindowSize, 1, INITIAL_WINDOW_SIZE_MAX),
            origin.between(YamlKeys.HEADER_TABLE_SIZE, headerTableSize, 0, HEADER_TABLE_SIZE_MAX),
            origin.between(YamlKeys.MAX_RESETS, maxResets, 1, Integer.MAX_VALUE),
            windowMs,
            origin.between(YamlKeys.MAX_QUEUED_CONTROL_FRAMES, maxQueuedControlFrames, 1, Integer.MAX_VALUE),
            origin.between(YamlKeys.MAX_SMALL_CONTINUATION_FRAMES, maxSmallContinuationFrames, 1, Integer.MAX_VALUE),
            origin.between(YamlKeys.MAX_CONSECUTIVE_EMPTY_FRAMES, maxConsecutiveEmptyFrames, 1, Integer.MAX_VALUE));
    }
}
