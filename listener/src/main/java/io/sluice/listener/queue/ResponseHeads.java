package io.sluice.listener.queue;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Writes HTTP/1.1 response heads as bytes, without intermediate objects: the status line from a table built once,
 * header lines from text or straight from ring bytes.
 */
public final class ResponseHeads
{
    /**
     * {@code 101 Switching Protocols}: the one interim status a host may answer with, and only to a request that asked
     * to upgrade; the exchange is then a tunnel.
     */
    public static final int SWITCHING_PROTOCOLS = 101;

    private static final byte[][] STATUS_LINES = new byte[600][];
    private static final byte[] COLON_SPACE = { ':', ' ' };
    private static final byte[] CRLF = { '\r', '\n' };
    // the two-byte separators as one big-endian store each: cheaper than a copy from an array
    private static final int COLON_SPACE_SHORT = (':' << 8) | ' ';
    private static final int CRLF_SHORT = ('\r' << 8) | '\n';
    private static final boolean[] TCHAR = new boolean[128];
    private static final AsciiString[] FRAMING_HEADERS =
    {
        AsciiString.cached("content-length"),
        AsciiString.cached("transfer-encoding"),
        AsciiString.cached("connection"),
        AsciiString.cached("keep-alive"),
        AsciiString.cached("upgrade"),
        AsciiString.cached("proxy-connection"),
        AsciiString.cached("te"),
        AsciiString.cached("trailer"),
        AsciiString.cached("date"),
    };

    static
    {
        for (int c = '0'; c <= '9'; c++)
        {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++)
        {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (final char c : "!#$%&'*+-.^_`|~".toCharArray())
        {
            TCHAR[c] = true;
        }
        for (int status = 100; status < 600; status++)
        {
            final String reason = HttpResponseStatus.valueOf(status).reasonPhrase();
            STATUS_LINES[status] = ("HTTP/1.1 " + status + " " + reason + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private ResponseHeads()
    {
    }

    /**
     * @param status HTTP status.
     * @return true when the status is in 100..599.
     */
    public static boolean isValidStatus(final int status)
    {
        return status >= 100 && status < 600;
    }

    /**
     * @param status HTTP status.
     * @return true when the status may end a request: 200..599 (a 1xx is interim, never the answer).
     */
    public static boolean isFinalStatus(final int status)
    {
        return status >= 200 && status < 600;
    }

    /**
     * @param c a byte of a header name.
     * @return true for an RFC 9110 {@code tchar}.
     */
    public static boolean isTokenChar(final int c)
    {
        return c >= 0 && c < 128 && TCHAR[c];
    }

    /**
     * @param c a byte of a header value.
     * @return true for a byte an RFC 9110 field value may hold: visible ASCII, obs-text, space and tab (no CR, LF,
     * NUL or other control character).
     */
    public static boolean isFieldValueChar(final int c)
    {
        final int b = c & 0xFF;
        return (b >= 0x20 && b != 0x7F) || b == '\t';
    }

    /**
     * @param name of a header from a handler or worker.
     * @return true when it is a token: one or more {@code tchar}.
     */
    public static boolean isToken(final CharSequence name)
    {
        final int length = name.length();
        if (length == 0)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (!isTokenChar(name.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param value of a header from a handler or worker.
     * @return true when every character is a field-value byte ({@link #isFieldValueChar}).
     */
    public static boolean isFieldValue(final CharSequence value)
    {
        for (int i = 0, length = value.length(); i < length; i++)
        {
            final char c = value.charAt(i);
            if (c > 0xFF || !isFieldValueChar(c))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param buf    holding a header name.
     * @param index  of the name.
     * @param length of the name.
     * @return true when it is a token: one or more {@code tchar}.
     */
    public static boolean isToken(final ByteBuf buf, final int index, final int length)
    {
        if (length <= 0)
        {
            return false;
        }
        for (int i = index, end = index + length; i < end; i++)
        {
            if (!isTokenChar(buf.getByte(i)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param buf    holding a header value.
     * @param index  of the value.
     * @param length of the value.
     * @return true when every byte is a field-value byte ({@link #isFieldValueChar}).
     */
    public static boolean isFieldValue(final ByteBuf buf, final int index, final int length)
    {
        for (int i = index, end = index + length; i < end; i++)
        {
            if (!isFieldValueChar(buf.getByte(i)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The headers the listener writes itself, from what it knows of the exchange (the framing, and the Date it puts on
     * every response): a handler's or worker's are dropped.
     *
     * @param name of a header (any case).
     * @return true for Content-Length, Transfer-Encoding, Connection, Keep-Alive, Upgrade, Proxy-Connection, TE,
     * Trailer and Date.
     */
    public static boolean isFramingHeader(final CharSequence name)
    {
        for (final AsciiString framing : FRAMING_HEADERS)
        {
            if (framing.contentEqualsIgnoreCase(name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param buf    holding a header name.
     * @param index  of the name.
     * @param length of the name.
     * @return true for a framing header ({@link #isFramingHeader(CharSequence)}).
     */
    public static boolean isFramingHeader(final ByteBuf buf, final int index, final int length)
    {
        for (final AsciiString framing : FRAMING_HEADERS)
        {
            if (framing.length() == length && equalsIgnoreCase(buf, index, framing))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsIgnoreCase(final ByteBuf buf, final int index, final AsciiString lowerCase)
    {
        for (int i = 0, length = lowerCase.length(); i < length; i++)
        {
            final int c = buf.getByte(index + i);
            final int lower = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
            if (lower != lowerCase.byteAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param status HTTP status.
     * @return true when a response with this status never has a body (1xx, 204, 304).
     */
    public static boolean isBodiless(final int status)
    {
        return status < 200 || status == 204 || status == 304;
    }

    /**
     * Write the status line.
     *
     * @param buf    to write to.
     * @param status HTTP status in 100..599.
     */
    public static void statusLine(final ByteBuf buf, final int status)
    {
        buf.writeBytes(STATUS_LINES[status]);
    }

    /**
     * Write a header line from text.
     *
     * @param buf   to write to.
     * @param name  of the header.
     * @param value of the header.
     */
    public static void header(final ByteBuf buf, final CharSequence name, final CharSequence value)
    {
        buf.writeCharSequence(name, StandardCharsets.ISO_8859_1);
        buf.writeShort(COLON_SPACE_SHORT);
        buf.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        buf.writeShort(CRLF_SHORT);
    }

    /**
     * Write a header line whose value is a number.
     *
     * @param buf   to write to.
     * @param name  of the header.
     * @param value of the header.
     */
    public static void header(final ByteBuf buf, final CharSequence name, final long value)
    {
        buf.writeCharSequence(name, StandardCharsets.ISO_8859_1);
        buf.writeShort(COLON_SPACE_SHORT);
        writeDecimal(buf, value);
        buf.writeShort(CRLF_SHORT);
    }

    /**
     * Write a header line copied from ring bytes.
     *
     * @param buf         to write to.
     * @param src         holding name and value.
     * @param nameOffset  of the name in src.
     * @param nameLength  of the name.
     * @param valueOffset of the value in src.
     * @param valueLength of the value.
     */
    public static void header(
        final ByteBuf buf,
        final DirectBuffer src,
        final int nameOffset,
        final int nameLength,
        final int valueOffset,
        final int valueLength)
    {
        buf.ensureWritable(nameLength + valueLength + 4);
        copy(src, nameOffset, nameLength, buf);
        buf.writeShort(COLON_SPACE_SHORT);
        copy(src, valueOffset, valueLength, buf);
        buf.writeShort(CRLF_SHORT);
    }

    /**
     * Copy bytes of a ring record into the head being written, byte by byte: a field is short, and this needs no
     * {@code ByteBuffer} view of the destination per field.
     */
    private static void copy(final DirectBuffer src, final int offset, final int length, final ByteBuf buf)
    {
        final int writerIndex = buf.writerIndex();
        for (int i = 0; i < length; i++)
        {
            buf.setByte(writerIndex + i, src.getByte(offset + i));
        }
        buf.writerIndex(writerIndex + length);
    }

    /**
     * Write a header line a handler or worker asked for, after checking it: the name must be a token and the value
     * hold only field-value bytes (no CR, LF or NUL); a framing header ({@link #isFramingHeader(CharSequence)}) is
     * left out, the listener writes its own.
     *
     * @param buf   to write to.
     * @param name  of the header.
     * @param value of the header.
     * @return false, writing nothing, when the name or the value is not valid: the response must not be sent.
     */
    public static boolean checkedHeader(final ByteBuf buf, final CharSequence name, final CharSequence value)
    {
        if (null == name || null == value || !isToken(name) || !isFieldValue(value))
        {
            return false;
        }
        if (!isFramingHeader(name))
        {
            header(buf, name, value);
        }
        return true;
    }

    /**
     * Write a header line copied from ring bytes after checking it as {@link #checkedHeader(ByteBuf, CharSequence,
     * CharSequence)} does. The check reads the copy, never the ring, which its producer can still write to.
     *
     * @param buf         to write to.
     * @param src         holding name and value.
     * @param nameOffset  of the name in src.
     * @param nameLength  of the name.
     * @param valueOffset of the value in src.
     * @param valueLength of the value.
     * @return false, writing nothing, when the name or the value is not valid: the response must not be sent.
     */
    public static boolean checkedHeader(
        final ByteBuf buf,
        final DirectBuffer src,
        final int nameOffset,
        final int nameLength,
        final int valueOffset,
        final int valueLength)
    {
        final int start = buf.writerIndex();
        header(buf, src, nameOffset, nameLength, valueOffset, valueLength);
        final int valueIndex = start + nameLength + COLON_SPACE.length;
        if (!isToken(buf, start, nameLength) || !isFieldValue(buf, valueIndex, valueLength))
        {
            buf.writerIndex(start);
            return false;
        }
        if (isFramingHeader(buf, start, nameLength))
        {
            buf.writerIndex(start);
        }
        return true;
    }

    /**
     * Write a header line copied from ring bytes after checking it as {@link #checkedHeader(ByteBuf, CharSequence,
     * CharSequence)} does, through a reusable view of the head's memory: each field is copied with one bulk copy and
     * checked in the copy with plain reads (no per-byte index and reference-count checks of the {@code ByteBuf}). The
     * check reads the copy, never the ring, which its producer can still write to. A head without a memory address
     * takes {@link #checkedHeader(ByteBuf, DirectBuffer, int, int, int, int)}.
     *
     * @param buf         to write to.
     * @param view        a view the caller owns, pointed here at the line being written.
     * @param src         holding name and value.
     * @param nameOffset  of the name in src.
     * @param nameLength  of the name.
     * @param valueOffset of the value in src.
     * @param valueLength of the value.
     * @return false, writing nothing, when the name or the value is not valid: the response must not be sent.
     */
    public static boolean checkedHeader(
        final ByteBuf buf,
        final UnsafeBuffer view,
        final DirectBuffer src,
        final int nameOffset,
        final int nameLength,
        final int valueOffset,
        final int valueLength)
    {
        final int lineLength = nameLength + valueLength + COLON_SPACE.length + CRLF.length;
        buf.ensureWritable(lineLength);
        if (!buf.hasMemoryAddress())
        {
            return checkedHeader(buf, src, nameOffset, nameLength, valueOffset, valueLength);
        }
        final int start = buf.writerIndex();
        final int valueIndex = nameLength + COLON_SPACE.length;
        view.wrap(buf.memoryAddress() + start, lineLength);
        view.putBytes(0, src, nameOffset, nameLength);
        view.putByte(nameLength, (byte)':');
        view.putByte(nameLength + 1, (byte)' ');
        view.putBytes(valueIndex, src, valueOffset, valueLength);
        view.putByte(lineLength - 2, (byte)'\r');
        view.putByte(lineLength - 1, (byte)'\n');
        if (!isToken(view, 0, nameLength) || !isFieldValue(view, valueIndex, valueLength))
        {
            return false;
        }
        if (!isFramingHeader(view, nameLength))
        {
            buf.writerIndex(start + lineLength);
        }
        return true;
    }

    private static boolean isToken(final DirectBuffer buffer, final int index, final int length)
    {
        if (length <= 0)
        {
            return false;
        }
        for (int i = index, end = index + length; i < end; i++)
        {
            if (!isTokenChar(buffer.getByte(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isFieldValue(final DirectBuffer buffer, final int index, final int length)
    {
        for (int i = index, end = index + length; i < end; i++)
        {
            if (!isFieldValueChar(buffer.getByte(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isFramingHeader(final DirectBuffer name, final int length)
    {
        for (final AsciiString framing : FRAMING_HEADERS)
        {
            if (framing.length() == length && equalsIgnoreCase(name, framing))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsIgnoreCase(final DirectBuffer name, final AsciiString lowerCase)
    {
        for (int i = 0, length = lowerCase.length(); i < length; i++)
        {
            final int c = name.getByte(i);
            final int lower = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
            if (lower != lowerCase.byteAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * End the head.
     *
     * @param buf to write to.
     */
    public static void end(final ByteBuf buf)
    {
        buf.writeShort(CRLF_SHORT);
    }

    /**
     * Write a non-negative number in decimal.
     *
     * @param buf   to write to.
     * @param value to write, at least 0.
     */
    public static void writeDecimal(final ByteBuf buf, final long value)
    {
        if (value < 10)
        {
            buf.writeByte('0' + (int)value);
            return;
        }
        long divisor = 1;
        while (value / divisor >= 10)
        {
            divisor *= 10;
        }
        while (divisor > 0)
        {
            buf.writeByte('0' + (int)((value / divisor) % 10));
            divisor /= 10;
        }
    }

    /**
     * Write a chunk-size line (hex length and CRLF).
     *
     * @param buf    to write to.
     * @param length of the chunk, greater than 0.
     */
    public static void chunkSize(final ByteBuf buf, final int length)
    {
        final int digits = Math.max(1, (35 - Integer.numberOfLeadingZeros(length)) / 4);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        {
            final int nibble = (length >>> shift) & 0xF;
            buf.writeByte(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
        }
        buf.writeShort(CRLF_SHORT);
    }

    /**
     * Write the CRLF that ends a chunk's data.
     *
     * @param buf to write to.
     */
    public static void crlf(final ByteBuf buf)
    {
        buf.writeShort(CRLF_SHORT);
    }
}
