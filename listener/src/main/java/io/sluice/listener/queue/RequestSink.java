package io.sluice.listener.queue;

import io.netty.buffer.ByteBuf;

/**
 * Where the connection streams one admitted request's body, and how it tells the host the client went away.
 * Called on the connection's event loop only.
 */
public interface RequestSink
{
    /**
     * Offer a chunk of the request body.
     *
     * @param content the chunk; owned by the caller, which releases it after the call. A host that keeps it retains it.
     * @param last    true for the final chunk (content may be empty).
     * @return true when taken; false when the host cannot take it now (back-pressure): the caller keeps the chunk,
     * stops reading the socket and offers the same chunk again later.
     */
    boolean body(ByteBuf content, boolean last);

    /**
     * Whether a chunk {@link #body} refused is offered again when the sink asks for it
     * ({@link ClientExchange#resumeBody()}) rather than after a short wait: true for a sink that refuses only while
     * the client connection cannot take more of the response. The connection then still looks again now and then, so
     * a refusal is never left waiting for a wake-up that does not come.
     *
     * @return true when refusals are woken by {@link ClientExchange#resumeBody()}.
     */
    default boolean resumesBody()
    {
        return false;
    }

    /**
     * The client connection can take more of this request's response again: called once after
     * {@link ClientExchange#notifyWhenWritable()} returned false, when the response is the one being written and the
     * connection dropped below its write-buffer low water mark. Not called once the response completed or the request
     * was abandoned.
     */
    default void writable()
    {
    }

    /**
     * The request was abandoned before its response completed (the client went away, or the connection failed).
     * The host stops work on it if it can and must not answer it.
     */
    void abort();
}
