package io.sluice.listener.hosting;

/**
 * What a URL prefix routes to: the queue's bound and host, and the prefix's path (the application path).
 *
 * @param queue           the request queue's bound.
 * @param host            the queue's hosting model.
 * @param applicationPath path of the matched prefix, e.g. {@code /shm/}.
 */
public record QueueBinding(RequestQueue queue, Host host, String applicationPath)
{
}
