package io.sluice.listener.http;

import io.netty.handler.codec.DecoderException;

/**
 * Why {@link StrictRequestDecoder} refused a request, and the status the refusal is answered with: carried as the
 * cause of a failed {@link io.netty.handler.codec.DecoderResult}, never thrown out of the pipeline.
 * <ul>
 *     <li>400: malformed request line, field line, framing or chunked body;</li>
 *     <li>413: body larger than the limit (by Content-Length, or by the running total of a chunked body);</li>
 *     <li>414: request line longer than the limit;</li>
 *     <li>431: request line and header section (or trailer section) larger than the limit;</li>
 *     <li>501: a transfer coding other than {@code chunked} (valid framing, not implemented);</li>
 *     <li>505: an HTTP version other than 1.0 and 1.1.</li>
 * </ul>
 * No stack trace is filled in: a peer chooses how often these are made, and the status and message say it all.
 */
public final class HttpStatusException extends DecoderException
{
    /**
     * Lowest status a refusal may carry.
     */
    public static final int MIN_STATUS = 400;

    /**
     * Highest status a refusal may carry.
     */
    public static final int MAX_STATUS = 599;

    private final int status;

    /**
     * @param status  the response status, {@value #MIN_STATUS}..{@value #MAX_STATUS}.
     * @param message what was wrong, for logs.
     * @throws IllegalArgumentException if the status is not a 4xx or 5xx.
     */
    public HttpStatusException(final int status, final String message)
    {
        super(message);
        if (status < MIN_STATUS || status > MAX_STATUS)
        {
            throw new IllegalArgumentException(
                "status out of range: status=" + status + ", range=" + MIN_STATUS + ".." + MAX_STATUS);
        }
        this.status = status;
    }

    /**
     * @return the status the request is answered with.
     */
    public int status()
    {
        return status;
    }

    /**
     * {@inheritDoc}
     */
    public Throwable fillInStackTrace()
    {
        return this;
    }
}
