package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Writes HTTP/1.1 response heads as bytes, without intermediate objects: the status line from a table built once,
 * header lines from text or straight from ring bytes.
 */
public final class ResponseHeads
{
    private static final byte[][] STATUS_LINES = new byte[600][];
    private static final byte[] COLON_SPACE = { ':', ' ' };
    private static final byte[] CRLF = { '\r', '\n' };

    static
    {
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
        buf.writeBytes(COLON_SPACE);
        buf.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        buf.writeBytes(CRLF);
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
        buf.writeBytes(COLON_SPACE);
        writeDecimal(buf, value);
        buf.writeBytes(CRLF);
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
        final int writerIndex = buf.writerIndex();
        src.getBytes(nameOffset, buf.nioBuffer(writerIndex, nameLength), nameLength);
        buf.writerIndex(writerIndex + nameLength);
        buf.writeBytes(COLON_SPACE);
        final int valueIndex = buf.writerIndex();
        src.getBytes(valueOffset, buf.nioBuffer(valueIndex, valueLength), valueLength);
        buf.writerIndex(valueIndex + valueLength);
        buf.writeBytes(CRLF);
    }

    /**
     * End the head.
     *
     * @param buf to write to.
     */
    public static void end(final ByteBuf buf)
    {
        buf.writeBytes(CRLF);
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
        buf.writeBytes(CRLF);
    }

    /**
     * Write the CRLF that ends a chunk's data.
     *
     * @param buf to write to.
     */
    public static void crlf(final ByteBuf buf)
    {
        buf.writeBytes(CRLF);
    }
}
