package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The {@code Date} header line every response carries (RFC 9110 6.6.1), in IMF-fixdate form
 * ({@code date: Sun, 06 Nov 1994 08:49:37 GMT}), formatted once per second of the clock and shared by every event
 * loop: writing it is one clock read and one copy of a cached line, with no formatting or allocation per response.
 * <p>
 * Thread-safety: any thread may write; a new second's line is published through a volatile field, and two threads
 * formatting the same second at once do no harm.
 */
public final class DateHeader
{
    /**
     * The listener's instance, on the system clock.
     */
    public static final DateHeader SYSTEM = new DateHeader(SystemEpochClock.INSTANCE);

    private static final long MILLIS_PER_SECOND = 1000;
    private static final String[] DAYS = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    private static final String[] MONTHS =
        { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

    private final EpochClock clock;
    private volatile Line current;

    /**
     * @param clock wall clock in milliseconds since the epoch; a test passes one it advances.
     */
    public DateHeader(final EpochClock clock)
    {
        this.clock = clock;
        this.current = new Line(Long.MIN_VALUE, null);
    }

    /**
     * Write the {@code date} header line, with its CRLF, for the current second.
     *
     * @param buf to write to.
     */
    public void write(final ByteBuf buf)
    {
        buf.writeBytes(line());
    }

    /**
     * @return the header line for the current second, CRLF included; shared, must not be changed.
     */
    byte[] line()
    {
        final long epochSecond = Math.floorDiv(clock.time(), MILLIS_PER_SECOND);
        Line line = current;
        if (line.epochSecond != epochSecond)
        {
            line = new Line(epochSecond, format(epochSecond));
            current = line;
        }
        return line.bytes;
    }

    /**
     * @param epochSecond seconds since the epoch.
     * @return the IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}.
     */
    static String imfFixdate(final long epochSecond)
    {
        final LocalDateTime time = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        final StringBuilder text = new StringBuilder(29);
        text.append(DAYS[time.getDayOfWeek().getValue() - 1]).append(", ");
        twoDigits(text, time.getDayOfMonth()).append(' ');
        text.append(MONTHS[time.getMonthValue() - 1]).append(' ');
        text.append(time.getYear()).append(' ');
        twoDigits(text, time.getHour()).append(':');
        twoDigits(text, time.getMinute()).append(':');
        twoDigits(text, time.getSecond()).append(" GMT");
        return text.toString();
    }

    private static byte[] format(final long epochSecond)
    {
        return ("date: " + imfFixdate(epochSecond) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static StringBuilder twoDigits(final StringBuilder text, final int value)
    {
        return text.append((char)('0' + value / 10)).append((char)('0' + value % 10));
    }

    private record Line(long epochSecond, byte[] bytes)
    {
    }
}
