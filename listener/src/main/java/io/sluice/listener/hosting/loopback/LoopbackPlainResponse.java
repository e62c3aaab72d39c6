package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCounted;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.DirectBuffer;

/**
 * A worker's response in its common form, read and checked from its bytes as a whole: the status line
 * {@code HTTP/1.1 NNN reason} with a final status that may have a body (200..599 less 204 and 304), header lines
 * {@code name: value} with CRLF line ends, a token name, a value of field-value bytes, one {@code Content-Length} and no
 * {@code Transfer-Encoding}, at most a {@code Connection: keep-alive} or {@code close}, the head at most
 * {@value #HEAD_MAX_LENGTH} bytes, and the whole body, at most {@value #BODY_MAX_LENGTH} bytes, already received.
 * {@link #parse} checks every byte of the head and declines anything else (an interim or bodiless status, chunked or
 * close-delimited framing, obs-fold, a bare LF, a name followed by space, duplicated or unusual framing fields, a
 * response not wholly received), which Netty's decoder then reads as before: this fast form never accepts what the
 * decoder and {@link LoopbackHeaders#copyResponseHeaders} would refuse.
 * <p>
 * One instance per {@link LoopbackResponseDecoder}, reused for each response it reads this way; the decoder hands it
 * on to the {@link LoopbackUpstream} that consumes it before the next is read. It holds its bytes (head and body) as a
 * retained slice of the connection's input, released with {@link #release()}.
 */
final class LoopbackPlainResponse implements ReferenceCounted
{
    /**
     * Largest head read this way: {@value} bytes. A larger one goes to Netty's decoder.
     */
    static final int HEAD_MAX_LENGTH = 8 * 1024;

    /**
     * Largest body read this way: {@value} bytes. A larger one goes to Netty's decoder, which streams it.
     */
    static final int BODY_MAX_LENGTH = LoopbackResponseDecoder.MAX_CHUNK_LENGTH;

    /**
     * Largest response read this way: {@value} bytes.
     */
    static final int MAX_LENGTH = HEAD_MAX_LENGTH + BODY_MAX_LENGTH;

    /**
     * {@link #parse} declined the bytes: not a complete response of the common form.
     */
    static final int DECLINED = -1;

    private static final int HEADER_COUNT_MAX = 64;
    private static final int FIELDS_PER_HEADER = 4;
    private static final int STATUS_LINE_MIN_LENGTH = "HTTP/1.1 200 \r\n".length();
    private static final int STATUS_LINE_MAX_LENGTH = 4096;
    private static final int STATUS_OFFSET = "HTTP/1.1 ".length();
    private static final int REASON_OFFSET = "HTTP/1.1 200 ".length();
    private static final int CONTENT_LENGTH_MAX_DIGITS = 9;
    private static final byte[] VERSION = { 'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ' };
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString CLOSE = AsciiString.cached("close");

    private final int[] fields = new int[HEADER_COUNT_MAX * FIELDS_PER_HEADER];
    private ByteBuf bytes;
    private int headerCount;
    private int status;
    private int contentLength;
    private int bodyIndex;
    private boolean keepAlive;

    /**
     * Read a response of the common form from the start of the bytes, checking every byte of its head.
     *
     * @param buffer the connection's input, from its first unread byte.
     * @param length how many bytes of it were received.
     * @return the length of the whole response (head and body), or {@link #DECLINED}.
     */
    int parse(final DirectBuffer buffer, final int length)
    {
        if (length < STATUS_LINE_MIN_LENGTH || !startsWithVersion(buffer))
        {
            return DECLINED;
        }
        final int status = statusCode(buffer);
        if (status < 200 || status > 599 || ResponseHeads.isBodiless(status) ||
            ' ' != buffer.getByte(REASON_OFFSET - 1))
        {
            return DECLINED;
        }
        int index = skipFieldValue(buffer, REASON_OFFSET, Math.min(length, STATUS_LINE_MAX_LENGTH));
        if (!isLineEnd(buffer, index, length))
        {
            return DECLINED;
        }
        index += 2;
        final int headLimit = Math.min(length, HEAD_MAX_LENGTH);
        int count = 0;
        int contentLength = DECLINED;
        boolean keepAlive = true;
        while (true)
        {
            if (isLineEnd(buffer, index, headLimit))
            {
                index += 2;
                break;
            }
            final int nameIndex = index;
            while (index < headLimit && ResponseHeads.isTokenChar(buffer.getByte(index)))
            {
                index++;
            }
            final int nameLength = index - nameIndex;
            if (nameLength == 0 || index >= headLimit || ':' != buffer.getByte(index) || count == HEADER_COUNT_MAX)
            {
                return DECLINED;
            }
            index = skipSpaces(buffer, index + 1, headLimit);
            final int valueIndex = index;
            index = skipFieldValue(buffer, index, headLimit);
            if (!isLineEnd(buffer, index, headLimit))
            {
                return DECLINED;
            }
            int valueEnd = index;
            while (valueEnd > valueIndex && isSpace(buffer.getByte(valueEnd - 1)))
            {
                valueEnd--;
            }
            final int valueLength = valueEnd - valueIndex;
            index += 2;
            if (equalsIgnoreCase(buffer, nameIndex, nameLength, CONTENT_LENGTH))
            {
                if (contentLength != DECLINED)
                {
                    return DECLINED;
                }
                contentLength = decimal(buffer, valueIndex, valueLength);
                if (contentLength == DECLINED)
                {
                    return DECLINED;
                }
            }
            else if (equalsIgnoreCase(buffer, nameIndex, nameLength, TRANSFER_ENCODING))
            {
                return DECLINED;
            }
            else if (equalsIgnoreCase(buffer, nameIndex, nameLength, CONNECTION))
            {
                if (equalsIgnoreCase(buffer, valueIndex, valueLength, CLOSE))
                {
                    keepAlive = false;
                }
                else if (!equalsIgnoreCase(buffer, valueIndex, valueLength, KEEP_ALIVE))
                {
                    return DECLINED;
                }
            }
            final int field = count * FIELDS_PER_HEADER;
            fields[field] = nameIndex;
            fields[field + 1] = nameLength;
            fields[field + 2] = valueIndex;
            fields[field + 3] = valueLength;
            count++;
        }
        if (contentLength == DECLINED || contentLength > BODY_MAX_LENGTH || length - index < contentLength)
        {
            return DECLINED;
        }
        this.status = status;
        this.contentLength = contentLength;
        this.keepAlive = keepAlive;
        this.headerCount = count;
        this.bodyIndex = index;
        return index + contentLength;
    }

    /**
     * Take the bytes {@link #parse} read.
     *
     * @param bytes the response, head and body, as a retained slice; becomes this response's.
     */
    void bytes(final ByteBuf bytes)
    {
        this.bytes = bytes;
    }

    /**
     * @return the response's bytes, head and body, from index 0.
     */
    ByteBuf bytes()
    {
        return bytes;
    }

    int status()
    {
        return status;
    }

    int contentLength()
    {
        return contentLength;
    }

    /**
     * @return the index of the body in {@link #bytes()}.
     */
    int bodyIndex()
    {
        return bodyIndex;
    }

    /**
     * @return false when the worker closes the connection after this response ({@code Connection: close}).
     */
    boolean isKeepAlive()
    {
        return keepAlive;
    }

    /**
     * Write the response's header lines into the client's head, less the framing and hop-by-hop ones
     * ({@link ResponseHeads#isFramingHeader(ByteBuf, int, int)}), each as {@code name: value}; lines already in that
     * form and next to each other are copied in one piece. Every byte was checked by {@link #parse}.
     *
     * @param head the head being written, after its status line.
     */
    void copyHeaders(final ByteBuf head)
    {
        final ByteBuf bytes = this.bytes;
        int runIndex = 0;
        int runEnd = 0;
        for (int i = 0, count = headerCount * FIELDS_PER_HEADER; i < count; i += FIELDS_PER_HEADER)
        {
            final int nameIndex = fields[i];
            final int nameLength = fields[i + 1];
            if (ResponseHeads.isFramingHeader(bytes, nameIndex, nameLength))
            {
                continue;
            }
            final int valueIndex = fields[i + 2];
            final int valueLength = fields[i + 3];
            final int nameEnd = nameIndex + nameLength;
            final int valueEnd = valueIndex + valueLength;
            final boolean plain = valueIndex == nameEnd + 2 && ' ' == bytes.getByte(nameEnd + 1) &&
                '\r' == bytes.getByte(valueEnd);
            if (plain && runEnd == nameIndex && runEnd > runIndex)
            {
                runEnd = valueEnd + 2;
                continue;
            }
            writeRun(head, runIndex, runEnd);
            if (plain)
            {
                runIndex = nameIndex;
                runEnd = valueEnd + 2;
            }
            else
            {
                runIndex = 0;
                runEnd = 0;
                head.writeBytes(bytes, nameIndex, nameLength);
                head.writeByte(':');
                head.writeByte(' ');
                head.writeBytes(bytes, valueIndex, valueLength);
                ResponseHeads.crlf(head);
            }
        }
        writeRun(head, runIndex, runEnd);
    }

    private void writeRun(final ByteBuf head, final int index, final int end)
    {
        if (end > index)
        {
            head.writeBytes(bytes, index, end - index);
        }
    }

    /**
     * {@inheritDoc}
     */
    public int refCnt()
    {
        return bytes.refCnt();
    }

    /**
     * {@inheritDoc}
     */
    public ReferenceCounted retain()
    {
        bytes.retain();
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public ReferenceCounted retain(final int increment)
    {
        bytes.retain(increment);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public ReferenceCounted touch()
    {
        bytes.touch();
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public ReferenceCounted touch(final Object hint)
    {
        bytes.touch(hint);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public boolean release()
    {
        return bytes.release();
    }

    /**
     * {@inheritDoc}
     */
    public boolean release(final int decrement)
    {
        return bytes.release(decrement);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "plain response " + status + ", " + contentLength + " body bytes";
    }

    private static boolean startsWithVersion(final DirectBuffer buffer)
    {
        for (int i = 0; i < VERSION.length; i++)
        {
            if (VERSION[i] != buffer.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    private static int statusCode(final DirectBuffer buffer)
    {
        int status = 0;
        for (int i = STATUS_OFFSET; i < REASON_OFFSET - 1; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return DECLINED;
            }
            status = status * 10 + digit;
        }
        return status;
    }

    private static int decimal(final DirectBuffer buffer, final int index, final int length)
    {
        if (length == 0 || length > CONTENT_LENGTH_MAX_DIGITS)
        {
            return DECLINED;
        }
        int value = 0;
        for (int i = index, end = index + length; i < end; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return DECLINED;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int skipFieldValue(final DirectBuffer buffer, final int index, final int limit)
    {
        int i = index;
        while (i < limit && ResponseHeads.isFieldValueChar(buffer.getByte(i)))
        {
            i++;
        }
        return i;
    }

    private static int skipSpaces(final DirectBuffer buffer, final int index, final int limit)
    {
        int i = index;
        while (i < limit && isSpace(buffer.getByte(i)))
        {
            i++;
        }
        return i;
    }

    private static boolean isSpace(final byte b)
    {
        return ' ' == b || '\t' == b;
    }

    private static boolean isLineEnd(final DirectBuffer buffer, final int index, final int limit)
    {
        return index + 1 < limit && '\r' == buffer.getByte(index) && '\n' == buffer.getByte(index + 1);
    }

    private static boolean equalsIgnoreCase(
        final DirectBuffer buffer, final int index, final int length, final AsciiString lowerCase)
    {
        if (length != lowerCase.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final int c = buffer.getByte(index + i);
            final int lower = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
            if (lower != lowerCase.byteAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
