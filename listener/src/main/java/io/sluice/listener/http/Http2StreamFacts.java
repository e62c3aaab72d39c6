package io.sluice.listener.http;

import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.sluice.listener.log.ConnectionLogFacts;
import io.sluice.listener.log.RequestLogFacts;
import io.sluice.listener.queue.QueueBinding;

import java.util.Map;

/**
 * What the access and error logs say of one HTTP/2 stream ({@code cs-version} {@code HTTP/2}): the same fields as an
 * HTTP/1.1 request's. Its bytes are those of the stream, not of the connection: the {@code DATA} payload (the same
 * bytes the queue's counters count as bytes in and out) plus its head's size, taken as the header list size of
 * RFC 9113 6.5.2 (each field's name and value octets plus 32, pseudo-header fields included), since the
 * HPACK-compressed size of one stream's head is not known to the stream. Frames of the connection (settings, window
 * updates, pings) belong to no stream and are not counted.
 * <p>
 * Event-loop confined (the stream's).
 */
final class Http2StreamFacts implements RequestLogFacts
{
    private static final int HEADER_FIELD_OVERHEAD = 32;
    private static final AsciiString USER_AGENT = AsciiString.cached("user-agent");
    private static final AsciiString REFERER = AsciiString.cached("referer");

    private final Http2ServerConnection connection;
    private boolean started;
    private long arrivedNs;
    private long sentLength;
    private long receivedLength;
    private int status;
    private String method;
    private String target;
    private String userAgent;
    private String referer;
    private QueueBinding binding;

    /**
     * @param connection the stream's connection: its addresses and ports.
     */
    Http2StreamFacts(final Http2ServerConnection connection)
    {
        this.connection = connection;
    }

    /**
     * @param nowNs when the stream's head arrived, on the connection's clock.
     */
    void arrived(final long nowNs)
    {
        this.arrivedNs = nowNs;
    }

    /**
     * @param status the final status sent.
     */
    void status(final int status)
    {
        this.status = status;
    }

    /**
     * @param length bytes sent on the stream: a head's header list size or a {@code DATA} payload.
     */
    void sent(final long length)
    {
        sentLength += length;
    }

    /**
     * @param length {@code DATA} payload bytes received on the stream.
     */
    void received(final long length)
    {
        receivedLength += length;
    }

    /**
     * @return true once {@link #request} told the stream's request: it has a line in the access log.
     */
    boolean isStarted()
    {
        return started;
    }

    /**
     * {@inheritDoc}
     */
    public QueueBinding binding()
    {
        return binding;
    }

    /**
     * Keep what the logs say of the stream's request; before it is answered.
     *
     * @param method     its method, or null.
     * @param target     its {@code :path}, or null.
     * @param binding    its route, or null.
     * @param headers    its decoded head: its size counted, and its {@code user-agent} and {@code referer} kept when
     *                   the access log writes the stream.
     */
    void request(final String method, final String target, final QueueBinding binding, final Http2Headers headers)
    {
        this.method = method;
        this.target = target;
        this.binding = binding;
        this.started = true;
        this.receivedLength += headerListSize(headers);
        if (connection.isAccessLogged(binding))
        {
            this.userAgent = text(headers.get(USER_AGENT));
            this.referer = text(headers.get(REFERER));
        }
    }

    /**
     * The header list size of RFC 9113 6.5.2: each field's name and value octets plus 32.
     *
     * @param headers the fields.
     * @return the size.
     */
    static long headerListSize(final Http2Headers headers)
    {
        long size = 0;
        for (final Map.Entry<CharSequence, CharSequence> field : headers)
        {
            size += field.getKey().length() + field.getValue().length() + HEADER_FIELD_OVERHEAD;
        }
        return size;
    }

    private static String text(final CharSequence value)
    {
        return null == value ? null : value.toString();
    }

    /**
     * {@inheritDoc}
     */
    public ConnectionLogFacts connectionFacts()
    {
        return connection.addresses();
    }

    /**
     * {@inheritDoc}
     */
    public int protocol()
    {
        return PROTOCOL_HTTP_2;
    }

    /**
     * {@inheritDoc}
     */
    public String method()
    {
        return method;
    }

    /**
     * {@inheritDoc}
     */
    public String target()
    {
        return target;
    }

    /**
     * {@inheritDoc}
     */
    public String userAgent()
    {
        return userAgent;
    }

    /**
     * {@inheritDoc}
     */
    public String referer()
    {
        return referer;
    }

    /**
     * {@inheritDoc}
     */
    public int status()
    {
        return status;
    }

    /**
     * {@inheritDoc}
     */
    public long sentBytes()
    {
        return sentLength;
    }

    /**
     * {@inheritDoc}
     */
    public long receivedBytes()
    {
        return receivedLength;
    }

    /**
     * {@inheritDoc}
     */
    public long durationNs(final long nowNs)
    {
        return started ? nowNs - arrivedNs : 0;
    }
}
