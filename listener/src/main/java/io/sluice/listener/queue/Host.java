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
     * Stop: stop workers, unmap and delete shared memory. Requests still open get no further response.
     */
    void close();
}
