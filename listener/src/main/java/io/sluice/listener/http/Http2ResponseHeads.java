package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.sluice.listener.queue.ResponseHeads;

/**
 * A response head written the HTTP/1.1 way ({@link ResponseHeads#statusLine}, then header lines a host added with
 * {@link ResponseHeads#checkedHeader}) as HTTP/2 header fields: {@code :status}, then each field with its name in
 * lower case and its value without surrounding whitespace (RFC 9113 8.2.1), less every field the listener owns or
 * that belongs to an HTTP/1.1 connection ({@link ResponseHeads#isFramingHeader(CharSequence)}: {@code connection},
 * {@code keep-alive}, {@code proxy-connection}, {@code transfer-encoding}, {@code upgrade}, {@code te},
 * {@code trailer}, {@code content-length}, {@code date}), which no HTTP/2 response may carry or which the listener
 * sets itself. Stateless.
 */
final class Http2ResponseHeads
{
    private static final int DATE_PREFIX_LENGTH = "date: ".length();
    private static final int CRLF_LENGTH = 2;
    private static final AsciiString DATE = AsciiString.cached("date");

    private Http2ResponseHeads()
    {
    }

    /**
     * @param head   the head: a status line, then header lines, each ending in CRLF; not released here.
     * @param status the status.
     * @return the HTTP/2 header fields.
     */
    static Http2Headers toHeaders(final ByteBuf head, final int status)
    {
        final Http2Headers headers = new DefaultHttp2Headers(false);
        headers.status(AsciiString.of(Integer.toString(status)));
        final int end = head.writerIndex();
        int line = head.indexOf(head.readerIndex(), end, (byte)'\n') + 1;
        while (line > 0 && line < end)
        {
            final int lineEnd = head.indexOf(line, end, (byte)'\n');
            if (lineEnd < 0)
            {
                break;
            }
            final int colon = head.indexOf(line, lineEnd, (byte)':');
            if (colon > line)
            {
                final AsciiString name = ascii(head, line, colon - line).toLowerCase();
                int valueStart = colon + 1;
                int valueEnd = lineEnd > line && head.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
                while (valueStart < valueEnd && isWhitespace(head.getByte(valueStart)))
                {
                    valueStart++;
                }
                while (valueEnd > valueStart && isWhitespace(head.getByte(valueEnd - 1)))
                {
                    valueEnd--;
                }
                if (!ResponseHeads.isFramingHeader(name))
                {
                    headers.add(name, ascii(head, valueStart, valueEnd - valueStart));
                }
            }
            line = lineEnd + 1;
        }
        return headers;
    }

    /**
     * Set the listener's {@code date}.
     *
     * @param headers the response's fields.
     */
    static void date(final Http2Headers headers)
    {
        final byte[] line = DateHeader.SYSTEM.line();
        // the line is shared and never changed: the value is a view of it
        headers.set(DATE, new AsciiString(
            line, DATE_PREFIX_LENGTH, line.length - DATE_PREFIX_LENGTH - CRLF_LENGTH, false));
    }

    private static AsciiString ascii(final ByteBuf buf, final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        buf.getBytes(index, bytes);
        return new AsciiString(bytes, false);
    }

    private static boolean isWhitespace(final byte b)
    {
        return b == ' ' || b == '\t';
    }
}
