package io.sluice.listener.config;

import io.netty.util.NetUtil;
import io.sluice.listener.http.StrictDecoderConfig;
import io.sluice.listener.routing.UrlPrefix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The listener's settings ({@code listener}, {@code listener.timeouts}) and its queues, as set, before they are
 * checked, in the manner of Aeron's {@code MediaDriver.Context}: every field starts at its {@code *_DEFAULT} constant
 * ({@link ListenerConfiguration}, {@link TimeoutsConfiguration}, {@link AdminConfiguration}); fluent setters take any
 * value; {@link #conclude()} checks every range and every rule across keys and queues once, in file order, derives
 * what follows from other keys (the shared-memory directory from the id, a queue's limits from the listener's) and
 * yields the immutable {@link ListenerConfiguration}, from which the components' own settings are derived
 * ({@link ListenerConfiguration#decoderConfig()}, {@link ListenerConfiguration#connectionConfig()},
 * {@link QueueConfiguration#binding}).
 * <p>
 * {@link ConfigLoader} maps the file's keys onto these setters; a context read from a file names the file, the key path
 * and the value as written in each message, one made in code names {@code context} and the key path the file would
 * have. Not thread-safe; set up and concluded on one thread.
 */
public final class ListenerContext
{
    /**
     * Greatest connection timer and send-rate window: 24 h.
     */
    public static final long TIMEOUT_MS_MAX = 24L * 3_600_000;

    /**
     * Greatest number of event loops.
     */
    public static final int EVENT_LOOPS_MAX = 256;

    /**
     * Greatest {@code maxPipelinedRequests}.
     */
    public static final int MAX_PIPELINED_REQUESTS_MAX = 65_536;

    /**
     * Greatest port number.
     */
    public static final int PORT_MAX = 65_535;

    /**
     * The rule of a listener id and a queue name, as messages state it.
     */
    static final String NAME_RULE = "must be 1 to 32 characters of A-Z a-z 0-9 _ -";

    private static final Pattern HOST_NAME = Pattern.compile(
        "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private final SettingOrigin origin = new SettingOrigin();
    private final SettingOrigin timeoutsOrigin = new SettingOrigin();
    private final Http2Context http2 = new Http2Context();
    private final List<QueueContext> queues = new ArrayList<>();
    private String id = ListenerConfiguration.ID_DEFAULT;
    private String bindAddress = ListenerConfiguration.BIND_ADDRESS_DEFAULT;
    private long eventLoops = ListenerConfiguration.EVENT_LOOPS_DEFAULT;
    private Path shmDir;
    private long adminPort = ListenerConfiguration.ADMIN_PORT_DEFAULT;
    private String adminBindAddress = AdminConfiguration.BIND_ADDRESS_DEFAULT;
    private long adminMaxConnections = AdminConfiguration.MAX_CONNECTIONS_DEFAULT;
    private long adminHeaderWaitMs = AdminConfiguration.HEADER_WAIT_MS_DEFAULT;
    private long adminIdleConnectionMs = AdminConfiguration.IDLE_CONNECTION_MS_DEFAULT;
    private long maxInitialLineLength = ListenerConfiguration.MAX_INITIAL_LINE_LENGTH_DEFAULT;
    private long maxRequestBytes = ListenerConfiguration.MAX_REQUEST_BYTES_DEFAULT;
    private long maxFieldLength = ListenerConfiguration.MAX_FIELD_LENGTH_DEFAULT;
    private long maxUrlLength = ListenerConfiguration.MAX_URL_LENGTH_DEFAULT;
    private long maxSegmentLength = ListenerConfiguration.MAX_SEGMENT_LENGTH_DEFAULT;
    private long maxSegmentCount = ListenerConfiguration.MAX_SEGMENT_COUNT_DEFAULT;
    private long maxRequestBodySize = ListenerConfiguration.MAX_REQUEST_BODY_SIZE_DEFAULT;
    private long maxConnections = ListenerConfiguration.MAX_CONNECTIONS_DEFAULT;
    private long maxPipelinedRequests = ListenerConfiguration.MAX_PIPELINED_REQUESTS_DEFAULT;
    private long headerWaitMs = TimeoutsConfiguration.HEADER_WAIT_MS_DEFAULT;
    private long idleConnectionMs = TimeoutsConfiguration.IDLE_CONNECTION_MS_DEFAULT;
    private long entityBodyMs = TimeoutsConfiguration.ENTITY_BODY_MS_DEFAULT;
    private long drainEntityBodyMs = TimeoutsConfiguration.DRAIN_ENTITY_BODY_MS_DEFAULT;
    private long queueWaitMs = TimeoutsConfiguration.QUEUE_WAIT_MS_DEFAULT;
    private long minSendRate = TimeoutsConfiguration.MIN_SEND_RATE_DEFAULT;
    private long minSendRateGraceMs = TimeoutsConfiguration.MIN_SEND_RATE_GRACE_MS_DEFAULT;
    private TlsContext tls;
    private LogFileConfiguration accessLog = LogFileConfiguration.OFF;
    private LogFileConfiguration errorLog = LogFileConfiguration.OFF;

    /**
     * @param id listener id, 1 to 32 characters of {@code A-Z a-z 0-9 _ -}.
     * @return this.
     */
    public ListenerContext id(final String id)
    {
        this.id = id;
        origin.set(YamlKeys.ID);
        return this;
    }

    /**
     * @param bindAddress IP address or host name the prefixes' ports are bound on.
     * @return this.
     */
    public ListenerContext bindAddress(final String bindAddress)
    {
        this.bindAddress = bindAddress;
        origin.set(YamlKeys.BIND);
        return this;
    }

    /**
     * @param eventLoops epoll event loops, 1 to {@value #EVENT_LOOPS_MAX}.
     * @return this.
     */
    public ListenerContext eventLoops(final long eventLoops)
    {
        this.eventLoops = eventLoops;
        origin.set(YamlKeys.EVENT_LOOPS);
        return this;
    }

    /**
     * @param shmDir directory of the queue files, or null for {@link ListenerConfiguration#shmDirDefault(String)}.
     * @return this.
     */
    public ListenerContext shmDir(final Path shmDir)
    {
        this.shmDir = shmDir;
        origin.set(YamlKeys.SHM_DIR);
        return this;
    }

    /**
     * @param adminPort admin endpoint's port, 0 (off) to {@value #PORT_MAX}, no prefix's port.
     * @return this.
     */
    public ListenerContext adminPort(final long adminPort)
    {
        this.adminPort = adminPort;
        origin.set(YamlKeys.ADMIN_PORT);
        return this;
    }

    /**
     * @param adminBindAddress IP address or host name the admin port is bound on.
     * @return this.
     */
    public ListenerContext adminBindAddress(final String adminBindAddress)
    {
        this.adminBindAddress = adminBindAddress;
        origin.set(YamlKeys.ADMIN_BIND);
        return this;
    }

    /**
     * @param adminMaxConnections most open admin connections, 1 to {@value AdminConfiguration#MAX_CONNECTIONS_MAX}.
     * @return this.
     */
    public ListenerContext adminMaxConnections(final long adminMaxConnections)
    {
        this.adminMaxConnections = adminMaxConnections;
        origin.set(YamlKeys.ADMIN_MAX_CONNECTIONS);
        return this;
    }

    /**
     * @param adminHeaderWaitMs admin header wait, 0 (never) to 24 h.
     * @return this.
     */
    public ListenerContext adminHeaderWaitMs(final long adminHeaderWaitMs)
    {
        this.adminHeaderWaitMs = adminHeaderWaitMs;
        origin.set(YamlKeys.ADMIN_HEADER_WAIT);
        return this;
    }

    /**
     * @param adminIdleConnectionMs admin idle connection time, 0 (never) to 24 h.
     * @return this.
     */
    public ListenerContext adminIdleConnectionMs(final long adminIdleConnectionMs)
    {
        this.adminIdleConnectionMs = adminIdleConnectionMs;
        origin.set(YamlKeys.ADMIN_IDLE_CONNECTION);
        return this;
    }

    /**
     * @param maxInitialLineLength longest request line in bytes, at least {@value StrictDecoderConfig#MIN_LINE_LENGTH}.
     * @return this.
     */
    public ListenerContext maxInitialLineLength(final long maxInitialLineLength)
    {
        this.maxInitialLineLength = maxInitialLineLength;
        origin.set(YamlKeys.MAX_INITIAL_LINE_LENGTH);
        return this;
    }

    /**
     * @param maxRequestBytes largest request line plus header block in bytes, at least
     *                        {@value StrictDecoderConfig#MIN_LINE_LENGTH}.
     * @return this.
     */
    public ListenerContext maxRequestBytes(final long maxRequestBytes)
    {
        this.maxRequestBytes = maxRequestBytes;
        origin.set(YamlKeys.MAX_REQUEST_BYTES);
        return this;
    }

    /**
     * @param maxFieldLength largest header field line in bytes, at least {@value StrictDecoderConfig#MIN_LINE_LENGTH}.
     * @return this.
     */
    public ListenerContext maxFieldLength(final long maxFieldLength)
    {
        this.maxFieldLength = maxFieldLength;
        origin.set(YamlKeys.MAX_FIELD_LENGTH);
        return this;
    }

    /**
     * @param maxUrlLength longest request-target in bytes, at least 1.
     * @return this.
     */
    public ListenerContext maxUrlLength(final long maxUrlLength)
    {
        this.maxUrlLength = maxUrlLength;
        origin.set(YamlKeys.MAX_URL_LENGTH);
        return this;
    }

    /**
     * @param maxSegmentLength most characters in one path segment, at least 1.
     * @return this.
     */
    public ListenerContext maxSegmentLength(final long maxSegmentLength)
    {
        this.maxSegmentLength = maxSegmentLength;
        origin.set(YamlKeys.MAX_SEGMENT_LENGTH);
        return this;
    }

    /**
     * @param maxSegmentCount most path segments, at least 1.
     * @return this.
     */
    public ListenerContext maxSegmentCount(final long maxSegmentCount)
    {
        this.maxSegmentCount = maxSegmentCount;
        origin.set(YamlKeys.MAX_SEGMENT_COUNT);
        return this;
    }

    /**
     * @param maxRequestBodySize largest request body in bytes, 0 or more; each queue's default and greatest.
     * @return this.
     */
    public ListenerContext maxRequestBodySize(final long maxRequestBodySize)
    {
        this.maxRequestBodySize = maxRequestBodySize;
        origin.set(YamlKeys.MAX_REQUEST_BODY_SIZE);
        return this;
    }

    /**
     * @param maxConnections most open client connections, or {@link ListenerConfiguration#MAX_CONNECTIONS_UNLIMITED}.
     * @return this.
     */
    public ListenerContext maxConnections(final long maxConnections)
    {
        this.maxConnections = maxConnections;
        origin.set(YamlKeys.MAX_CONNECTIONS);
        return this;
    }

    /**
     * @param maxPipelinedRequests requests in flight per connection, 1 to {@value #MAX_PIPELINED_REQUESTS_MAX}.
     * @return this.
     */
    public ListenerContext maxPipelinedRequests(final long maxPipelinedRequests)
    {
        this.maxPipelinedRequests = maxPipelinedRequests;
        origin.set(YamlKeys.MAX_PIPELINED_REQUESTS);
        return this;
    }

    /**
     * @param headerWaitMs header wait, 0 (never) to 24 h.
     * @return this.
     */
    public ListenerContext headerWaitMs(final long headerWaitMs)
    {
        this.headerWaitMs = headerWaitMs;
        timeoutsOrigin.set(YamlKeys.HEADER_WAIT);
        return this;
    }

    /**
     * @param idleConnectionMs idle connection time, 0 (never) to 24 h.
     * @return this.
     */
    public ListenerContext idleConnectionMs(final long idleConnectionMs)
    {
        this.idleConnectionMs = idleConnectionMs;
        timeoutsOrigin.set(YamlKeys.IDLE_CONNECTION);
        return this;
    }

    /**
     * @param entityBodyMs entity body time, 0 (never) to 24 h; each queue's default.
     * @return this.
     */
    public ListenerContext entityBodyMs(final long entityBodyMs)
    {
        this.entityBodyMs = entityBodyMs;
        timeoutsOrigin.set(YamlKeys.ENTITY_BODY);
        return this;
    }

    /**
     * @param drainEntityBodyMs drain time, 0 (never) to 24 h.
     * @return this.
     */
    public ListenerContext drainEntityBodyMs(final long drainEntityBodyMs)
    {
        this.drainEntityBodyMs = drainEntityBodyMs;
        timeoutsOrigin.set(YamlKeys.DRAIN_ENTITY_BODY);
        return this;
    }

    /**
     * @param queueWaitMs time in queue, 0 (never) to 24 h; each queue's default.
     * @return this.
     */
    public ListenerContext queueWaitMs(final long queueWaitMs)
    {
        this.queueWaitMs = queueWaitMs;
        timeoutsOrigin.set(YamlKeys.QUEUE_WAIT);
        return this;
    }

    /**
     * @param minSendRate bytes per second, 0 (off) or more.
     * @return this.
     */
    public ListenerContext minSendRate(final long minSendRate)
    {
        this.minSendRate = minSendRate;
        timeoutsOrigin.set(YamlKeys.MIN_SEND_RATE);
        return this;
    }

    /**
     * @param minSendRateGraceMs send-rate window, 1 ms to 24 h.
     * @return this.
     */
    public ListenerContext minSendRateGraceMs(final long minSendRateGraceMs)
    {
        this.minSendRateGraceMs = minSendRateGraceMs;
        timeoutsOrigin.set(YamlKeys.MIN_SEND_RATE_GRACE);
        return this;
    }

    /**
     * @param accessLog the listener's access log ({@link LogFileConfiguration#OFF}, the default: none).
     * @return this.
     */
    public ListenerContext accessLog(final LogFileConfiguration accessLog)
    {
        this.accessLog = accessLog;
        return this;
    }

    /**
     * @param errorLog the error log ({@link LogFileConfiguration#OFF}, the default: none).
     * @return this.
     */
    public ListenerContext errorLog(final LogFileConfiguration errorLog)
    {
        this.errorLog = errorLog;
        return this;
    }

    /**
     * @param tls the TLS settings of the {@code https} prefixes; null (the default) when there are none.
     * @return this.
     */
    public ListenerContext tls(final TlsContext tls)
    {
        this.tls = tls;
        origin.set(YamlKeys.TLS);
        return this;
    }

    /**
     * @param queue a request queue, after those added before; at least one is needed.
     * @return this.
     */
    public ListenerContext addQueue(final QueueContext queue)
    {
        queues.add(queue);
        return this;
    }

    SettingOrigin origin()
    {
        return origin;
    }

    /**
     * @return the {@code listener.http2} settings, set in place.
     */
    public Http2Context http2()
    {
        return http2;
    }

    SettingOrigin timeoutsOrigin()
    {
        return timeoutsOrigin;
    }

    /**
     * Check every setting once, in file order, then the rules across keys: no prefix on the admin port, and what
     * shared-memory queues need of the listener (a directory short enough for the doorbell sockets).
     *
     * @return the effective configuration.
     * @throws ConfigException naming the first key at fault, the file and the value.
     */
    public ListenerConfiguration conclude()
    {
        origin.at(YamlKeys.LISTENER);
        timeoutsOrigin.at(origin.pathOf(YamlKeys.TIMEOUTS));
        if (!ConfigValues.isName(id))
        {
            throw origin.error(YamlKeys.ID, NAME_RULE, id);
        }
        checkAddress(YamlKeys.BIND, bindAddress);
        final int loops = origin.between(YamlKeys.EVENT_LOOPS, eventLoops, 1, EVENT_LOOPS_MAX);
        final int port = origin.between(YamlKeys.ADMIN_PORT, adminPort, 0, PORT_MAX);
        final int lineLength = origin.intSize(
            YamlKeys.MAX_INITIAL_LINE_LENGTH, maxInitialLineLength, StrictDecoderConfig.MIN_LINE_LENGTH);
        final int requestBytes = origin.intSize(
            origin.isWritten(YamlKeys.MAX_HEADER_SIZE) ? YamlKeys.MAX_HEADER_SIZE : YamlKeys.MAX_REQUEST_BYTES,
            maxRequestBytes,
            StrictDecoderConfig.MIN_LINE_LENGTH);
        final int fieldLength = origin.intSize(
            YamlKeys.MAX_FIELD_LENGTH, maxFieldLength, StrictDecoderConfig.MIN_LINE_LENGTH);
        final int urlLength = origin.intSize(YamlKeys.MAX_URL_LENGTH, maxUrlLength, 1);
        final int segmentLength = origin.between(YamlKeys.MAX_SEGMENT_LENGTH, maxSegmentLength, 1, Integer.MAX_VALUE);
        final int segmentCount = origin.between(YamlKeys.MAX_SEGMENT_COUNT, maxSegmentCount, 1, Integer.MAX_VALUE);
        final long bodySize = origin.intSize(YamlKeys.MAX_REQUEST_BODY_SIZE, maxRequestBodySize, 0);
        final int connections = origin.between(YamlKeys.MAX_CONNECTIONS, maxConnections, 0, Integer.MAX_VALUE);
        final int pipelined = origin.between(
            YamlKeys.MAX_PIPELINED_REQUESTS, maxPipelinedRequests, 1, MAX_PIPELINED_REQUESTS_MAX);
        final TimeoutsConfiguration timeouts = concludeTimeouts();
        checkAddress(YamlKeys.ADMIN_BIND, adminBindAddress);
        final AdminConfiguration admin = new AdminConfiguration(
            adminBindAddress,
            origin.between(
                YamlKeys.ADMIN_MAX_CONNECTIONS, adminMaxConnections, 1, AdminConfiguration.MAX_CONNECTIONS_MAX),
            origin.durationMs(YamlKeys.ADMIN_HEADER_WAIT, adminHeaderWaitMs, 0, TIMEOUT_MS_MAX),
            origin.durationMs(YamlKeys.ADMIN_IDLE_CONNECTION, adminIdleConnectionMs, 0, TIMEOUT_MS_MAX));

        final TlsConfiguration tlsConfig = null == tls ? null : tls.conclude(origin.pathOf(YamlKeys.TLS), id);
        final List<QueueConfiguration> queueConfigs = concludeQueues(bodySize, timeouts);
        ListenerRules.checkAdminPort(origin, port, queueConfigs);
        ListenerRules.checkSchemes(origin, null != tlsConfig, queueConfigs);
        final Path queueDir = null == shmDir ? ListenerConfiguration.shmDirDefault(id) : shmDir;
        ListenerRules.checkSharedMemory(origin, loops, queueDir, queueConfigs);

        return new ListenerConfiguration(
            id,
            bindAddress,
            loops,
            queueDir,
            port,
            lineLength,
            requestBytes,
            fieldLength,
            urlLength,
            segmentLength,
            segmentCount,
            bodySize,
            connections,
            pipelined,
            timeouts,
            queueConfigs,
            admin,
            tlsConfig,
            accessLog,
            errorLog,
            http2.conclude(origin.pathOf(YamlKeys.HTTP2)));
    }

    private TimeoutsConfiguration concludeTimeouts()
    {
        return new TimeoutsConfiguration(
            timeoutsOrigin.durationMs(YamlKeys.HEADER_WAIT, headerWaitMs, 0, TIMEOUT_MS_MAX),
            timeoutsOrigin.durationMs(YamlKeys.IDLE_CONNECTION, idleConnectionMs, 0, TIMEOUT_MS_MAX),
            timeoutsOrigin.durationMs(YamlKeys.ENTITY_BODY, entityBodyMs, 0, TIMEOUT_MS_MAX),
            timeoutsOrigin.durationMs(YamlKeys.DRAIN_ENTITY_BODY, drainEntityBodyMs, 0, TIMEOUT_MS_MAX),
            timeoutsOrigin.durationMs(YamlKeys.QUEUE_WAIT, queueWaitMs, 0, TIMEOUT_MS_MAX),
            timeoutsOrigin.intSize(YamlKeys.MIN_SEND_RATE, minSendRate, 0),
            timeoutsOrigin.durationMs(YamlKeys.MIN_SEND_RATE_GRACE, minSendRateGraceMs, 1, TIMEOUT_MS_MAX));
    }

    private List<QueueConfiguration> concludeQueues(final long bodySize, final TimeoutsConfiguration timeouts)
    {
        if (queues.isEmpty())
        {
            throw ConfigSection.error(
                origin.source(), YamlKeys.QUEUES, "must list at least one queue", Collections.emptyList());
        }
        final Map<String, String> namePaths = new HashMap<>();
        final Map<UrlPrefix, String> prefixPaths = new HashMap<>();
        final List<QueueConfiguration> queueConfigs = new ArrayList<>(queues.size());
        for (int i = 0; i < queues.size(); i++)
        {
            queueConfigs.add(queues.get(i).conclude(
                ConfigKeys.queue(i), bodySize, timeouts, namePaths, prefixPaths));
        }
        return Collections.unmodifiableList(queueConfigs);
    }

    private void checkAddress(final String key, final String address)
    {
        if (!NetUtil.isValidIpV4Address(address) && !NetUtil.isValidIpV6Address(address) &&
            !HOST_NAME.matcher(address).matches())
        {
            throw origin.error(key, "must be an IP address or a host name", address);
        }
    }
}
