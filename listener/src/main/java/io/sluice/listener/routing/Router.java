package io.sluice.listener.routing;

/**
 * What the connections route by: a request's host, local port and normalized path to its target. A
 * {@link PrefixRouter} is one table; a {@link SwappableRouter} is the table in force, which a reload replaces.
 *
 * @param <T> the routing target, e.g. a request queue.
 */
public interface Router<T>
{
    /**
     * Find the target for a request. Allocates nothing.
     *
     * @param hostHeader     the Host header as received; null or empty: only wildcards can match.
     * @param localPort      the local port the connection was accepted on.
     * @param normalizedPath the normalized path; not null.
     * @return the target of the best matching prefix, or null when none matches (answer 404).
     */
    T route(CharSequence hostHeader, int localPort, CharSequence normalizedPath);
}
