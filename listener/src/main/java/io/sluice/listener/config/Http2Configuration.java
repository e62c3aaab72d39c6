package io.sluice.listener.config;

import io.sluice.listener.http.Http2Config;

/**
 * The {@code listener.http2} settings, checked: the limits of every HTTP/2 connection (h2 and h2c). The header list
 * limit is the listener's {@code maxRequestBytes}.
 *
 * @param maxConcurrentStreams       streams open at once per connection; past it a stream is refused.
 * @param initialWindowSize          stream flow-control window granted for a request body, in bytes.
 * @param headerTableSize            HPACK dynamic table the client may use, in bytes.
 * @param maxResets                  {@code RST_STREAM} frames a client may send per {@code resetWindowMs} (rapid
 *                                   reset); past it, {@code GOAWAY} and close.
 * @param resetWindowMs              window of the reset count, whole seconds in ms.
 * @param maxQueuedControlFrames     control frame answers queued for a client that does not read them; past it, close.
 * @param maxSmallContinuationFrames small CONTINUATION frames in one header block; past it, {@code GOAWAY} and close.
 * @param maxConsecutiveEmptyFrames  empty DATA frames in a row; past it, {@code GOAWAY} and close.
 */
public record Http2Configuration(
    int maxConcurrentStreams,
    int initialWindowSize,
    int headerTableSize,
    int maxResets,
    long resetWindowMs,
    int maxQueuedControlFrames,
    int maxSmallContinuationFrames,
    int maxConsecutiveEmptyFrames)
{
    /**
     * @return every setting at its default.
     */
    public static Http2Configuration defaults()
    {
        return new Http2Configuration(
            Http2Config.MAX_CONCURRENT_STREAMS_DEFAULT,
            Http2Config.INITIAL_WINDOW_SIZE_DEFAULT,
            Http2Config.HEADER_TABLE_SIZE_DEFAULT,
            Http2Config.MAX_RESETS_DEFAULT,
            Http2Config.RESET_WINDOW_SECONDS_DEFAULT * 1000L,
            Http2Config.MAX_QUEUED_CONTROL_FRAMES_DEFAULT,
            Http2Config.MAX_SMALL_CONTINUATION_FRAMES_DEFAULT,
            Http2Config.MAX_CONSECUTIVE_EMPTY_FRAMES_DEFAULT);
    }

    /**
     * @return the HTTP/2 connections' settings object.
     */
    public Http2Config http2Config()
    {
        return new Http2Config()
            .maxConcurrentStreams(maxConcurrentStreams)
            .initialWindowSize(initialWindowSize)
            .headerTableSize(headerTableSize)
            .maxResets(maxResets)
            .resetWindowSeconds((int)(resetWindowMs / 1000))
            .maxQueuedControlFrames(maxQueuedControlFrames)
            .maxSmallContinuationFrames(maxSmallContinuationFrames)
            .maxConsecutiveEmptyFrames(maxConsecutiveEmptyFrames);
    }
}
