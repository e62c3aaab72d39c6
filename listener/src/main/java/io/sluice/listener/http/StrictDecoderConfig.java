package io.sluice.listener.http;

/**
 * Limits of a {@link StrictRequestDecoder}: a small mutable settings object with validating fluent setters (in the
 * manner of Netty's {@code HttpDecoderConfig}). A decoder copies the values when it is made, so one instance may be
 * shared by every connection's decoder and changed later without affecting decoders already made.
 * <p>
 * Not thread-safe: configure it before handing it to decoders.
 */
public final class StrictDecoderConfig
{
    /**
     * Default longest request line, in bytes without its CRLF: {@value}.
     */
    public static final int MAX_INITIAL_LINE_LENGTH_DEFAULT = 8192;

    /**
     * Default largest request line plus header section, in bytes with every CRLF (HTTP.sys MaxRequestBytes): {@value}.
     */
    public static final int MAX_HEADER_SIZE_DEFAULT = 16384;

    /**
     * Default largest header field line, in bytes without its CRLF (HTTP.sys MaxFieldLength): {@value}.
     */
    public static final int MAX_FIELD_LENGTH_DEFAULT = 16384;

    /**
     * Default longest request-target, in bytes: {@value}.
     */
    public static final int MAX_URL_LENGTH_DEFAULT = 4096;

    /**
     * Default largest request body, in bytes: {@value}.
     */
    public static final long MAX_REQUEST_BODY_SIZE_DEFAULT = 30_000_000L;

    /**
     * Default largest content message emitted, in bytes: {@value}.
     */
    public static final int MAX_CHUNK_SIZE_DEFAULT = 65536;

    /**
     * Smallest allowed {@link #maxInitialLineLength()}, {@link #maxHeaderSize()} and {@link #maxFieldLength()}:
     * {@value}.
     */
    public static final int MIN_LINE_LENGTH = 64;

    private int maxInitialLineLength = MAX_INITIAL_LINE_LENGTH_DEFAULT;
    private int maxHeaderSize = MAX_HEADER_SIZE_DEFAULT;
    private int maxFieldLength = MAX_FIELD_LENGTH_DEFAULT;
    private int maxUrlLength = MAX_URL_LENGTH_DEFAULT;
    private long maxRequestBodySize = MAX_REQUEST_BODY_SIZE_DEFAULT;
    private int maxChunkSize = MAX_CHUNK_SIZE_DEFAULT;

    /**
     * @return longest request line in bytes, not counting its CRLF; longer is answered 414. Also bounds a chunk-size
     * line (longer is answered 400).
     */
    public int maxInitialLineLength()
    {
        return maxInitialLineLength;
    }

    /**
     * @param length longest request line in bytes, at least {@value #MIN_LINE_LENGTH}.
     * @return this.
     * @throws IllegalArgumentException if the length is too small.
     */
    public StrictDecoderConfig maxInitialLineLength(final int length)
    {
        if (length < MIN_LINE_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxInitialLineLength too small: maxInitialLineLength=" + length + ", limit=" + MIN_LINE_LENGTH);
        }
        maxInitialLineLength = length;
        return this;
    }

    /**
     * @return largest request line plus header section in bytes (HTTP.sys MaxRequestBytes; the configuration file's
     * {@code maxRequestBytes}), counting every CRLF up to and including the empty line; larger is answered 431. Also
     * bounds a chunked body's trailer section on its own.
     */
    public int maxHeaderSize()
    {
        return maxHeaderSize;
    }

    /**
     * @param size largest request line plus header section in bytes, at least {@value #MIN_LINE_LENGTH}.
     * @return this.
     * @throws IllegalArgumentException if the size is too small.
     */
    public StrictDecoderConfig maxHeaderSize(final int size)
    {
        if (size < MIN_LINE_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxHeaderSize too small: maxHeaderSize=" + size + ", limit=" + MIN_LINE_LENGTH);
        }
        maxHeaderSize = size;
        return this;
    }

    /**
     * @return largest single field line (header or trailer) in bytes, not counting its CRLF; larger is answered 431.
     */
    public int maxFieldLength()
    {
        return maxFieldLength;
    }

    /**
     * @param length largest field line in bytes, at least {@value #MIN_LINE_LENGTH}.
     * @return this.
     * @throws IllegalArgumentException if the length is too small.
     */
    public StrictDecoderConfig maxFieldLength(final int length)
    {
        if (length < MIN_LINE_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxFieldLength too small: maxFieldLength=" + length + ", limit=" + MIN_LINE_LENGTH);
        }
        maxFieldLength = length;
        return this;
    }

    /**
     * @return longest request-target in bytes; longer is answered 414.
     */
    public int maxUrlLength()
    {
        return maxUrlLength;
    }

    /**
     * @param length longest request-target in bytes, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the length is less than 1.
     */
    public StrictDecoderConfig maxUrlLength(final int length)
    {
        if (length < 1)
        {
            throw new IllegalArgumentException("maxUrlLength too small: maxUrlLength=" + length + ", limit=1");
        }
        maxUrlLength = length;
        return this;
    }

    /**
     * @return largest request body in bytes (after chunked decoding); larger is answered 413.
     */
    public long maxRequestBodySize()
    {
        return maxRequestBodySize;
    }

    /**
     * @param size largest request body in bytes, 0 or more (0 refuses every body).
     * @return this.
     * @throws IllegalArgumentException if the size is negative.
     */
    public StrictDecoderConfig maxRequestBodySize(final long size)
    {
        if (size < 0)
        {
            throw new IllegalArgumentException("maxRequestBodySize negative: maxRequestBodySize=" + size + ", limit=0");
        }
        maxRequestBodySize = size;
        return this;
    }

    /**
     * @return largest body content message emitted, in bytes; a longer body or chunk is emitted in pieces.
     */
    public int maxChunkSize()
    {
        return maxChunkSize;
    }

    /**
     * @param size largest body content message in bytes, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the size is less than 1.
     */
    public StrictDecoderConfig maxChunkSize(final int size)
    {
        if (size < 1)
        {
            throw new IllegalArgumentException("maxChunkSize too small: maxChunkSize=" + size + ", limit=1");
        }
        maxChunkSize = size;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "StrictDecoderConfig{" +
            "maxInitialLineLength=" + maxInitialLineLength +
            ", maxHeaderSize=" + maxHeaderSize +
            ", maxFieldLength=" + maxFieldLength +
            ", maxUrlLength=" + maxUrlLength +
            ", maxRequestBodySize=" + maxRequestBodySize +
            ", maxChunkSize=" + maxChunkSize +
            '}';
    }
}
