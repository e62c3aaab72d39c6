package io.sluice.listener.hosting.shm;

/**
 * The request direction's flow control of one upgraded request (a tunnel, after the worker's {@code 101}): the
 * listener writes at most the queue's window of the client's bytes into the request ring beyond the
 * {@code TUNNEL_CREDIT} the worker granted, so one tunnel holds at most a window of the ring, and a client that sends
 * faster than its worker takes is stopped at its socket. Event-loop confined, one per request slot.
 */
final class TunnelCredit
{
    private boolean open;
    private long limit;
    private long sent;

    /**
     * The request is not (or no longer) a tunnel.
     */
    void reset()
    {
        open = false;
        limit = 0;
        sent = 0;
    }

    /**
     * The worker answered {@code 101}: the request is a tunnel from now on.
     *
     * @param window the bytes the listener may send before any grant.
     */
    void open(final int window)
    {
        open = true;
        limit = window;
        sent = 0;
    }

    /**
     * @return true once the request is a tunnel.
     */
    boolean isOpen()
    {
        return open;
    }

    /**
     * @return how many more client bytes may go into the ring now: unbounded ({@link Integer#MAX_VALUE}) when the
     * request is not a tunnel.
     */
    int room()
    {
        return open ? (int)Math.min(Integer.MAX_VALUE, limit - sent) : Integer.MAX_VALUE;
    }

    /**
     * @param length client bytes written into the ring.
     */
    void sent(final int length)
    {
        sent += length;
    }

    /**
     * The worker granted more.
     *
     * @param grantLength bytes granted, above 0.
     * @return false when the request is not a tunnel: a grant for it breaks the protocol.
     */
    boolean grant(final int grantLength)
    {
        if (!open)
        {
            return false;
        }
        limit += grantLength;
        return true;
    }

    /**
     * @return client bytes written into the ring so far.
     */
    long sent()
    {
        return sent;
    }

    /**
     * @return the bytes the worker allowed so far, the window included.
     */
    long limit()
    {
        return limit;
    }
}
