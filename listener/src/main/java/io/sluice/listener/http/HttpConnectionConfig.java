package io.sluice.listener.http;

import io.sluice.listener.log.RequestLog;

import java.util.concurrent.TimeUnit;

/**
 * Settings of every {@link HttpConnectionHandler}: pipelining depth, URL path segment limits, and the connection
 * timers and minimum send rate (HTTP.sys semantics and defaults). A small mutable settings object with validating
 * fluent setters, like {@link StrictDecoderConfig}; the per-queue limits (body size, entity body time, time in queue)
 * travel with each route instead ({@link io.sluice.listener.queue.QueueBinding}).
 * <p>
 * Not thread-safe: configure it before the first connection; handlers read it, never change it.
 */
public final class HttpConnectionConfig
{
    /**
     * A timer (or the minimum send rate) of this value is off.
     */
    public static final long DISABLED = 0;

    /**
     * Default requests in flight per connection before reading pauses: {@value}.
     */
    public static final int MAX_PIPELINED_REQUESTS_DEFAULT = 32;

    /**
     * Default most characters in one path segment (HTTP.sys UrlSegmentMaxLength): {@value}.
     */
    public static final int MAX_SEGMENT_LENGTH_DEFAULT = 260;

    /**
     * Default most path segments (HTTP.sys UrlSegmentMaxCount): {@value}.
     */
    public static final int MAX_SEGMENT_COUNT_DEFAULT = 255;

    /**
     * Default of each connection timer, in ns: 120 s, as HTTP.sys.
     */
    public static final long TIMER_DEFAULT_NS = TimeUnit.SECONDS.toNanos(120);

    /**
     * Default minimum send rate, bytes per second (HTTP.sys MinSendRate): {@value}.
     */
    public static final long MIN_SEND_RATE_DEFAULT = 150;

    /**
     * Default window of the send-rate measurement, in ns: 10 s.
     */
    public static final long MIN_SEND_RATE_GRACE_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);

    private int maxPipelinedRequests = MAX_PIPELINED_REQUESTS_DEFAULT;
    private int maxSegmentLength = MAX_SEGMENT_LENGTH_DEFAULT;
    private int maxSegmentCount = MAX_SEGMENT_COUNT_DEFAULT;
    private long headerWaitNs = TIMER_DEFAULT_NS;
    private long idleConnectionNs = TIMER_DEFAULT_NS;
    private long entityBodyNs = TIMER_DEFAULT_NS;
    private long drainEntityBodyNs = TIMER_DEFAULT_NS;
    private long minSendRate = MIN_SEND_RATE_DEFAULT;
    private long minSendRateGraceNs = MIN_SEND_RATE_GRACE_DEFAULT_NS;
    private RequestLog requestLog;
    private int accessLogFileId = RequestLog.FILE_NONE;
    private Http2Config http2 = new Http2Config();

    /**
     * @return where the connections' requests and refusals are logged; null when nowhere (the default).
     */
    public RequestLog requestLog()
    {
        return requestLog;
    }

    /**
     * @param requestLog where the connections' requests and refusals are logged; null for nowhere.
     * @return this.
     */
    public HttpConnectionConfig requestLog(final RequestLog requestLog)
    {
        this.requestLog = requestLog;
        return this;
    }

    /**
     * @return the access log file of a request routed to no queue, or {@link RequestLog#FILE_NONE} (the default).
     */
    public int accessLogFileId()
    {
        return accessLogFileId;
    }

    /**
     * @param fileId the access log file of a request routed to no queue, or {@link RequestLog#FILE_NONE}.
     * @return this.
     */
    public HttpConnectionConfig accessLogFileId(final int fileId)
    {
        this.accessLogFileId = fileId;
        return this;
    }

    /**
     * @return most requests in flight on one connection before reading pauses.
     */
    public int maxPipelinedRequests()
    {
        return maxPipelinedRequests;
    }

    /**
     * @param count most requests in flight, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the count is less than 1.
     */
    public HttpConnectionConfig maxPipelinedRequests(final int count)
    {
        maxPipelinedRequests = atLeastOne("maxPipelinedRequests", count);
        return this;
    }

    /**
     * @return most characters in one segment of the normalized path; more is answered 400.
     */
    public int maxSegmentLength()
    {
        return maxSegmentLength;
    }

    /**
     * @param length most characters in one path segment, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the length is less than 1.
     */
    public HttpConnectionConfig maxSegmentLength(final int length)
    {
        maxSegmentLength = atLeastOne("maxSegmentLength", length);
        return this;
    }

    /**
     * @return most segments in the normalized path; more is answered 400.
     */
    public int maxSegmentCount()
    {
        return maxSegmentCount;
    }

    /**
     * @param count most path segments, at least 1.
     * @return this.
     * @throws IllegalArgumentException if the count is less than 1.
     */
    public HttpConnectionConfig maxSegmentCount(final int count)
    {
        maxSegmentCount = atLeastOne("maxSegmentCount", count);
        return this;
    }

    /**
     * @return ns from accepting the connection, or from the end of the previous request, until the next request's
     * head must be complete once part of it has arrived (408 and close past it); {@link #DISABLED} for never.
     */
    public long headerWaitNs()
    {
        return headerWaitNs;
    }

    /**
     * @param ns header wait, 0 or more.
     * @return this.
     * @throws IllegalArgumentException if negative.
     */
    public HttpConnectionConfig headerWaitNs(final long ns)
    {
        headerWaitNs = notNegative("headerWaitNs", ns);
        return this;
    }

    /**
     * @return ns a connection may stay open with nothing in flight and no byte of a next request (closed without a
     * response past it); {@link #DISABLED} for never.
     */
    public long idleConnectionNs()
    {
        return idleConnectionNs;
    }

    /**
     * @param ns idle connection time, 0 or more.
     * @return this.
     * @throws IllegalArgumentException if negative.
     */
    public HttpConnectionConfig idleConnectionNs(final long ns)
    {
        idleConnectionNs = notNegative("idleConnectionNs", ns);
        return this;
    }

    /**
     * @return longest silence, in ns, between pieces of the body of a request that matched no queue (a routed
     * request uses its queue's); {@link #DISABLED} for never.
     */
    public long entityBodyNs()
    {
        return entityBodyNs;
    }

    /**
     * @param ns entity body time, 0 or more.
     * @return this.
     * @throws IllegalArgumentException if negative.
     */
    public HttpConnectionConfig entityBodyNs(final long ns)
    {
        entityBodyNs = notNegative("entityBodyNs", ns);
        return this;
    }

    /**
     * @return ns the rest of a request body is read and discarded after its response completed early (the connection
     * is closed past it); {@link #DISABLED} for never.
     */
    public long drainEntityBodyNs()
    {
        return drainEntityBodyNs;
    }

    /**
     * @param ns drain time, 0 or more.
     * @return this.
     * @throws IllegalArgumentException if negative.
     */
    public HttpConnectionConfig drainEntityBodyNs(final long ns)
    {
        drainEntityBodyNs = notNegative("drainEntityBodyNs", ns);
        return this;
    }

    /**
     * @return bytes per second a client must accept while it holds a response back (the socket is not writable, or
     * the kernel reports the client's receive window closed while it holds bytes for it), measured over each window of
     * {@link #minSendRateGraceNs()}; {@link #DISABLED} turns the check off. See {@link SendRateWindow}.
     */
    public long minSendRate()
    {
        return minSendRate;
    }

    /**
     * @param bytesPerSecond minimum send rate, 0 or more.
     * @return this.
     * @throws IllegalArgumentException if negative.
     */
    public HttpConnectionConfig minSendRate(final long bytesPerSecond)
    {
        minSendRate = notNegative("minSendRate", bytesPerSecond);
        return this;
    }

    /**
     * @return ns of each send-rate window; the first window of a stall is always allowed.
     */
    public long minSendRateGraceNs()
    {
        return minSendRateGraceNs;
    }

    /**
     * @param ns window length, at least 1.
     * @return this.
     * @throws IllegalArgumentException if less than 1.
     */
    public HttpConnectionConfig minSendRateGraceNs(final long ns)
    {
        if (ns < 1)
        {
            throw new IllegalArgumentException(
                "minSendRateGraceNs too small: minSendRateGraceNs=" + ns + ", limit=1");
        }
        minSendRateGraceNs = ns;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "HttpConnectionConfig{" +
            "maxPipelinedRequests=" + maxPipelinedRequests +
            ", maxSegmentLength=" + maxSegmentLength +
            ", maxSegmentCount=" + maxSegmentCount +
            ", headerWaitNs=" + headerWaitNs +
            ", idleConnectionNs=" + idleConnectionNs +
            ", entityBodyNs=" + entityBodyNs +
            ", drainEntityBodyNs=" + drainEntityBodyNs +
            ", minSendRate=" + minSendRate +
            ", minSendRateGraceNs=" + minSendRateGraceNs +
            ", http2=" + http2 +
            '}';
    }

    /**
     * @return the settings of HTTP/2 connections.
     */
    public Http2Config http2()
    {
        return http2;
    }

    /**
     * @param http2 the settings of HTTP/2 connections.
     * @return this.
     */
    public HttpConnectionConfig http2(final Http2Config http2)
    {
        this.http2 = http2;
        return this;
    }

    private static int atLeastOne(final String name, final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + " too small: " + name + "=" + value + ", limit=1");
        }
        return value;
    }

    private static long notNegative(final String name, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(name + " negative: " + name + "=" + value + ", limit=0");
        }
        return value;
    }
}
