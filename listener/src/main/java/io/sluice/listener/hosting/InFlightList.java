package io.sluice.listener.hosting;

/**
 * The requests of a host in flight, oldest first: an intrusive doubly linked list whose links live in the requests
 * themselves ({@link Entry}), so adding and removing allocate nothing. A request's start is the host's cached clock
 * when it was added; requests are added in the order they start, so a walk from {@link #oldest()} meets them in
 * order of age and a timer can stop at the first young one.
 * <p>
 * Only this class changes an entry's links and start, so a request is in at most one list, once.
 * <p>
 * Threading: confined to the host's event loop, as are its entries.
 *
 * @param <E> the type of the requests listed.
 */
public final class InFlightList<E extends InFlightList.Entry>
{
    private Entry oldest;
    private Entry newest;

    /**
     * What a request needs to be listed: its links, and its start.
     */
    public abstract static class Entry
    {
        Entry previous;
        Entry next;
        long startMs;

        /**
         * @return the host's clock in ms when the request was added to its list.
         */
        public final long startMs()
        {
            return startMs;
        }
    }

    /**
     * Add a request as the newest.
     *
     * @param entry   a request in no list.
     * @param startMs the host's clock: the request's start.
     */
    public void add(final E entry, final long startMs)
    {
        entry.startMs = startMs;
        entry.previous = newest;
        entry.next = null;
        if (null == newest)
        {
            oldest = entry;
        }
        else
        {
            newest.next = entry;
        }
        newest = entry;
    }

    /**
     * Remove a request; one in no list is left as it is.
     *
     * @param entry the request.
     */
    public void remove(final E entry)
    {
        final Entry previous = entry.previous;
        final Entry next = entry.next;
        if (null == previous)
        {
            if (oldest != entry)
            {
                return;
            }
            oldest = next;
        }
        else
        {
            previous.next = next;
        }
        if (null == next)
        {
            newest = previous;
        }
        else
        {
            next.previous = previous;
        }
        entry.previous = null;
        entry.next = null;
    }

    /**
     * @return the request that started first, or null when none is in flight.
     */
    @SuppressWarnings("unchecked")
    public E oldest()
    {
        return (E)oldest;
    }

    /**
     * @param entry a request in this list.
     * @return the request that started next after it, or null for the newest.
     */
    @SuppressWarnings("unchecked")
    public E next(final E entry)
    {
        return (E)entry.next;
    }

    /**
     * @return true when no request is in flight.
     */
    public boolean isEmpty()
    {
        return null == oldest;
    }
}
