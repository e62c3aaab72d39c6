package io.sluice.listener.queue;

/**
 * What a URL prefix routes to: the queue's bound and host, the prefix's path (the application path), and the queue's
 * own request limits, which the connection enforces after routing.
 *
 * @param queue               the request queue's bound.
 * @param host                the queue's hosting model.
 * @param applicationPath     path of the matched prefix, e.g. {@code /shm/}.
 * @param maxRequestBodySize  largest request body in bytes (413 past it); at most the decoder's listener-wide limit.
 * @param entityBodyTimeoutNs longest silence between two pieces of a request body (408 past it); 0 for never.
 * @param queueWaitTimeoutNs  longest wait of an admitted request for a worker to take it (503 past it); 0 for never.
 * @param hosting             the queue's hosting model, as the access log names it; null when not known.
 * @param accessLogFileId     the access log file of the queue's requests, or {@link #ACCESS_LOG_NONE}.
 * @param webSockets          whether the queue's host may answer an upgrade request {@code 101 Switching Protocols}.
 * @param tunnelIdleTimeoutNs longest time an upgraded connection may carry nothing either way (closed past it); 0 for
 *                            never.
 */
public record QueueBinding(
    RequestQueue queue,
    Host host,
    String applicationPath,
    long maxRequestBodySize,
    long entityBodyTimeoutNs,
    long queueWaitTimeoutNs,
    HostingMode hosting,
    int accessLogFileId,
    boolean webSockets,
    long tunnelIdleTimeoutNs)
{
    /**
     * The access log file id of a queue whose requests are not logged.
     */
    public static final int ACCESS_LOG_NONE = -1;

    /**
     * Default tunnel idle time of a binding made without one: 60 s.
     */
    public static final long TUNNEL_IDLE_NS_DEFAULT = 60_000_000_000L;

    /**
     * A binding whose requests are logged as given, whose host may answer upgrades, with the default tunnel idle
     * time.
     *
     * @param queue               the request queue's bound.
     * @param host                the queue's hosting model.
     * @param applicationPath     path of the matched prefix.
     * @param maxRequestBodySize  largest request body in bytes.
     * @param entityBodyTimeoutNs longest silence between two pieces of a request body; 0 for never.
     * @param queueWaitTimeoutNs  longest wait of an admitted request for a worker to take it; 0 for never.
     * @param hosting             the queue's hosting model, as the access log names it; null when not known.
     * @param accessLogFileId     the access log file of the queue's requests, or {@link #ACCESS_LOG_NONE}.
     */
    public QueueBinding(
        final RequestQueue queue,
        final Host host,
        final String applicationPath,
        final long maxRequestBodySize,
        final long entityBodyTimeoutNs,
        final long queueWaitTimeoutNs,
        final HostingMode hosting,
        final int accessLogFileId)
    {
        this(
            queue, host, applicationPath, maxRequestBodySize, entityBodyTimeoutNs, queueWaitTimeoutNs, hosting,
            accessLogFileId, true, TUNNEL_IDLE_NS_DEFAULT);
    }

    /**
     * A binding whose requests are not logged, whose host may answer upgrades, with the default tunnel idle time.
     *
     * @param queue               the request queue's bound.
     * @param host                the queue's hosting model.
     * @param applicationPath     path of the matched prefix.
     * @param maxRequestBodySize  largest request body in bytes.
     * @param entityBodyTimeoutNs longest silence between two pieces of a request body; 0 for never.
     * @param queueWaitTimeoutNs  longest wait of an admitted request for a worker to take it; 0 for never.
     */
    public QueueBinding(
        final RequestQueue queue,
        final Host host,
        final String applicationPath,
        final long maxRequestBodySize,
        final long entityBodyTimeoutNs,
        final long queueWaitTimeoutNs)
    {
        this(
            queue, host, applicationPath, maxRequestBodySize, entityBodyTimeoutNs, queueWaitTimeoutNs, null,
            ACCESS_LOG_NONE);
    }
}
