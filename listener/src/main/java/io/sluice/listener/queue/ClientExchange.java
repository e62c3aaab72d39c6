package io.sluice.listener.queue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.sluice.dispatch.http.TlsInfo;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One admitted request as a host sees it, whatever protocol the client speaks: the facts of the client side a host
 * needs and the writer of the response. The HTTP/1.1 front implements it per request on a connection
 * ({@code io.sluice.listener.http.ServerExchange}); a multiplexed protocol implements it per stream. Hosts call only
 * this, so no host depends on the front.
 * <p>
 * Threading: every method must be called on {@link #eventLoop()}; a host on another thread hops there first.
 * Ownership: buffers passed to {@link #finishHead} and {@link #body(ByteBuf, boolean)} become the exchange's.
 * <p>
 * The response head a host hands over is a status and its header fields ({@link #beginHead}, fields added with
 * {@link ResponseHeads}); the exchange adds the fields it owns (the date, the body's framing, the connection's
 * persistence) and holds the body to the length the head declares.
 * <p>
 * Time in queue: a host that cannot hand an admitted request to a worker at once calls {@link #markQueued()}, and
 * {@link #markStarted()} when a worker takes it. If no response head has been sent and the request is still queued
 * when its queue's {@code queueWait} has passed since admission, the listener answers it 503 itself and aborts the
 * host's sink. A host that never calls {@link #markQueued()} is taken to hand every request over at once.
 */
public interface ClientExchange
{
    /**
     * @return the event loop every call must be made on.
     */
    EventLoop eventLoop();

    /**
     * @return the allocator for response buffers.
     */
    ByteBufAllocator alloc();

    /**
     * The identity of the ordered stream of responses this exchange belongs to: the same object for every request
     * whose response goes out in request order behind the others (the requests of one HTTP/1.1 connection), a
     * different one for any other connection. A host may carry such requests, in order, over one connection to a
     * worker (as the loopback model pipelines them). Compared by identity only. By default the exchange itself: it
     * shares its order with no other.
     *
     * @return the key, never null.
     */
    default Object orderKey()
    {
        return this;
    }

    /**
     * @return true when the request method is HEAD: the head is sent, body bytes are dropped.
     */
    boolean isHeadRequest();

    /**
     * @return the path of the URL prefix the request matched, e.g. {@code /shm/}.
     */
    String applicationPath();

    /**
     * @return the client's IP address as text.
     */
    String remoteAddress();

    /**
     * @return the client's port.
     */
    int remotePort();

    /**
     * @return the TLS facts of the client's connection, or null for a cleartext one.
     */
    default TlsInfo tls()
    {
        return null;
    }

    /**
     * Whether the host may answer {@code 101 Switching Protocols}: the request asked to upgrade (HTTP/1.1 {@code GET}
     * without a body, {@code Connection: upgrade}, an {@code Upgrade} other than {@code h2c}) and its queue allows it
     * ({@code webSockets}); the host then sees its {@code Upgrade} and {@code Connection: upgrade} fields. After a
     * {@code 101}, the client's bytes reach the sink as body chunks ({@link RequestSink#body}, the last one when the
     * client ends its input) and the host's bytes go out through {@link #body}; the body limit does not apply.
     *
     * @return true while a {@code 101} head may be sent.
     */
    default boolean isUpgradeRequested()
    {
        return false;
    }

    /**
     * @return true once the head has been written (the status can no longer change).
     */
    boolean isHeadSent();

    /**
     * @return true once the response is complete or the request abandoned.
     */
    boolean isDone();

    /**
     * Back-pressure towards the host: whether the client can take more of this response now. Once the response is
     * complete or abandoned nothing waits for it, so true.
     *
     * @return true when more response bytes may be sent now.
     */
    boolean isWritable();

    /**
     * Ask to be told when the client can take more of this response: when {@link #isWritable()} is false, the sink's
     * {@link RequestSink#writable()} is called once it becomes true (on the event loop, never from within this call).
     *
     * @return true when writable now (nothing is registered); false when the sink will be told later.
     */
    boolean notifyWhenWritable();

    /**
     * The host can take the request body chunk it refused again: the front offers it now (on the event loop, never
     * from within this call). Used by a sink whose {@link RequestSink#resumesBody()} is true.
     */
    void resumeBody();

    /**
     * Start a response head: a pooled buffer holding the status. Add header fields with {@link ResponseHeads}, then
     * pass it to {@link #finishHead}.
     *
     * @param status HTTP status in 100..599.
     * @return the buffer, owned by the caller until passed on.
     */
    ByteBuf beginHead(int status);

    /**
     * Finish and send a head started with {@link #beginHead}: add the framing, then send it in its turn. A status that
     * is not final (below 200, or not a status at all) is answered 502 instead, except {@code 101 Switching Protocols}
     * to a request that asked to upgrade ({@link #isUpgradeRequested()}): the exchange is then a tunnel, whose body
     * both ways is the new protocol's bytes, without framing, until the host ends it or the client goes. A body is held
     * to the content length the head declares: body bytes past it are cut and the response ends the connection; a
     * body that ends short of it ends the connection too, so the client sees the response is incomplete.
     *
     * @param head          the head buffer; becomes the exchange's.
     * @param status        the status given to {@link #beginHead}.
     * @param contentLength of the body, or -1 when not known.
     * @param inlineBody    body bytes to send with the head, or null.
     * @param bodyOffset    of the inline body.
     * @param bodyLength    of the inline body.
     * @param last          true when the inline body (or nothing) is the whole response.
     * @return false when the head was dropped: the exchange was done, or it had sent a head already (a second head is
     * the handler's or worker's mistake: the response cannot be repaired, so the client connection is closed). A
     * caller must then not treat the response as answered by this head.
     */
    boolean finishHead(
        ByteBuf head,
        int status,
        long contentLength,
        DirectBuffer inlineBody,
        int bodyOffset,
        int bodyLength,
        boolean last);

    /**
     * Send a chunk of the body, copied from a buffer.
     *
     * @param src    holding the chunk.
     * @param offset of the chunk.
     * @param length of the chunk; may be 0.
     * @param last   true for the final chunk.
     */
    void body(DirectBuffer src, int offset, int length, boolean last);

    /**
     * Send a chunk of the body.
     *
     * @param content the chunk; becomes the exchange's.
     * @param last    true for the final chunk.
     */
    void body(ByteBuf content, boolean last);

    /**
     * Ask to hear when every response byte sent so far through this exchange has been taken by the client's socket
     * (flow control: a host grants its worker more credit then). A response waiting behind an earlier one is noticed
     * once it has been written and drained. At most one request may be pending per exchange; a second replaces the
     * first while the response waits. Nothing is heard for an exchange already done, nor when the client connection
     * closes first.
     *
     * @param listener told on the event loop, with the token; may serve many exchanges (nothing is allocated).
     * @param token    given back to the listener: it tells a notice for this exchange from one for an earlier.
     */
    void notifyWhenFlushed(FlushListener listener, long token);

    /**
     * Answer with a short text response generated by the listener (errors: 400, 404, 502, 503, ...). When the head has
     * already been sent the status cannot change: the client connection is closed instead.
     *
     * @param status  HTTP status.
     * @param message body text.
     */
    void sendError(int status, String message);

    /**
     * Answer as {@link #sendError(int, String)} does, naming why for the error log.
     *
     * @param status  HTTP status.
     * @param message body text.
     * @param reason  why the listener answers in the handler's place.
     */
    default void sendError(final int status, final String message, final ErrorReason reason)
    {
        sendError(status, message);
    }

    /**
     * Answer with a response generated by the listener whose body and content type are given (an offline queue's
     * page), naming why for the error log. When the head has already been sent the status cannot change: the client
     * connection is closed instead (by the implementations that know how; this default then does nothing).
     *
     * @param status      HTTP status.
     * @param contentType the body's content type.
     * @param body        the body; not changed.
     * @param reason      why the listener answers in the handler's place.
     */
    default void sendError(final int status, final String contentType, final byte[] body, final ErrorReason reason)
    {
        if (isDone() || isHeadSent())
        {
            return;
        }
        final ByteBuf head = beginHead(status);
        ResponseHeads.header(head, "content-type", contentType);
        finishHead(head, status, body.length, new UnsafeBuffer(body), 0, body.length, true);
    }

    /**
     * The host could not hand the request to a worker at once: it waits in the queue, and the queue's time limit
     * ({@code queueWait}) applies until {@link #markStarted()}.
     */
    void markQueued();

    /**
     * A worker took the request: the queue's time limit no longer applies.
     */
    void markStarted();
}
