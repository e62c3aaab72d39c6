package io.sluice.listener.config;

/**
 * Names of the deployment file's keys, each as written in {@code sluice.yaml}, shared by the loader (which maps them to
 * context setters) and the contexts (which name them in their messages).
 */
final class YamlKeys
{
    static final String LISTENER = "listener";
    static final String QUEUES = "queues";

    static final String ID = "id";
    static final String BIND = "bind";
    static final String EVENT_LOOPS = "eventLoops";
    static final String SHM_DIR = "shmDir";
    static final String ADMIN_PORT = "adminPort";
    static final String ADMIN_BIND = "adminBind";
    static final String ADMIN_MAX_CONNECTIONS = "adminMaxConnections";
    static final String ADMIN_HEADER_WAIT = "adminHeaderWait";
    static final String ADMIN_IDLE_CONNECTION = "adminIdleConnection";
    static final String MAX_INITIAL_LINE_LENGTH = "maxInitialLineLength";
    static final String MAX_REQUEST_BYTES = "maxRequestBytes";
    // The old name of maxRequestBytes, still accepted.
    static final String MAX_HEADER_SIZE = "maxHeaderSize";
    static final String MAX_FIELD_LENGTH = "maxFieldLength";
    static final String MAX_URL_LENGTH = "maxUrlLength";
    static final String MAX_SEGMENT_LENGTH = "maxSegmentLength";
    static final String MAX_SEGMENT_COUNT = "maxSegmentCount";
    static final String MAX_REQUEST_BODY_SIZE = "maxRequestBodySize";
    static final String MAX_CONNECTIONS = "maxConnections";
    static final String MAX_PIPELINED_REQUESTS = "maxPipelinedRequests";
    static final String TIMEOUTS = "timeouts";
    static final String HTTP2 = "http2";

    static final String MAX_CONCURRENT_STREAMS = "maxConcurrentStreams";
    static final String INITIAL_WINDOW_SIZE = "initialWindowSize";
    static final String HEADER_TABLE_SIZE = "headerTableSize";
    static final String MAX_RESETS = "maxResets";
    static final String RESET_WINDOW = "resetWindow";
    static final String MAX_QUEUED_CONTROL_FRAMES = "maxQueuedControlFrames";
    static final String MAX_SMALL_CONTINUATION_FRAMES = "maxSmallContinuationFrames";
    static final String MAX_CONSECUTIVE_EMPTY_FRAMES = "maxConsecutiveEmptyFrames";

    static final String HEADER_WAIT = "headerWait";
    static final String IDLE_CONNECTION = "idleConnection";
    static final String ENTITY_BODY = "entityBody";
    static final String DRAIN_ENTITY_BODY = "drainEntityBody";
    static final String QUEUE_WAIT = "queueWait";
    static final String TUNNEL_IDLE = "tunnelIdle";
    static final String WEB_SOCKETS = "webSockets";
    static final String MIN_SEND_RATE = "minSendRate";
    static final String MIN_SEND_RATE_GRACE = "minSendRateGrace";

    static final String NAME = "name";
    static final String PREFIXES = "prefixes";
    static final String HOSTING = "hosting";
    static final String HANDLER = "handler";
    static final String QUEUE_LENGTH = "queueLength";
    static final String RING_CAPACITY = "ringCapacity";
    static final String RESPONSE_WINDOW = "responseWindow";
    static final String WORKER = "worker";

    static final String COMMAND = "command";
    static final String ENVIRONMENT = "environment";
    static final String PROCESSES = "processes";
    static final String STARTUP_TIME_LIMIT = "startupTimeLimit";
    static final String STARTUP_RETRY_COUNT = "startupRetryCount";
    static final String RAPID_FAILS_PER_MINUTE = "rapidFailsPerMinute";
    static final String SHUTDOWN_TIME_LIMIT = "shutdownTimeLimit";
    static final String REQUEST_TIMEOUT = "requestTimeout";
    static final String HEARTBEAT_TIMEOUT = "heartbeatTimeout";
    static final String STDOUT_LOG = "stdoutLog";
    static final String ACTIVATION = "activation";
    static final String IDLE_TIMEOUT = "idleTimeout";
    static final String RECYCLE = "recycle";
    static final String RECYCLE_TIME = "time";
    static final String RECYCLE_REQUESTS = "requests";
    static final String RECYCLE_MEMORY = "memory";
    static final String OFFLINE_BODY = "offlineBody";
    static final String OFFLINE_BODY_FILE = "offlineBodyFile";

    static final String TLS = "tls";
    static final String CERTIFICATES = "certificates";
    static final String HOSTS = "hosts";
    static final String CERTIFICATE = "certificate";
    static final String KEY = "key";
    static final String PROTOCOLS = "protocols";
    static final String CLIENT_CERTIFICATE = "clientCertificate";
    static final String CLIENT_CERTIFICATE_CA = "clientCertificateCa";
    static final String HANDSHAKE_TIMEOUT = "handshakeTimeout";
    static final String SELF_SIGNED_DIR = "selfSignedDir";
    static final String ENGINE = "engine";

    static final String ACCESS_LOG = "accessLog";
    static final String ERROR_LOG = "errorLog";
    static final String PATH = "path";
    static final String ENABLED = "enabled";
    static final String ROTATE = "rotate";
    static final String SIZE = "size";
    static final String DAILY = "daily";

    private YamlKeys()
    {
    }
}
