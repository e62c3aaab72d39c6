package io.sluice.listener.routing;

/**
 * The URL-prefix table in force, replaced whole when the configuration is reloaded: each request reads the table once
 * (one volatile read, no lock) and is routed by that table alone, so a request never sees half of a reload. Targets
 * routed before a swap keep serving the requests they took.
 *
 * @param <T> the routing target, e.g. a request queue.
 */
public final class SwappableRouter<T> implements Router<T>
{
    private volatile PrefixRouter<T> table;

    /**
     * @param table the table at start.
     */
    public SwappableRouter(final PrefixRouter<T> table)
    {
        this.table = table;
    }

    /**
     * {@inheritDoc}
     */
    public T route(final CharSequence hostHeader, final int localPort, final CharSequence normalizedPath)
    {
        return table.route(hostHeader, localPort, normalizedPath);
    }

    /**
     * @return the table in force.
     */
    public PrefixRouter<T> table()
    {
        return table;
    }

    /**
     * Put a table in force: requests routed from now on use it.
     *
     * @param table the new table.
     */
    public void table(final PrefixRouter<T> table)
    {
        this.table = table;
    }
}
