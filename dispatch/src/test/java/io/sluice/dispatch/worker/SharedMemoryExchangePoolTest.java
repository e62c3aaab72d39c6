package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker reuses an exchange whose response is complete for a later request, which then reads as new; an aborted
 * exchange, which the handler may still hold, is never reused.
 */
@Timeout(5)
class SharedMemoryExchangePoolTest
{
    private static final int CAPACITY = 256 * 1024;
    private static final DirectBuffer BODY = new UnsafeBuffer("ok".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private SharedMemoryWorker worker;
    private final List<Exchange> seen = new ArrayList<>();
    private final List<String> targets = new ArrayList<>();
    private final List<Object> attachments = new ArrayList<>();
    private final List<Boolean> writable = new ArrayList<>();
    private boolean answer = true;

    @BeforeEach
    void before() throws IOException
    {
        rings = ListenerRings.create(tempDir.resolve("queue-0"), CAPACITY);
        worker = new SharedMemoryWorker(
            exchange ->
            {
                seen.add(exchange);
                targets.add(exchange.target());
                attachments.add(exchange.attachment());
                writable.add(exchange.isWritable());
                exchange.attachment("held");
                if (answer)
                {
                    exchange.responseHeader("x-request", exchange.target());
                    exchange.respond(200, "text/plain", BODY, 0, BODY.capacity());
                }
            },
            rings.header, rings.workerRequestRing(), rings.workerResponseRing(), null);
    }

    @AfterEach
    void after()
    {
        rings.close();
    }

    @Test
    void shouldReuseACompletedExchangeAsANewOne()
    {
        rings.writeHead(1, "GET", "/first/with/a/longer/target", -1, System.nanoTime());
        worker.doWork();
        rings.writeHead(2, "POST", "/second", 3, System.nanoTime());
        worker.doWork();

        assertSame(seen.get(0), seen.get(1));
        assertEquals(List.of("/first/with/a/longer/target", "/second"), targets);
        assertNull(attachments.get(1));
        assertTrue(writable.get(1));
        assertEquals("POST", seen.get(1).method());
        assertEquals(3, seen.get(1).contentLength());
        assertEquals(List.of("x-request: /first/with/a/longer/target", "x-request: /second"), responseHeaders());
    }

    @Test
    void shouldReadHeadsLongerThanTheCopyItHeldAndShorterOnesAfterThem()
    {
        final String longTarget = "/" + "a".repeat(2 * RingRequestHead.INITIAL_CAPACITY);
        final String longerThanKept = "/" + "b".repeat(RingRequestHead.MAX_RETAINED_CAPACITY);
        rings.writeHead(1, "GET", "/short", -1, System.nanoTime());
        worker.doWork();
        rings.writeHead(2, "GET", longTarget, -1, System.nanoTime());
        worker.doWork();
        rings.writeHead(3, "GET", "/s", -1, System.nanoTime());
        worker.doWork();
        rings.writeHead(4, "GET", longerThanKept, -1, System.nanoTime());
        worker.doWork();
        rings.writeHead(5, "GET", "/t", -1, System.nanoTime());
        worker.doWork();

        assertSame(seen.get(0), seen.get(4));
        assertEquals(List.of("/short", longTarget, "/s", longerThanKept, "/t"), targets);
    }

    @Test
    void shouldNotReuseAnAbortedExchange()
    {
        answer = false;
        rings.writeHead(1, "GET", "/held", -1, System.nanoTime());
        worker.doWork();
        rings.writeAbort(1);
        worker.doWork();
        answer = true;
        rings.writeHead(2, "GET", "/next", -1, System.nanoTime());
        worker.doWork();

        assertNotSame(seen.get(0), seen.get(1));
        assertEquals("/held", seen.get(0).target());
        assertEquals("held", seen.get(0).attachment());
    }

    private List<String> responseHeaders()
    {
        final List<String> headers = new ArrayList<>();
        rings.responses.read((msgTypeId, buffer, index, length) ->
        {
            final ResponseHeadDecoder decoder = new ResponseHeadDecoder().wrap(buffer, index);
            final HeaderCursor cursor =
                new HeaderCursor().reset(buffer, decoder.headersOffset(), decoder.headerCount());
            while (cursor.next())
            {
                final String name = buffer.getStringWithoutLengthAscii(cursor.nameOffset(), cursor.nameLength());
                if (!"content-type".equals(name))
                {
                    headers.add(name + ": " +
                        buffer.getStringWithoutLengthAscii(cursor.valueOffset(), cursor.valueLength()));
                }
            }
        });
        return headers;
    }
}
