package io.sluice.listener.http;

import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.RequestSink;

/**
 * What {@link RequestAdmission} needs of an exchange it hands to a host, whatever the protocol: an HTTP/1.1 request
 * on a connection ({@link ServerExchange}) or an HTTP/2 stream ({@link Http2StreamExchange}). Event-loop confined.
 */
interface AdmittedExchange extends ClientExchange
{
    /**
     * The request took a place in its queue: it gives the place back when it ends, and its time in queue starts.
     *
     * @param queue              the queue.
     * @param queueWaitTimeoutNs the queue's {@code queueWait}, or {@link HttpConnectionConfig#DISABLED}.
     * @param nowNs              the clock now: when the request was admitted.
     */
    void enterQueue(RequestQueue queue, long queueWaitTimeoutNs, long nowNs);

    /**
     * Send {@code 100 Continue} before the final response: the client waits for it before it sends its body.
     */
    void sendContinue();

    /**
     * The host took the request.
     *
     * @param queue the queue whose place the request holds.
     * @param sink  where its body goes and how the host is told it was abandoned.
     */
    void admitted(RequestQueue queue, RequestSink sink);
}
