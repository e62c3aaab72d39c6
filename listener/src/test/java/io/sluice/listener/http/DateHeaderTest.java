package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class DateHeaderTest
{
    // Sun, 06 Nov 1994 08:49:37 GMT, the example of RFC 9110 5.6.7
    private static final long RFC_EXAMPLE_MS = 784_111_777_000L;

    @Test
    void shouldFormatImfFixdate()
    {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", DateHeader.imfFixdate(RFC_EXAMPLE_MS / 1000));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", DateHeader.imfFixdate(0));
        assertEquals("Fri, 04 Dec 2026 09:05:01 GMT", DateHeader.imfFixdate(1_796_375_101L));
        assertEquals("Wed, 31 Dec 1969 23:59:59 GMT", DateHeader.imfFixdate(-1));
    }

    @Test
    void shouldWriteTheHeaderLineOfTheClocksSecond()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(RFC_EXAMPLE_MS + 999);
        final DateHeader date = new DateHeader(clock);
        final ByteBuf buf = Unpooled.buffer();

        date.write(buf);

        assertEquals("date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", buf.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldFormatOncePerSecondAndReuseTheLineWithinIt()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(RFC_EXAMPLE_MS);
        final DateHeader date = new DateHeader(clock);

        final byte[] first = date.line();
        clock.advance(999);
        assertSame(first, date.line());

        clock.advance(1);
        final byte[] next = date.line();
        assertNotSame(first, next);
        assertEquals("date: Sun, 06 Nov 1994 08:49:38 GMT\r\n", new String(next, StandardCharsets.US_ASCII));
        assertSame(next, date.line());
    }
}
