package io.sluice.listener.config;

import io.sluice.listener.http.HttpConnectionConfig;

/**
 * The listener's connection timers and minimum send rate (HTTP.sys {@code HTTP_TIMEOUT_LIMIT_INFO} semantics and
 * defaults). A timer of {@link #DISABLED} never fires. Immutable once loaded.
 *
 * @param headerWaitMs          time from accepting a connection, or from the end of the previous request, until the
 *                              whole header block of the next request is in; past it, when part of a head has
 *                              arrived, 408 and close.
 * @param idleConnectionMs      time a connection may stay open with nothing in flight and no byte of a next request;
 *                              past it the connection is closed without a response.
 * @param entityBodyMs          longest silence between two pieces of a request body while it is being read; past it,
 *                              408 and close, and the handler is told the request was abandoned. Default of every
 *                              queue's {@code timeouts.entityBody}.
 * @param drainEntityBodyMs     time the rest of a request body is read and discarded after its response completed
 *                              early, on a keep-alive connection; past it the connection is closed.
 * @param queueWaitMs           longest time an admitted request may wait for a worker to take it; past it, 503.
 *                              Default of every queue's {@code timeouts.queueWait}.
 * @param minSendRate           bytes per second a client must accept while a response is held back by it (the socket
 *                              is not writable, or the kernel reports the client's receive window closed while it holds
 *                              bytes for it, or, over HTTP/2, response data waits for a flow-control window the client
 *                              keeps shut), measured over each window of {@code minSendRateGraceMs}; slower, and
 *                              the connection is closed. {@link #DISABLED} turns the check off.
 * @param minSendRateGraceMs    window over which the send rate is measured; the first window is always allowed.
 */
public record TimeoutsConfiguration(
    long headerWaitMs,
    long idleConnectionMs,
    long entityBodyMs,
    long drainEntityBodyMs,
    long queueWaitMs,
    long minSendRate,
    long minSendRateGraceMs)
{
    private static final long NS_PER_MS = 1_000_000;

    /**
     * A timer (or the minimum send rate) of this value is off.
     */
    public static final long DISABLED = HttpConnectionConfig.DISABLED;

    /**
     * Default header wait: 120 s, as HTTP.sys HeaderWait.
     */
    public static final long HEADER_WAIT_MS_DEFAULT = HttpConnectionConfig.TIMER_DEFAULT_NS / NS_PER_MS;

    /**
     * Default idle connection time: 120 s, as HTTP.sys IdleConnection.
     */
    public static final long IDLE_CONNECTION_MS_DEFAULT = HttpConnectionConfig.TIMER_DEFAULT_NS / NS_PER_MS;

    /**
     * Default entity body time: 120 s, as HTTP.sys EntityBody.
     */
    public static final long ENTITY_BODY_MS_DEFAULT = HttpConnectionConfig.TIMER_DEFAULT_NS / NS_PER_MS;

    /**
     * Default drain entity body time: 120 s, as HTTP.sys DrainEntityBody.
     */
    public static final long DRAIN_ENTITY_BODY_MS_DEFAULT = HttpConnectionConfig.TIMER_DEFAULT_NS / NS_PER_MS;

    /**
     * Default time in queue: 120 s, as HTTP.sys RequestQueue.
     */
    public static final long QUEUE_WAIT_MS_DEFAULT = 120_000;

    /**
     * Default minimum send rate: 150 bytes per second, as HTTP.sys MinSendRate.
     */
    public static final long MIN_SEND_RATE_DEFAULT = HttpConnectionConfig.MIN_SEND_RATE_DEFAULT;

    /**
     * Default window of the send-rate measurement: 10 s.
     */
    public static final long MIN_SEND_RATE_GRACE_MS_DEFAULT =
        HttpConnectionConfig.MIN_SEND_RATE_GRACE_DEFAULT_NS / NS_PER_MS;

    /**
     * @return every timer at its default.
     */
    public static TimeoutsConfiguration defaults()
    {
        return new TimeoutsConfiguration(
            HEADER_WAIT_MS_DEFAULT,
            IDLE_CONNECTION_MS_DEFAULT,
            ENTITY_BODY_MS_DEFAULT,
            DRAIN_ENTITY_BODY_MS_DEFAULT,
            QUEUE_WAIT_MS_DEFAULT,
            MIN_SEND_RATE_DEFAULT,
            MIN_SEND_RATE_GRACE_MS_DEFAULT);
    }
}
