package io.sluice.listener.hosting.shm;

/**
 * Flow-control accounting of one shared-memory response, on the listener's side: how many response body bytes the
 * worker may send (its window plus the credit granted), how many it sent, and which of them the client's socket has
 * taken. One per request slot, reset for each request; confined to the host's event loop; allocates nothing.
 * <pre>
 *   granted          = bytes the client's socket took, as of the last completed watch, and granted back as credit
 *   limit            = window + granted: the worker may send this many body bytes in all
 *   received         = body bytes the worker sent (never above limit: past it the worker has broken the protocol)
 *   outstanding      = received - granted: what the listener may still hold for this response (at most window)
 * </pre>
 * Grants are coalesced: the listener watches one point of the response at a time (the bytes received so far) and
 * asks to hear when the socket has taken everything up to it; it does so once at least half a window is
 * outstanding, so a response costs one credit message per half window drained, and one that fits in half a window
 * none at all. The watch may be deferred ({@link #deferWatch()}) to the end of the drain of the response ring that
 * crossed the half window, so that its point covers every chunk of that drain.
 */
final class ResponseCredit
{
    /**
     * {@link #watchMark()} when no point of the response is being watched.
     */
    static final long NO_WATCH = -1;

    private int window;
    private long limit;
    private long received;
    private long granted;
    private long watchMark = NO_WATCH;
    private boolean watchDeferred;
    private int pendingGrant;

    /**
     * @return the response body bytes the worker may send before any credit: the queue's window.
     */
    int window()
    {
        return window;
    }

    /**
     * Start accounting a new response.
     *
     * @param window response body bytes the worker may send before any credit.
     * @return this.
     */
    ResponseCredit reset(final int window)
    {
        this.window = window;
        this.limit = window;
        this.received = 0;
        this.granted = 0;
        this.watchMark = NO_WATCH;
        this.watchDeferred = false;
        this.pendingGrant = 0;
        return this;
    }

    /**
     * The worker sent a body chunk.
     *
     * @param length of the chunk in bytes.
     * @return false when the chunk goes past the worker's credit (a protocol violation); nothing is counted then.
     */
    boolean onBody(final int length)
    {
        if (length < 0 || length > limit - received)
        {
            return false;
        }
        received += length;
        return true;
    }

    /**
     * @return true when no point is watched (nor a watch deferred) and at least half a window is outstanding: watch
     * the bytes received so far ({@link #watch()}), or defer the watch ({@link #deferWatch()}).
     */
    boolean shouldWatch()
    {
        return NO_WATCH == watchMark && !watchDeferred && received - granted >= Math.max(1, window >> 1);
    }

    /**
     * The watch {@link #shouldWatch()} asks for is to be made a little later, once more chunks may have arrived
     * (at the end of a drain): until then no other is asked for.
     */
    void deferWatch()
    {
        watchDeferred = true;
    }

    /**
     * The deferred watch is no longer wanted (the response ended meanwhile).
     */
    void dropDeferredWatch()
    {
        watchDeferred = false;
    }

    /**
     * @return true while a watch is deferred.
     */
    boolean isWatchDeferred()
    {
        return watchDeferred;
    }

    /**
     * Watch the bytes received so far: the caller asks to hear when the client's socket has taken all of them.
     *
     * @return the mark to pass to {@link #flushed(long)}.
     */
    long watch()
    {
        watchDeferred = false;
        watchMark = received;
        return watchMark;
    }

    /**
     * The client's socket took every byte up to a watched mark.
     *
     * @param mark as returned by {@link #watch()}.
     * @return the bytes to grant the worker; 0 when the mark is not the one watched (a stale notice).
     */
    int flushed(final long mark)
    {
        if (NO_WATCH == mark || mark != watchMark)
        {
            return 0;
        }
        watchMark = NO_WATCH;
        final int grant = (int)(mark - granted);
        granted = mark;
        limit += grant;
        return grant;
    }

    /**
     * A grant that could not be written into the request ring (full) waits here, merged with later ones.
     *
     * @param grant bytes to add to the waiting grant.
     */
    void deferGrant(final int grant)
    {
        pendingGrant += grant;
    }

    /**
     * @return the grant waiting for room in the request ring, and forget it.
     */
    int takePendingGrant()
    {
        final int grant = pendingGrant;
        pendingGrant = 0;
        return grant;
    }

    /**
     * @return the grant waiting for room in the request ring.
     */
    int pendingGrant()
    {
        return pendingGrant;
    }

    /**
     * The response ends (or starts again): what was outstanding is counted as settled, so that it is counted once.
     *
     * @return the bytes that were outstanding.
     */
    long settle()
    {
        final long outstanding = received - granted;
        granted = received;
        return outstanding;
    }

    /**
     * @return response body bytes received and not yet known to be taken by the client's socket.
     */
    long outstanding()
    {
        return received - granted;
    }

    /**
     * @return response body bytes the worker may send in all (window plus credit granted).
     */
    long limit()
    {
        return limit;
    }

    /**
     * @return response body bytes received from the worker.
     */
    long received()
    {
        return received;
    }

    /**
     * @return the mark being watched, or {@link #NO_WATCH}.
     */
    long watchMark()
    {
        return watchMark;
    }
}
