package io.sluice.listener.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.logging.LogLevel;
import io.sluice.listener.queue.ErrorReason;

/**
 * Writes to the error log the refusals Netty's HTTP/2 codec answers by itself, without a stream reaching the
 * listener: a header list over {@code maxRequestBytes} (the codec's own {@code 431}, a head with only
 * {@code :status} that ends its stream; reason {@code RequestLength}, as over HTTP/1.1) and a stream past
 * {@code maxConcurrentStreams} ({@code RST_STREAM REFUSED_STREAM}; reason {@code Http2_Refused_Stream}). It sees
 * the frames the codec writes as its frame logger; the frame log itself stays at {@code TRACE}.
 * <p>
 * Event-loop confined, one per connection.
 */
final class Http2CodecRefusals extends Http2FrameLogger
{
    private static final CharSequence HEADER_LIST_TOO_LARGE =
        HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.codeAsText();
    private static final long REFUSED_STREAM = Http2Error.REFUSED_STREAM.code();

    private Http2ServerConnection connection;

    Http2CodecRefusals()
    {
        super(LogLevel.TRACE, Http2CodecRefusals.class);
    }

    /**
     * @param connection the connection whose error log line it writes.
     */
    void connection(final Http2ServerConnection connection)
    {
        this.connection = connection;
    }

    /**
     * {@inheritDoc}
     */
    public void logHeaders(
        final Direction direction,
        final ChannelHandlerContext ctx,
        final int streamId,
        final Http2Headers headers,
        final int padding,
        final boolean endStream)
    {
        onHeaders(direction, headers, endStream);
        super.logHeaders(direction, ctx, streamId, headers, padding, endStream);
    }

    /**
     * {@inheritDoc}
     */
    public void logHeaders(
        final Direction direction,
        final ChannelHandlerContext ctx,
        final int streamId,
        final Http2Headers headers,
        final int streamDependency,
        final short weight,
        final boolean exclusive,
        final int padding,
        final boolean endStream)
    {
        onHeaders(direction, headers, endStream);
        super.logHeaders(direction, ctx, streamId, headers, streamDependency, weight, exclusive, padding, endStream);
    }

    /**
     * {@inheritDoc}
     */
    public void logRstStream(
        final Direction direction, final ChannelHandlerContext ctx, final int streamId, final long errorCode)
    {
        if (Direction.OUTBOUND == direction && REFUSED_STREAM == errorCode)
        {
            refused(0, ErrorReason.HTTP2_REFUSED_STREAM);
        }
        super.logRstStream(direction, ctx, streamId, errorCode);
    }

    private void onHeaders(final Direction direction, final Http2Headers headers, final boolean endStream)
    {
        // the listener's own 431 answers carry a body and their fields; the codec's is a bare :status
        if (Direction.OUTBOUND == direction && endStream && headers.size() == 1 &&
            HEADER_LIST_TOO_LARGE.equals(headers.status()))
        {
            refused(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.code(), ErrorReason.REQUEST_LENGTH);
        }
    }

    private void refused(final int status, final ErrorReason reason)
    {
        final Http2ServerConnection connection = this.connection;
        if (null != connection)
        {
            connection.logError(new Http2StreamFacts(connection), status, reason);
        }
    }
}
