package io.sluice.listener.config;

import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request queue: the URL prefixes routed to it, its bound, its hosting model and handler, as
 * {@link QueueContext} concludes it. Immutable; what a route carries is derived from it ({@link #binding}).
 *
 * @param name                 unique queue name ([A-Za-z0-9_-]+); names the worker's shm files.
 * @param prefixes             URL prefixes as written, e.g. {@code http://+:8080/shm/}.
 * @param hosting              hosting model.
 * @param handler              fully qualified class name of the {@code io.sluice.dispatch.worker.Handler}; null when
 *                             the queue's worker has a {@code command} of its own and names none (never loaded then).
 * @param queueLength          most requests admitted to the queue and not yet answered; past it, 503.
 * @param ringCapacity         capacity in bytes of each shared-memory ring (power of two), shared-memory only;
 *                             {@link #RING_CAPACITY_NONE} for the other hosting models.
 * @param worker               worker process settings; null for in-process queues.
 * @param maxRequestBodySize   largest request body in bytes for this queue; past it, 413. At most the listener's.
 * @param entityBodyTimeoutMs  longest silence between two pieces of a request body; past it, 408
 *                             ({@link TimeoutsConfiguration#DISABLED}: never).
 * @param queueWaitTimeoutMs   longest time an admitted request may wait for a worker to take it; past it, 503
 *                             ({@link TimeoutsConfiguration#DISABLED}: never).
 * @param responseWindow       response body bytes a shared-memory worker may send for one request ahead of the
 *                             client (flow-control credit), shared-memory only; {@link #RESPONSE_WINDOW_NONE} for the
 *                             other hosting models.
 * @param accessLog            the queue's own access log, or null when its requests go to the listener's
 *                             ({@code accessLog: false} is {@link LogFileConfiguration#OFF}).
 * @param webSockets           whether the handler may answer an upgrade request {@code 101 Switching Protocols}
 *                             (IIS {@code webSocket enabled}); when false the {@code Upgrade} never reaches it.
 * @param tunnelIdleTimeoutMs  longest time an upgraded connection may carry nothing either way; past it, closed
 *                             ({@link TimeoutsConfiguration#DISABLED}: never).
 * @param offlinePage          what the queue answers (503) while offline, or null for the listener's short text.
 */
public record QueueConfiguration(
    String name,
    List<String> prefixes,
    HostingMode hosting,
    String handler,
    int queueLength,
    int ringCapacity,
    WorkerConfiguration worker,
    long maxRequestBodySize,
    long entityBodyTimeoutMs,
    long queueWaitTimeoutMs,
    int responseWindow,
    LogFileConfiguration accessLog,
    boolean webSockets,
    long tunnelIdleTimeoutMs,
    OfflinePage offlinePage)
{
    /**
     * Default of {@code webSockets}: upgrades are allowed, as IIS's {@code webSocket enabled}.
     */
    public static final boolean WEB_SOCKETS_DEFAULT = true;

    /**
     * Default tunnel idle time: 60 s, as nginx's {@code proxy_read_timeout}.
     */
    public static final long TUNNEL_IDLE_MS_DEFAULT = 60_000;

    /**
     * Default queue length, as HTTP.sys.
     */
    public static final int QUEUE_LENGTH_DEFAULT = 1000;

    /**
     * Default ring capacity: 1 MiB, so the largest message is 128 KiB.
     */
    public static final int RING_CAPACITY_DEFAULT = 1024 * 1024;

    /**
     * Greatest queue length.
     */
    public static final int QUEUE_LENGTH_MAX = 1_000_000;

    /**
     * Least ring capacity: 64 KiB, so the largest message is 8 KiB.
     */
    public static final int RING_CAPACITY_MIN = 64 * 1024;

    /**
     * Greatest ring capacity: 1 GiB, the largest power of two whose ring and trailer still fit an int length.
     */
    public static final int RING_CAPACITY_MAX = 1024 * 1024 * 1024;

    /**
     * Ring capacity of a queue that is not hosted over shared memory: it has no rings.
     */
    public static final int RING_CAPACITY_NONE = 0;

    /**
     * Default response window of a shared-memory queue: 256 KiB.
     */
    public static final int RESPONSE_WINDOW_DEFAULT = MessageDescriptor.RESPONSE_WINDOW_DEFAULT;

    /**
     * Response window of a queue that is not hosted over shared memory: it has no credit.
     */
    public static final int RESPONSE_WINDOW_NONE = 0;

    /**
     * A queue with the listener's offline answer.
     *
     * @param name                unique queue name.
     * @param prefixes            URL prefixes as written.
     * @param hosting             hosting model.
     * @param handler             fully qualified class name of the handler.
     * @param queueLength         most requests admitted and not yet answered.
     * @param ringCapacity        capacity of each shared-memory ring, or {@link #RING_CAPACITY_NONE}.
     * @param worker              worker process settings; null for in-process queues.
     * @param maxRequestBodySize  largest request body in bytes.
     * @param entityBodyTimeoutMs longest silence between two pieces of a request body.
     * @param queueWaitTimeoutMs  longest time an admitted request may wait for a worker.
     * @param responseWindow      response body bytes a shared-memory worker may send ahead of the client.
     * @param accessLog           the queue's own access log, or null for the listener's.
     * @param webSockets          whether the handler may answer an upgrade request 101.
     * @param tunnelIdleTimeoutMs longest time an upgraded connection may carry nothing either way.
     */
    public QueueConfiguration(
        final String name,
        final List<String> prefixes,
        final HostingMode hosting,
        final String handler,
        final int queueLength,
        final int ringCapacity,
        final WorkerConfiguration worker,
        final long maxRequestBodySize,
        final long entityBodyTimeoutMs,
        final long queueWaitTimeoutMs,
        final int responseWindow,
        final LogFileConfiguration accessLog,
        final boolean webSockets,
        final long tunnelIdleTimeoutMs)
    {
        this(
            name, prefixes, hosting, handler, queueLength, ringCapacity, worker, maxRequestBodySize,
            entityBodyTimeoutMs, queueWaitTimeoutMs, responseWindow, accessLog, webSockets, tunnelIdleTimeoutMs, null);
    }

    /**
     * @return a new bound for this queue, not counted until given its counters, which answers while offline with this
     * queue's page.
     */
    public RequestQueue requestQueue()
    {
        final RequestQueue queue = new RequestQueue(name, queueLength);
        applyOfflinePage(queue);
        return queue;
    }

    /**
     * @param queue a bound of this queue, kept across a reload: it answers while offline with this queue's page.
     */
    public void applyOfflinePage(final RequestQueue queue)
    {
        if (null != offlinePage)
        {
            queue.offlineAnswer(offlinePage.contentType(), offlinePage.body());
        }
        else
        {
            queue.offlineAnswer(RequestQueue.TEXT_PLAIN, RequestQueue.defaultOfflineBody(name));
        }
    }

    /**
     * A queue whose requests go to the listener's access log, that allows upgrades, with the default tunnel idle
     * time.
     *
     * @param name                unique queue name.
     * @param prefixes            URL prefixes as written.
     * @param hosting             hosting model.
     * @param handler             fully qualified class name of the handler.
     * @param queueLength         most requests admitted and not yet answered.
     * @param ringCapacity        capacity of each shared-memory ring, or {@link #RING_CAPACITY_NONE}.
     * @param worker              worker process settings; null for in-process queues.
     * @param maxRequestBodySize  largest request body in bytes.
     * @param entityBodyTimeoutMs longest silence between two pieces of a request body.
     * @param queueWaitTimeoutMs  longest time an admitted request may wait for a worker.
     * @param responseWindow      response body bytes a shared-memory worker may send ahead of the client.
     */
    public QueueConfiguration(
        final String name,
        final List<String> prefixes,
        final HostingMode hosting,
        final String handler,
        final int queueLength,
        final int ringCapacity,
        final WorkerConfiguration worker,
        final long maxRequestBodySize,
        final long entityBodyTimeoutMs,
        final long queueWaitTimeoutMs,
        final int responseWindow)
    {
        this(
            name, prefixes, hosting, handler, queueLength, ringCapacity, worker, maxRequestBodySize,
            entityBodyTimeoutMs, queueWaitTimeoutMs, responseWindow, null, WEB_SOCKETS_DEFAULT, TUNNEL_IDLE_MS_DEFAULT);
    }

    /**
     * A queue with the listener-wide default body limit and timers.
     *
     * @param name         unique queue name.
     * @param prefixes     URL prefixes as written.
     * @param hosting      hosting model.
     * @param handler      fully qualified class name of the handler.
     * @param queueLength  most requests admitted and not yet answered.
     * @param ringCapacity capacity of each shared-memory ring, or {@link #RING_CAPACITY_NONE}.
     * @param worker       worker process settings; null for in-process queues.
     */
    public QueueConfiguration(
        final String name,
        final List<String> prefixes,
        final HostingMode hosting,
        final String handler,
        final int queueLength,
        final int ringCapacity,
        final WorkerConfiguration worker)
    {
        this(
            name,
            prefixes,
            hosting,
            handler,
            queueLength,
            ringCapacity,
            worker,
            ListenerConfiguration.MAX_REQUEST_BODY_SIZE_DEFAULT,
            TimeoutsConfiguration.ENTITY_BODY_MS_DEFAULT,
            TimeoutsConfiguration.QUEUE_WAIT_MS_DEFAULT,
            hosting == HostingMode.SHARED_MEMORY ? RESPONSE_WINDOW_DEFAULT : RESPONSE_WINDOW_NONE,
            null,
            WEB_SOCKETS_DEFAULT,
            TUNNEL_IDLE_MS_DEFAULT);
    }

    /**
     * @param queue           this queue's bound.
     * @param host            this queue's hosting model.
     * @param applicationPath path of the prefix routed, e.g. {@code /shm/}.
     * @return what that prefix routes to, with this queue's body limit and timers (in ns).
     */
    public QueueBinding binding(final RequestQueue queue, final Host host, final String applicationPath)
    {
        return binding(queue, host, applicationPath, QueueBinding.ACCESS_LOG_NONE);
    }

    /**
     * @param queue           this queue's bound.
     * @param host            this queue's hosting model.
     * @param applicationPath path of the prefix routed, e.g. {@code /shm/}.
     * @param accessLogFileId the access log file of this queue's requests, or {@link QueueBinding#ACCESS_LOG_NONE}.
     * @return what that prefix routes to, with this queue's body limit, timers (in ns) and access log.
     */
    public QueueBinding binding(
        final RequestQueue queue, final Host host, final String applicationPath, final int accessLogFileId)
    {
        return new QueueBinding(
            queue,
            host,
            applicationPath,
            maxRequestBodySize,
            TimeUnit.MILLISECONDS.toNanos(entityBodyTimeoutMs),
            TimeUnit.MILLISECONDS.toNanos(queueWaitTimeoutMs),
            hosting,
            accessLogFileId,
            webSockets,
            TimeUnit.MILLISECONDS.toNanos(tunnelIdleTimeoutMs));
    }
}
