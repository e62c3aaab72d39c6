package io.sluice.listener.queue;

import io.netty.handler.codec.http.HttpRequest;

/**
 * One request queue's hosting model: hands admitted requests to the handler (in-process, shared memory or loopback
 * forwarding) and writes the handler's response through the {@link ClientExchange}.
 */
public interface Host extends AutoCloseable
{
    /**
     * Start: load the handler, start workers, map shared memory. Called once before any request.
     */
    void start();

    /**
     * Begin a request already admitted to the queue. Called on the connection's event loop.
     *
     * @param exchange      the request's response side and connection facts.
     * @param request       the request head; valid during the call only.
     * @param contentLength of the body, -1 for chunked, 0 for none.
     * @return the sink for the body and abort, or null when the host cannot take requests (the caller answers 503).
     */
    RequestSink open(ClientExchange exchange, HttpRequest request, long contentLength);

    /**
     * Recycle the worker processes, overlapped (as IIS recycles an application pool): each one's replacement is
     * started and ready before the old one stops taking requests; the old one then finishes those it holds (within
     * the queue's {@code shutdownTimeLimit}, else it is killed) and exits. No request is refused or lost for it. Returns
     * at once; a host without worker processes does nothing.
     *
     * @param reason for the log, e.g. {@code "worker settings changed"}.
     */
    default void recycle(final String reason)
    {
    }

    /**
     * The queue was taken offline: stop the worker processes once they have finished the requests they hold (within
     * {@code shutdownTimeLimit}), and start none until {@link #resume()}. Returns at once; a host without worker
     * processes does nothing.
     */
    default void suspend()
    {
    }

    /**
     * The queue is back online: start the worker processes again (on the next request when activation is
     * on-demand). Returns at once.
     */
    default void resume()
    {
    }

    /**
     * Stop: stop workers, unmap and delete shared memory. Requests still open get no further response.
     */
    void close();
}
