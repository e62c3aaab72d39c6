package io.sluice.dispatch.worker;

import org.agrona.DirectBuffer;

/**
 * The application's request handler: the one interface a Sluice application implements. The same handler runs
 * unchanged in-process (inside the listener), in a worker process over shared memory, or in a worker process behind
 * loopback forwarding.
 * <p>
 * Threading: the callbacks for one {@link Exchange} are made on one thread, in order: {@link #onRequest(Exchange)},
 * then {@link #onBody} zero or more times (the last call has {@code last == true}), or {@link #onAbort(Exchange)}.
 * Callbacks must not block: in-process they run on the listener's event loop, in a worker on its dispatch thread.
 * A handler that needs to wait answers later, from any thread, through the {@link Exchange}.
 * <p>
 * Failure: a callback that throws is the handler's bug, handled alike in every hosting model
 * ({@link HandlerInvoker}): it is logged once and counted, and its request is answered 500 ({@code text/plain},
 * {@code internal server error}), or, once the response head was sent, the response is cut off (the client connection
 * closes after what was sent). The process and its other requests go on.
 * <p>
 * Implementations need a public no-argument constructor: the hosts load them by class name.
 */
public interface Handler
{
    /**
     * The request head has arrived. The body, if {@link Exchange#hasBody()}, follows through {@link #onBody}.
     *
     * @param exchange the request and the means to answer it.
     */
    void onRequest(Exchange exchange);

    /**
     * A chunk of the request body. The buffer is only valid for the duration of the call: copy what must be kept.
     *
     * @param exchange the exchange the body belongs to.
     * @param buffer   holding the chunk.
     * @param offset   of the chunk in the buffer.
     * @param length   of the chunk in bytes; may be zero on the last call.
     * @param last     true for the final chunk of the body.
     */
    default void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
    }

    /**
     * The exchange can take more response body: called once after {@link Exchange#sendBody} returned false, when the
     * send window has room again (in-process: this response is the one being written, the client connection is below
     * its write-buffer low water mark and the bytes handed over and not yet taken are back under 256 KiB; loopback:
     * the worker's connection to the listener dropped below its low water mark; shared memory: the listener granted
     * more credit as the client read). Made on the thread that makes the exchange's other callbacks (a shared-memory
     * worker's: its duty thread, which reads the credit off the ring). Not called after the response is complete or
     * the request was abandoned.
     *
     * @param exchange the exchange that may continue its body.
     */
    default void onWritable(final Exchange exchange)
    {
    }

    /**
     * The request was abandoned (the client went away, or the listener gave up on it). Any answer is discarded.
     *
     * @param exchange the abandoned exchange.
     */
    default void onAbort(final Exchange exchange)
    {
    }
}
