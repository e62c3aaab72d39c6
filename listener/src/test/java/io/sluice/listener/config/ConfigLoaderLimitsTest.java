package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The request limits and connection timers of the deployment file: {@code listener.maxRequestBytes} and its old name
 * {@code maxHeaderSize}, {@code maxFieldLength}, {@code maxUrlLength}, {@code maxSegmentLength},
 * {@code maxSegmentCount}, {@code maxRequestBodySize}, {@code maxConnections}, {@code listener.timeouts}, and the
 * per-queue {@code maxRequestBodySize} and {@code timeouts}.
 */
class ConfigLoaderLimitsTest
{
    private static final String SOURCE = "sluice.yaml";
    private static final String QUEUE = """
        queues:
          - name: q
            prefixes: [ "http://+:8080/q/" ]
            hosting: in-process
            handler: com.example.Handler
        """;

    @Test
    void shouldApplyHttpSysDefaultsWhenLimitKeysAreOmitted()
    {
        final ListenerConfiguration config = ConfigLoader.parse(QUEUE, SOURCE);

        assertEquals(16384, config.maxRequestBytes());
        assertEquals(16384, config.maxFieldLength());
        assertEquals(4096, config.maxUrlLength());
        assertEquals(260, config.maxSegmentLength());
        assertEquals(255, config.maxSegmentCount());
        assertEquals(30_000_000L, config.maxRequestBodySize());
        assertEquals(ListenerConfiguration.MAX_CONNECTIONS_UNLIMITED, config.maxConnections());
        assertEquals(new TimeoutsConfiguration(120_000, 120_000, 120_000, 120_000, 120_000, 150, 10_000),
            config.timeouts());
        assertEquals(TimeoutsConfiguration.defaults(), config.timeouts());

        final QueueConfiguration queue = config.queues().get(0);
        assertEquals(30_000_000L, queue.maxRequestBodySize());
        assertEquals(120_000, queue.entityBodyTimeoutMs());
        assertEquals(120_000, queue.queueWaitTimeoutMs());
    }

    @Test
    void shouldDocumentEveryDefaultInTheDefaultConfiguration()
    {
        final ListenerConfiguration config = ConfigLoader.load(Path.of("..", "native-config", "sluice.yaml"));

        assertEquals(ConfigLoader.parse(QUEUE, SOURCE).timeouts(), config.timeouts());
        assertEquals(ListenerConfiguration.MAX_REQUEST_BYTES_DEFAULT, config.maxRequestBytes());
        assertEquals(ListenerConfiguration.MAX_FIELD_LENGTH_DEFAULT, config.maxFieldLength());
        assertEquals(ListenerConfiguration.MAX_URL_LENGTH_DEFAULT, config.maxUrlLength());
        assertEquals(ListenerConfiguration.MAX_SEGMENT_LENGTH_DEFAULT, config.maxSegmentLength());
        assertEquals(ListenerConfiguration.MAX_SEGMENT_COUNT_DEFAULT, config.maxSegmentCount());
        assertEquals(ListenerConfiguration.MAX_REQUEST_BODY_SIZE_DEFAULT, config.maxRequestBodySize());
        assertEquals(ListenerConfiguration.MAX_CONNECTIONS_DEFAULT, config.maxConnections());
        for (final QueueConfiguration queue : config.queues())
        {
            assertEquals(ListenerConfiguration.MAX_REQUEST_BODY_SIZE_DEFAULT, queue.maxRequestBodySize());
            assertEquals(TimeoutsConfiguration.ENTITY_BODY_MS_DEFAULT, queue.entityBodyTimeoutMs());
            assertEquals(TimeoutsConfiguration.QUEUE_WAIT_MS_DEFAULT, queue.queueWaitTimeoutMs());
        }
    }

    @Test
    void shouldReadLimitsAndTimeoutsWhenWritten()
    {
        final ListenerConfiguration config = ConfigLoader.parse("""
            listener:
              maxRequestBytes: 32k
              maxFieldLength: 8k
              maxUrlLength: 2k
              maxSegmentLength: 100
              maxSegmentCount: 20
              maxRequestBodySize: 1g
              maxConnections: 5000
              timeouts:
                headerWait: 30s
                idleConnection: 2m
                entityBody: 500ms
                drainEntityBody: 0
                queueWait: 1h
                minSendRate: 1k
                minSendRateGrace: 5s
            """ + QUEUE, SOURCE);

        assertEquals(32 * 1024, config.maxRequestBytes());
        assertEquals(8 * 1024, config.maxFieldLength());
        assertEquals(2 * 1024, config.maxUrlLength());
        assertEquals(100, config.maxSegmentLength());
        assertEquals(20, config.maxSegmentCount());
        assertEquals(1L << 30, config.maxRequestBodySize());
        assertEquals(5000, config.maxConnections());
        assertEquals(new TimeoutsConfiguration(30_000, 120_000, 500, 0, 3_600_000, 1024, 5_000), config.timeouts());
    }

    @Test
    void shouldInheritListenerBodyLimitAndTimersInQueuesUnlessTheyOverrideThem()
    {
        final ListenerConfiguration config = ConfigLoader.parse("""
            listener:
              maxRequestBodySize: 10m
              timeouts:
                entityBody: 20s
                queueWait: 40s
            queues:
              - name: inherits
                prefixes: [ "http://+:8080/a/" ]
                hosting: in-process
                handler: com.example.Handler
              - name: overrides
                prefixes: [ "http://+:8080/b/" ]
                hosting: loopback
                handler: com.example.Handler
                maxRequestBodySize: 64k
                timeouts:
                  entityBody: 0
                  queueWait: 5s
            """, SOURCE);

        final QueueConfiguration inherits = config.queues().get(0);
        assertEquals(10L << 20, inherits.maxRequestBodySize());
        assertEquals(20_000, inherits.entityBodyTimeoutMs());
        assertEquals(40_000, inherits.queueWaitTimeoutMs());

        final QueueConfiguration overrides = config.queues().get(1);
        assertEquals(64 * 1024, overrides.maxRequestBodySize());
        assertEquals(TimeoutsConfiguration.DISABLED, overrides.entityBodyTimeoutMs());
        assertEquals(5_000, overrides.queueWaitTimeoutMs());
    }

    @Test
    void shouldAcceptMaxHeaderSizeAsTheOldNameOfMaxRequestBytes()
    {
        assertEquals(32 * 1024, ConfigLoader.parse("listener:\n  maxHeaderSize: 32k\n" + QUEUE, SOURCE)
            .maxRequestBytes());
    }

    @Test
    void shouldRejectBothNamesOfMaxRequestBytes()
    {
        assertError(
            "sluice.yaml: listener.maxHeaderSize: is the old name of maxRequestBytes; write only maxRequestBytes",
            "listener:\n  maxRequestBytes: 16k\n  maxHeaderSize: 16k\n" + QUEUE);
    }

    @Test
    void shouldRejectQueueBodyLimitAboveListenerLimit()
    {
        assertError(
            "sluice.yaml: queues[0].maxRequestBodySize: must be at most listener.maxRequestBodySize (1048576) " +
            "(was '2m')",
            "listener:\n  maxRequestBodySize: 1m\n" + QUEUE + "    maxRequestBodySize: 2m\n");
    }

    @Test
    void shouldRejectConnectionTimerInQueueTimeouts()
    {
        assertError(
            "sluice.yaml: queues[0].timeouts.headerWait: unknown key",
            QUEUE + "    timeouts:\n      headerWait: 5s\n");
    }

    @Test
    void shouldRejectUnknownListenerTimeout()
    {
        assertError(
            "sluice.yaml: listener.timeouts.requestTimeout: unknown key",
            "listener:\n  timeouts:\n    requestTimeout: 5s\n" + QUEUE);
    }

    @Test
    void shouldRejectOutOfRangeLimitsAndTimers()
    {
        assertError(
            "sluice.yaml: listener.timeouts.idleConnection: must be between 0ms and 24h (was '25h')",
            "listener:\n  timeouts:\n    idleConnection: 25h\n" + QUEUE);
        assertError(
            "sluice.yaml: listener.timeouts.minSendRateGrace: must be between 1ms and 24h (was 0)",
            "listener:\n  timeouts:\n    minSendRateGrace: 0\n" + QUEUE);
        assertError(
            "sluice.yaml: listener.timeouts.minSendRate: must be at least 0 bytes (was -1)",
            "listener:\n  timeouts:\n    minSendRate: -1\n" + QUEUE);
        assertError(
            "sluice.yaml: listener.maxFieldLength: must be at least 64 bytes (was 10)",
            "listener:\n  maxFieldLength: 10\n" + QUEUE);
        assertError(
            "sluice.yaml: listener.maxUrlLength: must be at least 1 bytes (was 0)",
            "listener:\n  maxUrlLength: 0\n" + QUEUE);
        assertError(
            "sluice.yaml: listener.maxSegmentCount: must be between 1 and 2147483647 (was 0)",
            "listener:\n  maxSegmentCount: 0\n" + QUEUE);
        assertError(
            "sluice.yaml: listener.maxConnections: must be between 0 and 2147483647 (was -1)",
            "listener:\n  maxConnections: -1\n" + QUEUE);
        assertError(
            "sluice.yaml: queues[0].timeouts.queueWait: must be a duration: milliseconds, or a number with unit " +
            "ms, s, m or h (was 'soon')",
            QUEUE + "    timeouts:\n      queueWait: soon\n");
    }

    @Test
    void shouldApplyHttp2DefaultsAndReadHttp2LimitsWhenWritten()
    {
        assertEquals(Http2Configuration.defaults(), ConfigLoader.parse(QUEUE, SOURCE).http2());
        assertEquals(Http2Configuration.defaults(),
            ConfigLoader.load(Path.of("..", "native-config", "sluice.yaml")).http2());

        final ListenerConfiguration config = ConfigLoader.parse("""
            listener:
              http2:
                maxConcurrentStreams: 50
                initialWindowSize: 1m
                headerTableSize: 8k
                maxResets: 10
                resetWindow: 5s
                maxQueuedControlFrames: 100
                maxSmallContinuationFrames: 4
                maxConsecutiveEmptyFrames: 3
            """ + QUEUE, SOURCE);

        assertEquals(new Http2Configuration(50, 1024 * 1024, 8192, 10, 5000, 100, 4, 3), config.http2());
        assertEquals(5, config.connectionConfig().http2().resetWindowSeconds());
    }

    @Test
    void shouldRefuseHttp2LimitsOutOfRangeNamingTheKey()
    {
        assertError("sluice.yaml: listener.http2.maxConcurrentStreams: must be between 1 and 10000 (was 0)",
            "listener:\n  http2:\n    maxConcurrentStreams: 0\n" + QUEUE);
        assertError("sluice.yaml: listener.http2.resetWindow: must be whole seconds (was '1500ms')",
            "listener:\n  http2:\n    resetWindow: 1500ms\n" + QUEUE);
        assertError("sluice.yaml: listener.http2.maxStreams: unknown key",
            "listener:\n  http2:\n    maxStreams: 5\n" + QUEUE);
        assertError("sluice.yaml: listener.http2.headerTableSize: must be between 0 and 65536 (was '65k')",
            "listener:\n  http2:\n    headerTableSize: 65k\n" + QUEUE);
        assertError("sluice.yaml: listener.http2.maxConsecutiveEmptyFrames: must be between 1 and 2147483647 (was 0)",
            "listener:\n  http2:\n    maxResets: 5\n    maxConsecutiveEmptyFrames: 0\n" + QUEUE);
        assertError("sluice.yaml: listener.http2.initialWindowSize: must be a size in bytes: an integer, or one with " +
            "suffix k, m or g (was 'big')",
            "listener:\n  http2:\n    initialWindowSize: big\n" + QUEUE);
    }

    private static void assertError(final String expectedMessage, final String yaml)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, SOURCE));

        assertEquals(expectedMessage, ex.getMessage());
    }
}
