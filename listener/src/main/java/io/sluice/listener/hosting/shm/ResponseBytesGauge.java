package io.sluice.listener.hosting.shm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The response body bytes a shared-memory queue holds for its requests in flight: sent by workers, not yet seen taken
 * by the clients' sockets, each request's at most the queue's {@code responseWindow}. Kept on the home event loop as
 * the requests' bytes come and go; read from any thread without waiting for it.
 */
final class ResponseBytesGauge
{
    private final AtomicLong outstanding = new AtomicLong();
    private long outstandingOnLoop;
    private volatile long maxRequestOutstanding;

    /**
     * A worker sent response body bytes for a request. On the home event loop.
     *
     * @param length             bytes received.
     * @param requestOutstanding the request's bytes outstanding now.
     */
    void received(final int length, final long requestOutstanding)
    {
        outstandingOnLoop += length;
        outstanding.lazySet(outstandingOnLoop);
        if (requestOutstanding > maxRequestOutstanding)
        {
            maxRequestOutstanding = requestOutstanding;
        }
    }

    /**
     * Response body bytes stopped being outstanding: the client's socket took them, or their request ended. On the
     * home event loop.
     *
     * @param length bytes no longer outstanding.
     */
    void done(final long length)
    {
        if (0 != length)
        {
            outstandingOnLoop -= length;
            outstanding.lazySet(outstandingOnLoop);
        }
    }

    /**
     * @return the sum over the requests in flight.
     */
    long outstanding()
    {
        return outstanding.get();
    }

    /**
     * @return the most one request has had outstanding since start.
     */
    long maxRequestOutstanding()
    {
        return maxRequestOutstanding;
    }
}
