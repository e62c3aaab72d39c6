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
 */
public record QueueBinding(
    RequestQueue queue,
    Host host,
    String applicationPath,
    long maxRequestBodySize,
    long entityBodyTimeoutNs,
    long queueWaitTimeoutNs)
{
}
