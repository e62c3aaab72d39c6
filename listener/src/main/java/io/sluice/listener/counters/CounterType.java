package io.sluice.listener.counters;

/**
 * The kinds of counter in the listener's counters file: each is an Agrona counter type id, a Prometheus metric name
 * and help text, and where it is kept (the listener, each event loop, each queue, or each queue on each event loop).
 * A counter kept per event loop is written only by its loop (a plain read and an ordered write: uncontended); a reader
 * sums the loops' counters of one series unless {@link #showsLoop()}.
 * <p>
 * Sampled kinds are copied into the file from where the listener keeps them (about once a second, and whenever
 * {@code /metrics} is read); the others are counted in the file itself.
 */
public enum CounterType
{
    /**
     * Client connections open now.
     */
    CONNECTIONS(1, "sluice_connections", "Client connections open now.", Kind.GAUGE, Scope.LISTENER, 1),

    /**
     * Client connections each event loop was given.
     */
    CONNECTIONS_ACCEPTED(2, "sluice_connections_accepted_total",
        "Client connections each event loop was given since the start, refused ones included.",
        Kind.COUNTER, Scope.LOOP, 1),

    /**
     * Client connections refused because {@code maxConnections} were open.
     */
    CONNECTIONS_REFUSED(3, "sluice_connections_refused_total",
        "Client connections closed at once because maxConnections were open.", Kind.COUNTER, Scope.LOOP, 1),

    /**
     * Client connections by the protocol they speak ({@link ConnectionProtocol}).
     */
    CONNECTIONS_PROTOCOL(4, "sluice_connections_protocol_total",
        "Client connections by the protocol they speak once set up (after the TLS handshake on https).",
        Kind.COUNTER, Scope.LOOP, ConnectionProtocol.COUNT),

    /**
     * Bytes each event loop's thread has allocated.
     */
    EVENT_LOOP_ALLOCATED_BYTES(5, "sluice_event_loop_allocated_bytes_total",
        "Bytes each event loop's thread has allocated since it started (sampled).", Kind.COUNTER, Scope.LOOP, 1),

    /**
     * Admin connections open now.
     */
    ADMIN_CONNECTIONS(6, "sluice_admin_connections", "Admin port connections open now.", Kind.GAUGE,
        Scope.LISTENER, 1),

    /**
     * Admin connections refused.
     */
    ADMIN_CONNECTIONS_REFUSED(7, "sluice_admin_connections_refused_total",
        "Admin port connections closed at once because adminMaxConnections were open.", Kind.COUNTER,
        Scope.LISTENER, 1),

    /**
     * Response bytes the client connections hold pending.
     */
    OUTBOUND_PENDING_BYTES(8, "sluice_outbound_pending_bytes",
        "Response bytes written but not yet sent, over all client connections.", Kind.GAUGE, Scope.LISTENER, 1),

    /**
     * The most response bytes one client connection holds pending.
     */
    OUTBOUND_PENDING_BYTES_MAX(9, "sluice_outbound_pending_bytes_max",
        "The most response bytes written but not yet sent on one client connection now.", Kind.GAUGE,
        Scope.LISTENER, 1),

    /**
     * Requests in a queue (admitted, not yet answered).
     */
    QUEUE_LENGTH(20, "sluice_queue_length", "Requests admitted to the queue and not yet answered.", Kind.GAUGE,
        Scope.QUEUE, 1),

    /**
     * A queue's bound.
     */
    QUEUE_CAPACITY(21, "sluice_queue_capacity", "The queue's bound (queueLength).", Kind.GAUGE, Scope.QUEUE, 1),

    /**
     * Requests refused because the queue was full.
     */
    QUEUE_REJECTED(22, "sluice_queue_rejected_total", "Requests answered 503 because the queue was full.",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Requests answered, by status class.
     */
    QUEUE_REQUESTS(23, "sluice_queue_requests_total",
        "Requests routed to the queue and answered, by status class (1xx..5xx), refusals by the listener included.",
        Kind.COUNTER, Scope.QUEUE_LOOP, StatusClasses.CLASS_COUNT),

    /**
     * Requests answered 502, 503 or 504.
     */
    QUEUE_GATEWAY_RESPONSES(24, "sluice_queue_responses_total",
        "Requests answered 502 (bad gateway), 503 (unavailable, queue full) or 504 (request timeout).",
        Kind.COUNTER, Scope.QUEUE_LOOP, StatusClasses.GATEWAY_STATUS_COUNT),

    /**
     * Time in queue histogram buckets.
     */
    QUEUE_WAIT_BUCKET(25, "sluice_queue_wait_seconds",
        "Time from admission until a worker or handler takes the request (0 when taken at once).",
        Kind.HISTOGRAM, Scope.QUEUE_LOOP, LatencyHistogram.BUCKET_COUNT),

    /**
     * Time in queue histogram sum (ns).
     */
    QUEUE_WAIT_SUM(26, "sluice_queue_wait_seconds", null, Kind.HISTOGRAM_SUM, Scope.QUEUE_LOOP, 1),

    /**
     * Total latency histogram buckets.
     */
    REQUEST_DURATION_BUCKET(27, "sluice_queue_request_duration_seconds",
        "Time from the request head's arrival until its response is complete.",
        Kind.HISTOGRAM, Scope.QUEUE_LOOP, LatencyHistogram.BUCKET_COUNT),

    /**
     * Total latency histogram sum (ns).
     */
    REQUEST_DURATION_SUM(28, "sluice_queue_request_duration_seconds", null, Kind.HISTOGRAM_SUM, Scope.QUEUE_LOOP, 1),

    /**
     * Request body bytes received.
     */
    REQUEST_BYTES(29, "sluice_queue_request_bytes_total", "Request body bytes received from clients.",
        Kind.COUNTER, Scope.QUEUE_LOOP, 1),

    /**
     * Response bytes written.
     */
    RESPONSE_BYTES(30, "sluice_queue_response_bytes_total",
        "Response bytes written to clients (heads, bodies and chunk framing).", Kind.COUNTER, Scope.QUEUE_LOOP, 1),

    /**
     * Requests sent again to another worker.
     */
    RETRIES(31, "sluice_queue_retries_total",
        "Requests sent again after the worker holding them exited or dropped them before answering.",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Worker processes started.
     */
    WORKER_STARTS(32, "sluice_queue_worker_starts_total", "Worker processes started, restarts included.",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Worker processes that exited.
     */
    WORKER_EXITS(33, "sluice_queue_worker_exits_total", "Worker processes that exited or were killed.",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Workers killed because they were found hung.
     */
    WORKER_HUNG_KILLS(34, "sluice_queue_worker_hung_kills_total",
        "Worker processes killed because the listener found them hung (heartbeat or ring protocol).",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Queue stops by rapid-fail protection.
     */
    RAPID_FAIL_STOPS(35, "sluice_queue_rapid_fail_stops_total",
        "Times the queue was stopped because its workers failed too often (rapidFailsPerMinute, startupRetryCount).",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Worker processes running now.
     */
    QUEUE_WORKERS(36, "sluice_queue_workers", "Worker processes running now (sampled).", Kind.GAUGE, Scope.QUEUE, 1),

    /**
     * 1 while the queue is stopped.
     */
    QUEUE_STOPPED(37, "sluice_queue_stopped", "1 while the queue is stopped by rapid-fail protection, else 0.",
        Kind.GAUGE, Scope.QUEUE, 1),

    /**
     * Shared-memory workers failed for breaking the protocol.
     */
    FAILED_WORKERS(38, "sluice_queue_failed_workers_total",
        "Shared-memory workers failed (killed and replaced) for breaking the ring protocol (sampled).",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Ring repairs.
     */
    RING_REPAIRS(39, "sluice_queue_ring_repairs_total",
        "Shared-memory rings repaired after their worker died mid-record (sampled).", Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Requests answered 502 after their worker exited.
     */
    WORKER_EXIT_FAILED(40, "sluice_queue_worker_exit_failed_total",
        "Requests answered 502 because their shared-memory worker exited after taking them (sampled).",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Requests retried after their worker exited.
     */
    WORKER_EXIT_RETRIED(41, "sluice_queue_worker_exit_retried_total",
        "Requests a shared-memory worker exited without taking, sent again to another (sampled).",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Requests left for the replacement worker.
     */
    WORKER_EXIT_LEFT(42, "sluice_queue_worker_exit_left_total",
        "Requests a shared-memory worker exited without taking, left for its replacement (sampled).",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Requests timed out.
     */
    TIMED_OUT(43, "sluice_queue_timed_out_total",
        "Shared-memory requests answered 504 because their worker took longer than requestTimeout (sampled).",
        Kind.COUNTER, Scope.QUEUE, 1),

    /**
     * Response bytes granted and not yet drained.
     */
    RESPONSE_BYTES_OUTSTANDING(44, "sluice_queue_response_bytes_outstanding",
        "Shared-memory response bytes in the response rings and not yet written to clients (sampled).",
        Kind.GAUGE, Scope.QUEUE, 1),

    /**
     * The most response bytes outstanding.
     */
    RESPONSE_BYTES_OUTSTANDING_MAX(45, "sluice_queue_response_bytes_outstanding_max",
        "The most shared-memory response bytes outstanding since the start (sampled).",
        Kind.GAUGE, Scope.QUEUE, 1);

    /**
     * How a kind shows in the Prometheus text.
     */
    public enum Kind
    {
        /**
         * A monotonic count.
         */
        COUNTER,

        /**
         * A value that goes up and down.
         */
        GAUGE,

        /**
         * The buckets of a histogram: one counter per bucket, each counting the values in it alone (the reader makes
         * them cumulative).
         */
        HISTOGRAM,

        /**
         * The sum of a histogram's values, in ns.
         */
        HISTOGRAM_SUM
    }

    /**
     * Where a kind of counter is kept.
     */
    public enum Scope
    {
        /**
         * One for the listener.
         */
        LISTENER,

        /**
         * One for each event loop.
         */
        LOOP,

        /**
         * One for each queue.
         */
        QUEUE,

        /**
         * One for each queue on each event loop.
         */
        QUEUE_LOOP
    }

    private static final CounterType[] BY_TYPE_ID = new CounterType[64];

    static
    {
        for (final CounterType type : values())
        {
            BY_TYPE_ID[type.typeId] = type;
        }
    }

    private final int typeId;
    private final String metricName;
    private final String help;
    private final Kind kind;
    private final Scope scope;
    private final int qualifierCount;

    CounterType(
        final int typeId,
        final String metricName,
        final String help,
        final Kind kind,
        final Scope scope,
        final int qualifierCount)
    {
        this.typeId = typeId;
        this.metricName = metricName;
        this.help = help;
        this.kind = kind;
        this.scope = scope;
        this.qualifierCount = qualifierCount;
    }

    /**
     * @param typeId an Agrona counter type id.
     * @return its kind, or null when it is not one of the listener's.
     */
    public static CounterType ofTypeId(final int typeId)
    {
        return typeId >= 0 && typeId < BY_TYPE_ID.length ? BY_TYPE_ID[typeId] : null;
    }

    /**
     * @return the Agrona counter type id.
     */
    public int typeId()
    {
        return typeId;
    }

    /**
     * @return the Prometheus metric name (a histogram's base name).
     */
    public String metricName()
    {
        return metricName;
    }

    /**
     * @return the Prometheus help text; null for a histogram's sum, whose help is its buckets'.
     */
    public String help()
    {
        return help;
    }

    /**
     * @return how it shows.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * @return where it is kept.
     */
    public Scope scope()
    {
        return scope;
    }

    /**
     * @return how many counters one series of it has (status classes, buckets, protocols; else 1).
     */
    public int qualifierCount()
    {
        return qualifierCount;
    }

    /**
     * @return true when its series are shown per event loop ({@code loop} label) rather than summed over the loops.
     */
    public boolean showsLoop()
    {
        return this == CONNECTIONS_ACCEPTED || this == EVENT_LOOP_ALLOCATED_BYTES;
    }

    /**
     * @return true when it is kept per event loop.
     */
    public boolean isPerLoop()
    {
        return Scope.LOOP == scope || Scope.QUEUE_LOOP == scope;
    }

    /**
     * @param queueCount the queues.
     * @param loopCount  the event loops.
     * @return how many counters the listener keeps of all kinds.
     */
    public static int counterCount(final int queueCount, final int loopCount)
    {
        int count = 0;
        for (final CounterType type : values())
        {
            final int copies = switch (type.scope)
            {
                case LISTENER -> 1;
                case LOOP -> loopCount;
                case QUEUE -> queueCount;
                case QUEUE_LOOP -> queueCount * loopCount;
            };
            count += copies * type.qualifierCount;
        }
        return count;
    }
}
