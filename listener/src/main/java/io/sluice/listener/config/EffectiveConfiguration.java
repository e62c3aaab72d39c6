package io.sluice.listener.config;

import io.sluice.listener.queue.HostingMode;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration as the deployment file would write it: every key with the value in force, defaults and
 * derived values included (the shared-memory directory, each queue's body limit and timers), sizes and durations in
 * the file's units. The listener logs it once at start, so that what runs can be read, and copied, from the log.
 * <p>
 * Worker environment values are left out ({@value #HIDDEN_VALUE}): they may hold secrets. Stateless.
 */
public final class EffectiveConfiguration
{
    /**
     * Written in place of each worker environment value.
     */
    public static final String HIDDEN_VALUE = "(not shown)";

    private EffectiveConfiguration()
    {
    }

    /**
     * @param config a concluded configuration.
     * @return it as a YAML document in the deployment file's keys, one key a line.
     */
    public static String describe(final ListenerConfiguration config)
    {
        final Map<String, Object> listener = new LinkedHashMap<>();
        listener.put(YamlKeys.ID, config.id());
        listener.put(YamlKeys.BIND, config.bindAddress());
        listener.put(YamlKeys.EVENT_LOOPS, config.eventLoops());
        listener.put(YamlKeys.SHM_DIR, config.shmDir().toString());
        listener.put(YamlKeys.ADMIN_PORT, config.adminPort());
        listener.put(YamlKeys.ADMIN_BIND, config.admin().bindAddress());
        listener.put(YamlKeys.ADMIN_MAX_CONNECTIONS, config.admin().maxConnections());
        listener.put(YamlKeys.ADMIN_HEADER_WAIT, ConfigValues.formatDurationMs(config.admin().headerWaitMs()));
        listener.put(YamlKeys.ADMIN_IDLE_CONNECTION, ConfigValues.formatDurationMs(config.admin().idleConnectionMs()));
        listener.put(YamlKeys.MAX_INITIAL_LINE_LENGTH, ConfigValues.formatSize(config.maxInitialLineLength()));
        listener.put(YamlKeys.MAX_REQUEST_BYTES, ConfigValues.formatSize(config.maxRequestBytes()));
        listener.put(YamlKeys.MAX_FIELD_LENGTH, ConfigValues.formatSize(config.maxFieldLength()));
        listener.put(YamlKeys.MAX_URL_LENGTH, ConfigValues.formatSize(config.maxUrlLength()));
        listener.put(YamlKeys.MAX_SEGMENT_LENGTH, config.maxSegmentLength());
        listener.put(YamlKeys.MAX_SEGMENT_COUNT, config.maxSegmentCount());
        listener.put(YamlKeys.MAX_REQUEST_BODY_SIZE, ConfigValues.formatSize(config.maxRequestBodySize()));
        listener.put(YamlKeys.MAX_CONNECTIONS, config.maxConnections());
        listener.put(YamlKeys.MAX_PIPELINED_REQUESTS, config.maxPipelinedRequests());
        listener.put(YamlKeys.TIMEOUTS, timeouts(config.timeouts()));
        listener.put(YamlKeys.HTTP2, http2(config.http2()));
        if (null != config.tls())
        {
            listener.put(YamlKeys.TLS, tls(config.tls()));
        }
        listener.put(YamlKeys.ACCESS_LOG, logFile(config.accessLog()));
        listener.put(YamlKeys.ERROR_LOG, logFile(config.errorLog()));

        final List<Object> queues = new ArrayList<>();
        for (final QueueConfiguration queue : config.queues())
        {
            queues.add(queue(queue));
        }
        final Map<String, Object> document = new LinkedHashMap<>();
        document.put(YamlKeys.LISTENER, listener);
        document.put(YamlKeys.QUEUES, queues);

        final DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(Integer.MAX_VALUE);
        return new Yaml(options).dump(document);
    }

    private static Map<String, Object> http2(final Http2Configuration http2)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put(YamlKeys.MAX_CONCURRENT_STREAMS, http2.maxConcurrentStreams());
        map.put(YamlKeys.INITIAL_WINDOW_SIZE, ConfigValues.formatSize(http2.initialWindowSize()));
        map.put(YamlKeys.HEADER_TABLE_SIZE, ConfigValues.formatSize(http2.headerTableSize()));
        map.put(YamlKeys.MAX_RESETS, http2.maxResets());
        map.put(YamlKeys.RESET_WINDOW, ConfigValues.formatDurationMs(http2.resetWindowMs()));
        map.put(YamlKeys.MAX_QUEUED_CONTROL_FRAMES, http2.maxQueuedControlFrames());
        map.put(YamlKeys.MAX_SMALL_CONTINUATION_FRAMES, http2.maxSmallContinuationFrames());
        map.put(YamlKeys.MAX_CONSECUTIVE_EMPTY_FRAMES, http2.maxConsecutiveEmptyFrames());
        return map;
    }

    private static Object logFile(final LogFileConfiguration log)
    {
        if (!log.enabled())
        {
            return false;
        }
        final Map<String, Object> rotate = new LinkedHashMap<>();
        rotate.put(YamlKeys.SIZE, ConfigValues.formatSize(log.rotateSizeLength()));
        rotate.put(YamlKeys.DAILY, log.rotateDaily());
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put(YamlKeys.PATH, log.path().toString());
        map.put(YamlKeys.ROTATE, rotate);
        return map;
    }

    private static Map<String, Object> timeouts(final TimeoutsConfiguration timeouts)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put(YamlKeys.HEADER_WAIT, ConfigValues.formatDurationMs(timeouts.headerWaitMs()));
        map.put(YamlKeys.IDLE_CONNECTION, ConfigValues.formatDurationMs(timeouts.idleConnectionMs()));
        map.put(YamlKeys.ENTITY_BODY, ConfigValues.formatDurationMs(timeouts.entityBodyMs()));
        map.put(YamlKeys.DRAIN_ENTITY_BODY, ConfigValues.formatDurationMs(timeouts.drainEntityBodyMs()));
        map.put(YamlKeys.QUEUE_WAIT, ConfigValues.formatDurationMs(timeouts.queueWaitMs()));
        map.put(YamlKeys.MIN_SEND_RATE, ConfigValues.formatSize(timeouts.minSendRate()));
        map.put(YamlKeys.MIN_SEND_RATE_GRACE, ConfigValues.formatDurationMs(timeouts.minSendRateGraceMs()));
        return map;
    }

    private static Map<String, Object> tls(final TlsConfiguration tls)
    {
        final List<Object> certificates = new ArrayList<>();
        for (final TlsConfiguration.Certificate certificate : tls.certificates())
        {
            final Map<String, Object> map = new LinkedHashMap<>();
            map.put(YamlKeys.HOSTS, certificate.hosts());
            if (certificate.isSelfSigned())
            {
                map.put(YamlKeys.CERTIFICATE, TlsConfiguration.SELF_SIGNED);
            }
            else
            {
                map.put(YamlKeys.CERTIFICATE, certificate.certificate().toString());
                map.put(YamlKeys.KEY, certificate.key().toString());
            }
            certificates.add(map);
        }
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put(YamlKeys.CERTIFICATES, certificates);
        map.put(YamlKeys.PROTOCOLS, tls.protocols());
        map.put(YamlKeys.CLIENT_CERTIFICATE, tls.clientCertificate().configName());
        if (null != tls.clientCertificateCa())
        {
            map.put(YamlKeys.CLIENT_CERTIFICATE_CA, tls.clientCertificateCa().toString());
        }
        map.put(YamlKeys.HANDSHAKE_TIMEOUT, ConfigValues.formatDurationMs(tls.handshakeTimeoutMs()));
        map.put(YamlKeys.SELF_SIGNED_DIR, tls.selfSignedDir().toString());
        map.put(YamlKeys.ENGINE, tls.engine().configName());
        return map;
    }

    private static Map<String, Object> queue(final QueueConfiguration queue)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put(YamlKeys.NAME, queue.name());
        map.put(YamlKeys.PREFIXES, queue.prefixes());
        map.put(YamlKeys.HOSTING, queue.hosting().configName());
        if (null != queue.handler())
        {
            map.put(YamlKeys.HANDLER, queue.handler());
        }
        map.put(YamlKeys.QUEUE_LENGTH, queue.queueLength());
        if (QueueConfiguration.RING_CAPACITY_NONE != queue.ringCapacity())
        {
            map.put(YamlKeys.RING_CAPACITY, ConfigValues.formatSize(queue.ringCapacity()));
        }
        if (QueueConfiguration.RESPONSE_WINDOW_NONE != queue.responseWindow())
        {
            map.put(YamlKeys.RESPONSE_WINDOW, ConfigValues.formatSize(queue.responseWindow()));
        }
        map.put(YamlKeys.MAX_REQUEST_BODY_SIZE, ConfigValues.formatSize(queue.maxRequestBodySize()));
        map.put(YamlKeys.WEB_SOCKETS, queue.webSockets());
        final Map<String, Object> timeouts = new LinkedHashMap<>();
        timeouts.put(YamlKeys.ENTITY_BODY, ConfigValues.formatDurationMs(queue.entityBodyTimeoutMs()));
        timeouts.put(YamlKeys.QUEUE_WAIT, ConfigValues.formatDurationMs(queue.queueWaitTimeoutMs()));
        timeouts.put(YamlKeys.TUNNEL_IDLE, ConfigValues.formatDurationMs(queue.tunnelIdleTimeoutMs()));
        map.put(YamlKeys.TIMEOUTS, timeouts);
        if (null != queue.worker())
        {
            map.put(YamlKeys.WORKER, worker(queue.worker(), queue.hosting()));
        }
        if (null != queue.accessLog())
        {
            map.put(YamlKeys.ACCESS_LOG, logFile(queue.accessLog()));
        }
        return map;
    }

    private static Map<String, Object> worker(
        final WorkerConfiguration worker, final HostingMode hosting)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put(YamlKeys.COMMAND, worker.command());
        final Map<String, Object> environment = new LinkedHashMap<>();
        for (final String name : worker.environment().keySet())
        {
            environment.put(name, HIDDEN_VALUE);
        }
        map.put(YamlKeys.ENVIRONMENT, environment);
        map.put(YamlKeys.PROCESSES, worker.processes());
        map.put(YamlKeys.STARTUP_TIME_LIMIT, ConfigValues.formatDurationMs(worker.startupTimeLimitMs()));
        map.put(YamlKeys.STARTUP_RETRY_COUNT, worker.startupRetryCount());
        map.put(YamlKeys.RAPID_FAILS_PER_MINUTE, worker.rapidFailsPerMinute());
        map.put(YamlKeys.SHUTDOWN_TIME_LIMIT, ConfigValues.formatDurationMs(worker.shutdownTimeLimitMs()));
        map.put(YamlKeys.REQUEST_TIMEOUT, ConfigValues.formatDurationMs(worker.requestTimeoutMs()));
        if (hosting == HostingMode.SHARED_MEMORY)
        {
            map.put(YamlKeys.HEARTBEAT_TIMEOUT, ConfigValues.formatDurationMs(worker.heartbeatTimeoutMs()));
        }
        map.put(YamlKeys.STDOUT_LOG, null == worker.stdoutLog() ? null : worker.stdoutLog().toString());
        if (hosting == HostingMode.LOOPBACK_FORWARD)
        {
            map.put(YamlKeys.HEADER_WAIT, ConfigValues.formatDurationMs(worker.headerWaitMs()));
            map.put(YamlKeys.IDLE_CONNECTION, ConfigValues.formatDurationMs(worker.idleConnectionMs()));
            map.put(YamlKeys.MAX_CONNECTIONS, worker.maxConnections());
        }
        final WorkerLifetime lifetime = worker.lifetime();
        map.put(YamlKeys.ACTIVATION, lifetime.activation().configName());
        map.put(YamlKeys.IDLE_TIMEOUT, ConfigValues.formatDurationMs(lifetime.idleTimeoutMs()));
        final Map<String, Object> recycle = new LinkedHashMap<>();
        recycle.put(YamlKeys.RECYCLE_TIME, ConfigValues.formatDurationMs(lifetime.recycleTimeMs()));
        recycle.put(YamlKeys.RECYCLE_REQUESTS, lifetime.recycleRequests());
        recycle.put(YamlKeys.RECYCLE_MEMORY, ConfigValues.formatSize(lifetime.recycleMemoryBytes()));
        map.put(YamlKeys.RECYCLE, recycle);
        return map;
    }
}
