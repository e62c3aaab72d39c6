package io.sluice.listener.log;

import io.sluice.listener.queue.QueueBinding;

/**
 * What a log record says of a request or connection, read once on the event loop when the record is written. A
 * request's exchange gives them; a text the request has not got (a connection closed between requests has no method)
 * is null and logged as {@code -}. Nothing returned may be allocated for the call: each is a field already held.
 */
public interface RequestLogFacts
{
    /**
     * HTTP/1.0.
     */
    int PROTOCOL_HTTP_1_0 = 10;

    /**
     * HTTP/1.1.
     */
    int PROTOCOL_HTTP_1_1 = 11;

    /**
     * HTTP/2 (a stream).
     */
    int PROTOCOL_HTTP_2 = 20;

    /**
     * No request, or its version is not known.
     */
    int PROTOCOL_NONE = 0;

    /**
     * @return the facts of the connection the request came on: its addresses and ports.
     */
    ConnectionLogFacts connectionFacts();

    /**
     * @return {@link #PROTOCOL_HTTP_1_1}, {@link #PROTOCOL_HTTP_1_0}, {@link #PROTOCOL_HTTP_2} or {@link #PROTOCOL_NONE}.
     */
    int protocol();

    /**
     * @return the request method, or null.
     */
    String method();

    /**
     * @return the request-target as received (origin form once an absolute form was rewritten), or null.
     */
    String target();

    /**
     * @return the request's {@code User-Agent}, or null.
     */
    String userAgent();

    /**
     * @return the request's {@code Referer}, or null.
     */
    String referer();

    /**
     * @return the route the request took: the log names its queue and that queue's hosting model; or null.
     */
    QueueBinding binding();

    /**
     * @return the response status, or 0 when none was sent (logged as {@code -}).
     */
    int status();

    /**
     * @return the response bytes written to the connection (head and body, as framed).
     */
    long sentBytes();

    /**
     * @return the request bytes received (head and body).
     */
    long receivedBytes();

    /**
     * @param nowNs the connection's clock now.
     * @return the time from the request head's arrival to now, in ns; 0 when not known.
     */
    long durationNs(long nowNs);
}
