package io.sluice.listener.http;

/**
 * Settings of every HTTP/2 connection ({@code listener.http2}): the streams a client may open at once, the flow-control
 * windows, and the flood limits Netty's HTTP/2 codec enforces (rapid reset, CONTINUATION floods, control frames the
 * client does not read, empty DATA frames). The header list limit is the listener's {@code maxRequestBytes}, as for
 * HTTP/1.1. A small mutable settings object with validating fluent setters, like {@link StrictDecoderConfig}.
 * <p>
 * Not thread-safe: configure it before the first connection; handlers read it, never change it.
 */
public final class Http2Config
{
    /**
     * Default most streams open at once on one connection ({@code SETTINGS_MAX_CONCURRENT_STREAMS}): {@value}; a
     * stream past it is refused ({@code RST_STREAM REFUSED_STREAM}).
     */
    public static final int MAX_CONCURRENT_STREAMS_DEFAULT = 100;

    /**
     * Default most {@code RST_STREAM} frames a client may send within {@link #RESET_WINDOW_SECONDS_DEFAULT} before the
     * connection is closed with {@code GOAWAY ENHANCE_YOUR_CALM} (rapid reset, CVE-2023-44487): {@value}, Netty's.
     */
    public static final int MAX_RESETS_DEFAULT = 200;

    /**
     * Default window of the reset count, in seconds: {@value}, Netty's.
     */
    public static final int RESET_WINDOW_SECONDS_DEFAULT = 30;

    /**
     * Default most control frames (SETTINGS ack, PING ack, RST_STREAM) the listener queues for a client that does not
     * read them before it closes the connection (settings and ping floods): {@value}, Netty's.
     */
    public static final int MAX_QUEUED_CONTROL_FRAMES_DEFAULT = 10_000;

    /**
     * Default most {@code CONTINUATION} frames of less than 8 KiB in one header block before the connection is closed
     * (CONTINUATION flood, CVE-2024-27316; the block as a whole is bounded by the header list limit too): {@value},
     * Netty's.
     */
    public static final int MAX_SMALL_CONTINUATION_FRAMES_DEFAULT = 16;

    /**
     * Default most consecutive empty DATA frames on a stream before the connection is closed: {@value}, Netty's.
     */
    public static final int MAX_CONSECUTIVE_EMPTY_FRAMES_DEFAULT = 2;

    /**
     * Default stream flow-control window the listener grants a client for each request body
     * ({@code SETTINGS_INITIAL_WINDOW_SIZE}): {@value} bytes (the protocol's default). A stream whose host does not
     * take its body holds at most this much in the listener.
     */
    public static final int INITIAL_WINDOW_SIZE_DEFAULT = 65_535;

    /**
     * Default size of the HPACK dynamic table the client may use ({@code SETTINGS_HEADER_TABLE_SIZE}): {@value} bytes
     * (the protocol's default); a client that asks for more is a connection error.
     */
    public static final int HEADER_TABLE_SIZE_DEFAULT = 4096;

    private int maxConcurrentStreams = MAX_CONCURRENT_STREAMS_DEFAULT;
    private int maxResets = MAX_RESETS_DEFAULT;
    private int resetWindowSeconds = RESET_WINDOW_SECONDS_DEFAULT;
    private int maxQueuedControlFrames = MAX_QUEUED_CONTROL_FRAMES_DEFAULT;
    private int maxSmallContinuationFrames = MAX_SMALL_CONTINUATION_FRAMES_DEFAULT;
    private int maxConsecutiveEmptyFrames = MAX_CONSECUTIVE_EMPTY_FRAMES_DEFAULT;
    private int initialWindowSize = INITIAL_WINDOW_SIZE_DEFAULT;
    private int headerTableSize = HEADER_TABLE_SIZE_DEFAULT;

    /**
     * @return most streams open at once on one connection.
     */
    public int maxConcurrentStreams()
    {
        return maxConcurrentStreams;
    }

    /**
     * @param count most streams open at once, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the count is less than 1.
     */
    public Http2Config maxConcurrentStreams(final int count)
    {
        maxConcurrentStreams = atLeastOne("maxConcurrentStreams", count);
        return this;
    }

    /**
     * @return most {@code RST_STREAM} frames a client may send per {@link #resetWindowSeconds()}.
     */
    public int maxResets()
    {
        return maxResets;
    }

    /**
     * @param count most resets per window, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the count is less than 1.
     */
    public Http2Config maxResets(final int count)
    {
        maxResets = atLeastOne("maxResets", count);
        return this;
    }

    /**
     * @return the window of the reset count, in seconds.
     */
    public int resetWindowSeconds()
    {
        return resetWindowSeconds;
    }

    /**
     * @param seconds the window of the reset count, at least 1.
     * @return this.
     * @throws IllegalArgumentException if less than 1.
     */
    public Http2Config resetWindowSeconds(final int seconds)
    {
        resetWindowSeconds = atLeastOne("resetWindowSeconds", seconds);
        return this;
    }

    /**
     * @return most control frames queued for a client that does not read them.
     */
    public int maxQueuedControlFrames()
    {
        return maxQueuedControlFrames;
    }

    /**
     * @param count most queued control frames, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the count is less than 1.
     */
    public Http2Config maxQueuedControlFrames(final int count)
    {
        maxQueuedControlFrames = atLeastOne("maxQueuedControlFrames", count);
        return this;
    }

    /**
     * @return most small {@code CONTINUATION} frames in one header block.
     */
    public int maxSmallContinuationFrames()
    {
        return maxSmallContinuationFrames;
    }

    /**
     * @param count most small continuation frames, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the count is less than 1.
     */
    public Http2Config maxSmallContinuationFrames(final int count)
    {
        maxSmallContinuationFrames = atLeastOne("maxSmallContinuationFrames", count);
        return this;
    }

    /**
     * @return most consecutive empty DATA frames on a stream.
     */
    public int maxConsecutiveEmptyFrames()
    {
        return maxConsecutiveEmptyFrames;
    }

    /**
     * @param count most consecutive empty DATA frames, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the count is less than 1.
     */
    public Http2Config maxConsecutiveEmptyFrames(final int count)
    {
        maxConsecutiveEmptyFrames = atLeastOne("maxConsecutiveEmptyFrames", count);
        return this;
    }

    /**
     * @return the stream flow-control window granted for each request body, in bytes.
     */
    public int initialWindowSize()
    {
        return initialWindowSize;
    }

    /**
     * @param length the window in bytes, from 1 to 2^31 - 1.
     * @return this.
     * @throws IllegalArgumentException if less than 1.
     */
    public Http2Config initialWindowSize(final int length)
    {
        initialWindowSize = atLeastOne("initialWindowSize", length);
        return this;
    }

    /**
     * @return the HPACK dynamic table size the client may use, in bytes.
     */
    public int headerTableSize()
    {
        return headerTableSize;
    }

    /**
     * @param length the table size in bytes, at least 0.
     * @return this.
     * @throws IllegalArgumentException if negative.
     */
    public Http2Config headerTableSize(final int length)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("headerTableSize negative: headerTableSize=" + length + ", limit=0");
        }
        headerTableSize = length;
        return this;
    }

    /**
     * @return the connection flow-control window: every stream's window at once, so that streams whose hosts do not
     * take their bodies never hold back their siblings.
     */
    int connectionWindowSize()
    {
        return (int)Math.min(Integer.MAX_VALUE, (long)initialWindowSize * maxConcurrentStreams);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "Http2Config{" +
            "maxConcurrentStreams=" + maxConcurrentStreams +
            ", maxResets=" + maxResets +
            ", resetWindowSeconds=" + resetWindowSeconds +
            ", maxQueuedControlFrames=" + maxQueuedControlFrames +
            ", maxSmallContinuationFrames=" + maxSmallContinuationFrames +
            ", maxConsecutiveEmptyFrames=" + maxConsecutiveEmptyFrames +
            ", initialWindowSize=" + initialWindowSize +
            ", headerTableSize=" + headerTableSize +
            '}';
    }

    private static int atLeastOne(final String name, final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + " too small: " + name + "=" + value + ", limit=1");
        }
        return value;
    }
}
