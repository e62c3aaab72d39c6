package io.sluice.listener.log;

import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The W3C extended log file format as IIS and HTTP.sys write it: directives, then one line per record, fields
 * separated by one space, in UTC. A value's spaces are written as {@code +}, an empty or missing value as {@code -};
 * control bytes, {@code %} and bytes past ASCII as {@code %XX}, so that every line is one line of printable ASCII.
 * Used by the writer thread only.
 */
final class W3cFormat
{
    /**
     * The fields of an access log line.
     */
    static final String ACCESS_FIELDS = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip " +
        "cs(User-Agent) cs(Referer) sc-status sc-bytes cs-bytes time-taken s-queue s-hosting cs-version";

    /**
     * The fields of an error log line, those of HTTP.sys's {@code httperr} log.
     */
    static final String ERROR_FIELDS =
        "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-reason s-queuename";

    /**
     * The software named in the {@code #Software} directive.
     */
    static final String SOFTWARE = "Sluice";

    private static final byte SPACE = ' ';
    private static final byte DASH = '-';
    private static final byte PLUS = '+';
    private static final byte PERCENT = '%';
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final int DATE_TIME_LENGTH = 19;
    private static final DateTimeFormatter DIRECTIVE_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final byte[] dateTime = new byte[DATE_TIME_LENGTH];
    private long dateTimeSecond = Long.MIN_VALUE;

    /**
     * @param fields  the {@code #Fields} line's fields.
     * @param nowMs   the wall clock now.
     * @return the directives that start a file: {@code #Software}, {@code #Version}, {@code #Date}, {@code #Fields}.
     */
    static byte[] directives(final String fields, final long nowMs)
    {
        final LocalDateTime now = LocalDateTime.ofEpochSecond(Math.floorDiv(nowMs, 1000L), 0, ZoneOffset.UTC);
        final String text = "#Software: " + SOFTWARE + "\n" +
            "#Version: 1.0\n" +
            "#Date: " + DIRECTIVE_DATE.format(now) + "\n" +
            "#Fields: " + fields + "\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Write the date and time of a record: {@code yyyy-mm-dd hh:mm:ss}, UTC.
     *
     * @param out    the line.
     * @param timeMs the record's wall-clock time.
     */
    void dateTime(final ByteBuffer out, final long timeMs)
    {
        final long second = Math.floorDiv(timeMs, 1000L);
        if (second != dateTimeSecond)
        {
            dateTimeSecond = second;
            final LocalDateTime time = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            put4(dateTime, 0, time.getYear());
            dateTime[4] = '-';
            put2(dateTime, 5, time.getMonthValue());
            dateTime[7] = '-';
            put2(dateTime, 8, time.getDayOfMonth());
            dateTime[10] = ' ';
            put2(dateTime, 11, time.getHour());
            dateTime[13] = ':';
            put2(dateTime, 14, time.getMinute());
            dateTime[16] = ':';
            put2(dateTime, 17, time.getSecond());
        }
        out.put(dateTime);
    }

    /**
     * Write a separator then a text field of a record, escaped.
     *
     * @param out    the line.
     * @param src    the record.
     * @param offset the text's bytes.
     * @param length how many; 0 is written {@code -}.
     */
    static void field(final ByteBuffer out, final DirectBuffer src, final int offset, final int length)
    {
        out.put(SPACE);
        if (0 == length)
        {
            out.put(DASH);
            return;
        }
        for (int i = 0; i < length; i++)
        {
            escaped(out, src.getByte(offset + i));
        }
    }

    /**
     * Write a separator then a number.
     *
     * @param out   the line.
     * @param value the number.
     */
    static void number(final ByteBuffer out, final long value)
    {
        out.put(SPACE);
        if (value < 0)
        {
            out.put(DASH);
            return;
        }
        if (value < 10)
        {
            out.put((byte)('0' + value));
            return;
        }
        final int start = out.position();
        long rest = value;
        while (rest > 0)
        {
            out.put((byte)('0' + rest % 10));
            rest /= 10;
        }
        for (int i = start, j = out.position() - 1; i < j; i++, j--)
        {
            final byte b = out.get(i);
            out.put(i, out.get(j));
            out.put(j, b);
        }
    }

    /**
     * Write a separator then a constant word, e.g. a reason or a hosting model.
     *
     * @param out  the line.
     * @param word the word, printable ASCII; null is written {@code -}.
     */
    static void word(final ByteBuffer out, final byte[] word)
    {
        out.put(SPACE);
        if (null == word)
        {
            out.put(DASH);
        }
        else
        {
            out.put(word);
        }
    }

    /**
     * The longest line a record with texts of this total length can make: each byte may take three.
     *
     * @param textLength the record's text bytes.
     * @return the bound in bytes.
     */
    static int maxLineLength(final int textLength)
    {
        return 256 + 3 * textLength;
    }

    private static void escaped(final ByteBuffer out, final byte b)
    {
        if (SPACE == b)
        {
            out.put(PLUS);
        }
        else if (b <= SPACE || b >= 0x7f)
        {
            out.put(PERCENT);
            out.put(HEX[(b >> 4) & 0xf]);
            out.put(HEX[b & 0xf]);
        }
        else
        {
            out.put(b);
        }
    }

    private static void put2(final byte[] dst, final int offset, final int value)
    {
        dst[offset] = (byte)('0' + value / 10);
        dst[offset + 1] = (byte)('0' + value % 10);
    }

    private static void put4(final byte[] dst, final int offset, final int value)
    {
        put2(dst, offset, value / 100);
        put2(dst, offset + 2, value % 100);
    }
}
