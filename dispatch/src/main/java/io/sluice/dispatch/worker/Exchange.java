package io.sluice.dispatch.worker;

import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.dispatch.http.TlsInfo;
import org.agrona.DirectBuffer;

/**
 * One request and its response, as a {@link Handler} sees it, whichever hosting model carries it.
 * <p>
 * Request accessors are valid from {@link Handler#onRequest(Exchange)} until the response is complete. The response is
 * either one {@link #respond} call, or {@link #sendHead} followed by {@link #sendBody} calls, the last with
 * {@code last == true}; a large body follows the back-pressure of {@link #sendBody} and {@link Handler#onWritable(Exchange)}.
 * Response methods may be called from any thread, but by one thread at a time; after the response
 * is complete, or after {@link Handler#onAbort(Exchange)}, the exchange must not be used again.
 * <p>
 * <b>Upgrades and tunnels</b>, the same in every hosting model. A request that asks to switch protocols (HTTP/1.1
 * {@code GET} without a body, {@code Connection: upgrade}, an {@code Upgrade} other than {@code h2c}) reaches the
 * handler with its {@code Upgrade} field and {@code Connection: upgrade} when its queue allows upgrades
 * ({@code webSockets: true}, the default; a worker reads {@code SLUICE_WEBSOCKETS_SUPPORTED}):
 * {@link #isUpgradeRequest()} is then true. The handler may answer it as any request, or switch:
 * {@code sendHead(101, null, UNKNOWN_LENGTH)} (its own response fields, such as {@code Sec-WebSocket-Accept}, added
 * before with {@link #responseHeader}; the listener writes {@code Connection: upgrade} and {@code Upgrade:} the
 * protocols the client asked for). The exchange is then a <em>tunnel</em>: every byte the client sends after the
 * request arrives through {@link Handler#onBody} (not held to the body limit; {@code last} is true when the client
 * ended its input: the handler may still send), and every byte the handler sends with {@link #sendBody} goes to the
 * client as it is, with the same back-pressure as a body; {@code sendBody(..., last = true)} ends the tunnel (the
 * listener closes the connection), and {@link Handler#onAbort} tells the handler the client went away, the tunnel
 * was idle for its queue's {@code timeouts.tunnelIdle}, or the listener stopped. A {@code 101} to a request that did
 * not ask to upgrade is answered 502.
 */
public interface Exchange
{
    /**
     * Length value meaning "not known in advance": the response body is sent chunked.
     */
    long UNKNOWN_LENGTH = -1;

    /**
     * @return the request method, e.g. {@code GET}.
     */
    String method();

    /**
     * @return the request-target as the client sent it, always in origin form (path and query): when the client sent
     * an absolute-form target ({@code http://host/a?b}) the listener hands on {@code /a?b} and puts the authority in
     * the {@code Host} header.
     */
    String target();

    /**
     * @return the path the listener routed the request by, without the query: the target's path percent-decoded
     * (UTF-8), with dot-segments removed and {@code \} read as {@code /}, as {@link PathNormalizer#normalize} gives
     * it; the same in every hosting model. A check such as {@code path().startsWith("/admin/")} sees what the router
     * saw; {@link #target()} keeps the raw bytes.
     */
    default String path()
    {
        return PathNormalizer.pathOf(target());
    }

    /**
     * @return the query part of the target without the '?', or null when there is none.
     */
    default String query()
    {
        final String target = target();
        final int query = target.indexOf('?');
        return query < 0 ? null : target.substring(query + 1);
    }

    /**
     * @param name of the header, matched case-insensitively.
     * @return the first value of the header, or null when absent.
     */
    String header(String name);

    /**
     * The request's header fields are the same list, in the same order, in every hosting model: the client's fields
     * in the client's order, less those of the client's connection, which the listener consumed ({@code Connection}
     * and the fields it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer},
     * {@code Upgrade}, {@code Transfer-Encoding}, {@code Expect}), and with none of the fields the listener adds to
     * reach a worker ({@code X-Forwarded-*}, {@code Sluice-*}: see {@link #remoteAddress()}).
     *
     * @return the number of request headers.
     */
    int headerCount();

    /**
     * @param index of the header, 0 to {@link #headerCount()} - 1.
     * @return the header's name.
     */
    String headerName(int index);

    /**
     * @param index of the header, 0 to {@link #headerCount()} - 1.
     * @return the header's value.
     */
    String headerValue(int index);

    /**
     * @return the declared request body length in bytes, {@link #UNKNOWN_LENGTH} for a chunked body, 0 for none.
     */
    long contentLength();

    /**
     * @return true when the request asks to switch protocols and the handler may answer {@code 101 Switching
     * Protocols} (see the class comment): its {@code Upgrade} field is present, which the listener hands on only then.
     */
    default boolean isUpgradeRequest()
    {
        return null != header("Upgrade");
    }

    /**
     * @return true when body chunks follow through {@link Handler#onBody}.
     */
    default boolean hasBody()
    {
        return contentLength() != 0;
    }

    /**
     * @return the client's address as text (IP literal).
     */
    String remoteAddress();

    /**
     * @return the TLS facts of the client's connection (version, cipher, SNI name, client certificate), or null when
     * the request came over cleartext (an {@code http} prefix).
     */
    default TlsInfo tls()
    {
        return null;
    }

    /**
     * @return the scheme the client used: {@code https} when {@link #tls()} is set, else {@code http}.
     */
    default String scheme()
    {
        return null == tls() ? "http" : "https";
    }

    /**
     * Add a response header; only before {@link #sendHead} or {@link #respond}. The name must be an HTTP token and the
     * value hold no control byte, else the client gets 502. Framing headers ({@code Content-Length},
     * {@code Transfer-Encoding}, {@code Connection}, {@code Keep-Alive}, {@code Upgrade}, {@code Proxy-Connection},
     * {@code TE}, {@code Trailer}) and {@code Date} are the listener's: one added here is dropped.
     *
     * @param name  of the header.
     * @param value of the header.
     * @return this for a fluent API.
     */
    Exchange responseHeader(String name, String value);

    /**
     * Send a complete response in one call.
     *
     * @param status      HTTP status code.
     * @param contentType value of the Content-Type header, or null for none.
     * @param body        the body bytes; may be empty.
     */
    default void respond(final int status, final String contentType, final byte[] body)
    {
        respond(status, contentType, new org.agrona.concurrent.UnsafeBuffer(body), 0, body.length);
    }

    /**
     * Send a complete response in one call.
     *
     * @param status      HTTP status code.
     * @param contentType value of the Content-Type header, or null for none.
     * @param body        buffer holding the body; only read during the call.
     * @param offset      of the body in the buffer.
     * @param length      of the body in bytes.
     */
    void respond(int status, String contentType, DirectBuffer body, int offset, int length);

    /**
     * Send the response head; the body follows through {@link #sendBody}.
     *
     * @param status        HTTP status code.
     * @param contentType   value of the Content-Type header, or null for none.
     * @param contentLength of the body in bytes, or {@link #UNKNOWN_LENGTH} to send it chunked.
     */
    void sendHead(int status, String contentType, long contentLength);

    /**
     * Send a chunk of the response body. The bytes are always taken (copied or buffered); the answer says whether the
     * handler may send more now (back-pressure).
     * <p>
     * When it returns false the response's send window is full (in-process: 256 KiB handed over and not yet taken by
     * the client connection, or that connection over its write-buffer high water mark; loopback: the connection to the
     * listener over its high water mark; shared memory: the response has used its {@code responseWindow} of credit the
     * listener has not yet granted back as the client read): the handler should send nothing more until
     * {@link Handler#onWritable(Exchange)} is called for this exchange, exactly once. A handler that sends on anyway
     * is not refused, but the bytes wait in memory, and a worker thread other than the transport's may be made to
     * wait; a handler that streams a large body should stop at false and continue from {@code onWritable}.
     *
     * @param buffer holding the chunk; only read during the call.
     * @param offset of the chunk in the buffer.
     * @param length of the chunk in bytes; may be zero.
     * @param last   true for the final chunk: the response is then complete.
     * @return true when the exchange can take more body now; false when the send window is full: the bytes were taken,
     * and {@link Handler#onWritable(Exchange)} follows once more may be sent.
     */
    boolean sendBody(DirectBuffer buffer, int offset, int length, boolean last);

    /**
     * @return true when the exchange can take more body bytes now without going over its send window; after the
     * response is complete or the request was abandoned, true (nothing waits for it any more).
     */
    boolean isWritable();

    /**
     * @return an object the handler attached to this exchange, or null.
     */
    Object attachment();

    /**
     * @param attachment any object the handler wants to keep with this exchange.
     */
    void attachment(Object attachment);
}
