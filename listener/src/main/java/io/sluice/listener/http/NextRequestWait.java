package io.sluice.listener.http;

/**
 * The wait for a connection's next request, on its {@link ConnectionDeadlines}: it starts at accept, or at the end of
 * the previous request or response. While no byte of a request has come and nothing is in flight, the
 * {@code idleConnection} timer runs (close without a response); once a head has started, the {@code headerWait} timer
 * (408). While the previous response is still being sent the wait starts again (the minimum send rate guards that).
 * Event-loop confined.
 */
final class NextRequestWait
{
    /**
     * Nothing has run out.
     */
    static final int WAITING = 0;

    /**
     * The connection was idle for {@code idleConnection}: close it without a response.
     */
    static final int IDLE_EXPIRED = 1;

    /**
     * A started head was not complete within {@code headerWait}: 408.
     */
    static final int HEAD_EXPIRED = 2;

    private final ConnectionDeadlines deadlines;
    private final StrictRequestDecoder decoder;
    private final long headerWaitNs;
    private final long idleConnectionNs;
    private long startNs;

    /**
     * @param deadlines        the connection's timer.
     * @param decoder          the connection's decoder, asked whether a head has started.
     * @param headerWaitNs     the {@code headerWait} timer, or {@link HttpConnectionConfig#DISABLED}.
     * @param idleConnectionNs the {@code idleConnection} timer, or {@link HttpConnectionConfig#DISABLED}.
     */
    NextRequestWait(
        final ConnectionDeadlines deadlines,
        final StrictRequestDecoder decoder,
        final long headerWaitNs,
        final long idleConnectionNs)
    {
        this.deadlines = deadlines;
        this.decoder = decoder;
        this.headerWaitNs = headerWaitNs;
        this.idleConnectionNs = idleConnectionNs;
    }

    /**
     * The wait starts.
     *
     * @param startNs when.
     */
    void start(final long startNs)
    {
        this.startNs = startNs;
    }

    /**
     * Arm the connection's timer for both of the wait's deadlines.
     *
     * @param nowNs the clock now.
     */
    void arm(final long nowNs)
    {
        deadlines.arm(nowNs, startNs, headerWaitNs);
        deadlines.arm(nowNs, startNs, idleConnectionNs);
    }

    /**
     * The connection's timer fired while no request is being received.
     *
     * @param nowNs           the clock now.
     * @param nothingInFlight true when no request waits for its response.
     * @param outputPending   true while response bytes are still queued: the wait starts again from now.
     * @return {@link #WAITING}, {@link #IDLE_EXPIRED} or {@link #HEAD_EXPIRED}.
     */
    int check(final long nowNs, final boolean nothingInFlight, final boolean outputPending)
    {
        if (outputPending)
        {
            // the previous response is still being sent (the send rate guards that): the wait starts after it
            start(nowNs);
            arm(nowNs);
            return WAITING;
        }
        if (decoder.isAwaitingRequest())
        {
            return nothingInFlight && deadlines.isExpired(nowNs, startNs, idleConnectionNs) ? IDLE_EXPIRED : WAITING;
        }
        return decoder.isReceivingHead() && deadlines.isExpired(nowNs, startNs, headerWaitNs) ? HEAD_EXPIRED : WAITING;
    }
}
