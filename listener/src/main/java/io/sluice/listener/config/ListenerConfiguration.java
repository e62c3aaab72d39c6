package io.sluice.listener.config;

import io.sluice.listener.http.HttpConnectionConfig;
import io.sluice.listener.http.StrictDecoderConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The whole deployment file ({@code sluice.yaml}): listener settings and request queues, as
 * {@link ListenerContext#conclude()} yields them: the effective configuration, immutable. Its {@code *_DEFAULT}
 * constants are the one set of defaults (those of the HTTP limits are the components' own, which they name); the
 * components' settings are derived from it ({@link #decoderConfig()}, {@link #connectionConfig()}).
 *
 * @param id                 listener id; names the shared-memory directory.
 * @param bindAddress        address the prefix ports are bound on.
 * @param eventLoops         number of epoll event loops.
 * @param shmDir             directory for the queue files (created 0700, removed on stop).
 * @param adminPort          port of the admin endpoint (health, metrics) on {@code admin.bindAddress()}; 0 disables
 *                           it.
 * @param maxInitialLineLength longest request line in bytes.
 * @param maxRequestBytes    largest request line plus header block in bytes (HTTP.sys MaxRequestBytes); past it, 431.
 * @param maxFieldLength     largest single header field line in bytes (HTTP.sys MaxFieldLength); past it, 431.
 * @param maxUrlLength       longest request-target in bytes; past it, 414.
 * @param maxSegmentLength   most characters in one segment of the normalized path (HTTP.sys UrlSegmentMaxLength);
 *                           past it, 400.
 * @param maxSegmentCount    most segments in the normalized path (HTTP.sys UrlSegmentMaxCount); past it, 400.
 * @param maxRequestBodySize largest request body in bytes; past it, 413. A queue may set a lower limit.
 * @param maxConnections     most open client connections; a connection past it is answered 503 and closed at once.
 *                           {@link #MAX_CONNECTIONS_UNLIMITED} for no limit.
 * @param maxPipelinedRequests most requests in flight on one connection before Sluice stops reading it.
 * @param timeouts           connection timers and minimum send rate.
 * @param queues             the request queues, in file order.
 * @param admin              the admin endpoint's bind address, connection cap and timers.
 * @param tls                the certificates and TLS settings of the {@code https} prefixes; null when there are
 *                           none.
 * @param accessLog          the listener's access log.
 * @param errorLog           the listener's error log.
 * @param http2              the limits of HTTP/2 connections ({@code listener.http2}).
 */
public record ListenerConfiguration(
    String id,
    String bindAddress,
    int eventLoops,
    Path shmDir,
    int adminPort,
    int maxInitialLineLength,
    int maxRequestBytes,
    int maxFieldLength,
    int maxUrlLength,
    int maxSegmentLength,
    int maxSegmentCount,
    long maxRequestBodySize,
    int maxConnections,
    int maxPipelinedRequests,
    TimeoutsConfiguration timeouts,
    List<QueueConfiguration> queues,
    AdminConfiguration admin,
    TlsConfiguration tls,
    LogFileConfiguration accessLog,
    LogFileConfiguration errorLog,
    Http2Configuration http2)
{
    /**
     * Default listener id.
     */
    public static final String ID_DEFAULT = "default";

    /**
     * Default bind address.
     */
    public static final String BIND_ADDRESS_DEFAULT = "127.0.0.1";

    /**
     * Default number of event loops: one per processor available to the JVM ({@link Runtime#availableProcessors()},
     * which follows CPU affinity and container limits), at most {@link ListenerContext#EVENT_LOOPS_MAX}; read once,
     * when this class is loaded.
     */
    public static final int EVENT_LOOPS_DEFAULT =
        Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), ListenerContext.EVENT_LOOPS_MAX));

    /**
     * Default admin port (0 = disabled).
     */
    public static final int ADMIN_PORT_DEFAULT = 0;

    /**
     * Admin port value that disables the admin endpoint.
     */
    public static final int ADMIN_PORT_DISABLED = 0;

    /**
     * Default longest request line (URL limit plus method and version).
     */
    public static final int MAX_INITIAL_LINE_LENGTH_DEFAULT = StrictDecoderConfig.MAX_INITIAL_LINE_LENGTH_DEFAULT;

    /**
     * Default largest request line plus header block: 16 KiB, as HTTP.sys MaxRequestBytes.
     */
    public static final int MAX_REQUEST_BYTES_DEFAULT = StrictDecoderConfig.MAX_HEADER_SIZE_DEFAULT;

    /**
     * Default largest header field line: 16 KiB, as HTTP.sys MaxFieldLength.
     */
    public static final int MAX_FIELD_LENGTH_DEFAULT = StrictDecoderConfig.MAX_FIELD_LENGTH_DEFAULT;

    /**
     * Default longest request-target: 4096 bytes, as IIS maxUrl.
     */
    public static final int MAX_URL_LENGTH_DEFAULT = StrictDecoderConfig.MAX_URL_LENGTH_DEFAULT;

    /**
     * Default longest path segment: 260 characters, as HTTP.sys UrlSegmentMaxLength.
     */
    public static final int MAX_SEGMENT_LENGTH_DEFAULT = HttpConnectionConfig.MAX_SEGMENT_LENGTH_DEFAULT;

    /**
     * Default most path segments: 255, as HTTP.sys UrlSegmentMaxCount.
     */
    public static final int MAX_SEGMENT_COUNT_DEFAULT = HttpConnectionConfig.MAX_SEGMENT_COUNT_DEFAULT;

    /**
     * Default largest request body: 30,000,000 bytes, as IIS maxAllowedContentLength.
     */
    public static final long MAX_REQUEST_BODY_SIZE_DEFAULT = StrictDecoderConfig.MAX_REQUEST_BODY_SIZE_DEFAULT;

    /**
     * Value of {@link #maxConnections()} that sets no limit.
     */
    public static final int MAX_CONNECTIONS_UNLIMITED = 0;

    /**
     * Default most open connections: unlimited, as HTTP.sys.
     */
    public static final int MAX_CONNECTIONS_DEFAULT = MAX_CONNECTIONS_UNLIMITED;

    /**
     * Default pipelining depth per connection.
     */
    public static final int MAX_PIPELINED_REQUESTS_DEFAULT = HttpConnectionConfig.MAX_PIPELINED_REQUESTS_DEFAULT;

    /**
     * @param id the listener id.
     * @return the default shared-memory directory for that id.
     */
    public static Path shmDirDefault(final String id)
    {
        return Path.of("/dev/shm", "sluice-" + id);
    }

    /**
     * A configuration with every HTTP limit and timer at its default.
     *
     * @param id                   listener id.
     * @param bindAddress          address the prefix ports are bound on.
     * @param eventLoops           number of epoll event loops.
     * @param shmDir               directory for the queue files.
     * @param adminPort            port of the admin endpoint; 0 disables it.
     * @param maxInitialLineLength longest request line in bytes.
     * @param maxRequestBytes      largest request line plus header block in bytes.
     * @param maxPipelinedRequests most requests in flight on one connection.
     * @param queues               the request queues.
     */
    public ListenerConfiguration(
        final String id,
        final String bindAddress,
        final int eventLoops,
        final Path shmDir,
        final int adminPort,
        final int maxInitialLineLength,
        final int maxRequestBytes,
        final int maxPipelinedRequests,
        final List<QueueConfiguration> queues)
    {
        this(
            id,
            bindAddress,
            eventLoops,
            shmDir,
            adminPort,
            maxInitialLineLength,
            maxRequestBytes,
            MAX_FIELD_LENGTH_DEFAULT,
            MAX_URL_LENGTH_DEFAULT,
            MAX_SEGMENT_LENGTH_DEFAULT,
            MAX_SEGMENT_COUNT_DEFAULT,
            MAX_REQUEST_BODY_SIZE_DEFAULT,
            MAX_CONNECTIONS_DEFAULT,
            maxPipelinedRequests,
            TimeoutsConfiguration.defaults(),
            queues,
            AdminConfiguration.defaults(),
            null,
            LogFileConfiguration.OFF,
            LogFileConfiguration.OFF,
            Http2Configuration.defaults());
    }

    /**
     * @return the request decoder's limits: request line, head, field line, request-target and body.
     */
    public StrictDecoderConfig decoderConfig()
    {
        return new StrictDecoderConfig()
            .maxInitialLineLength(maxInitialLineLength)
            .maxHeaderSize(maxRequestBytes)
            .maxFieldLength(maxFieldLength)
            .maxUrlLength(maxUrlLength)
            .maxRequestBodySize(maxRequestBodySize);
    }

    /**
     * @return the connection handlers' settings: pipelining depth, path segment limits, timers in ns and send rate.
     */
    public HttpConnectionConfig connectionConfig()
    {
        return new HttpConnectionConfig()
            .maxPipelinedRequests(maxPipelinedRequests)
            .maxSegmentLength(maxSegmentLength)
            .maxSegmentCount(maxSegmentCount)
            .headerWaitNs(TimeUnit.MILLISECONDS.toNanos(timeouts.headerWaitMs()))
            .idleConnectionNs(TimeUnit.MILLISECONDS.toNanos(timeouts.idleConnectionMs()))
            .entityBodyNs(TimeUnit.MILLISECONDS.toNanos(timeouts.entityBodyMs()))
            .drainEntityBodyNs(TimeUnit.MILLISECONDS.toNanos(timeouts.drainEntityBodyMs()))
            .minSendRate(timeouts.minSendRate())
            .minSendRateGraceNs(TimeUnit.MILLISECONDS.toNanos(timeouts.minSendRateGraceMs()))
            .http2((null == http2 ? Http2Configuration.defaults() : http2).http2Config());
    }
}
