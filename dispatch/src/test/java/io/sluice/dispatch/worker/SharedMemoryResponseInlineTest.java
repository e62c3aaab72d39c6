package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
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

/**
 * A streamed response whose whole body comes in its first {@link Exchange#sendBody} goes as one complete
 * {@code RESPONSE_HEAD} with the body inline: the worker SDK holds a head with a known, small content length until
 * the body comes. A body in pieces, a body too long for one message, an unknown length and the answer to a HEAD
 * request go as a head and chunks, as before; a handler that fails while its head is held gets that head sent and
 * the body abandoned, as when the head went at once.
 */
@Timeout(5)
class SharedMemoryResponseInlineTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final UnsafeBuffer BODY = new UnsafeBuffer("0123456789".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private ManyToOneRingBuffer listenerResponses;
    private SharedMemoryWorker worker;
    private Handler handler;

    @BeforeEach
    void before() throws IOException
    {
        rings = ListenerRings.create(tempDir.resolve("queue-0"), CAPACITY);
        listenerResponses = rings.responses;
        worker = new SharedMemoryWorker(
            (final Exchange exchange) -> handler.onRequest(exchange), rings.header,
            rings.workerRequestRing(), rings.workerResponseRing(), null);
    }

    @AfterEach
    void after()
    {
        rings.close();
    }

    @Test
    void shouldSendHeadAndWholeBodyAsOneCompleteMessage()
    {
        handler = (exchange) ->
        {
            exchange.sendHead(200, "text/plain", BODY.capacity());
            exchange.sendBody(BODY, 0, BODY.capacity(), true);
        };

        assertEquals(List.of("head 200 length 10 last inline 0123456789"), serve("GET"));
    }

    @Test
    void shouldSendHeadThenChunksWhenTheBodyComesInPieces()
    {
        handler = (exchange) ->
        {
            exchange.sendHead(200, "text/plain", BODY.capacity());
            exchange.sendBody(BODY, 0, 4, false);
            exchange.sendBody(BODY, 4, 6, true);
        };

        assertEquals(List.of("head 200 length 10 inline ", "body 0123", "body last 456789"), serve("GET"));
    }

    @Test
    void shouldSendHeadAtOnceForAnUnknownLengthOrAHeadRequest()
    {
        handler = (exchange) ->
        {
            exchange.sendHead(200, "text/plain", Exchange.UNKNOWN_LENGTH);
            exchange.sendBody(BODY, 0, BODY.capacity(), true);
        };
        assertEquals(List.of("head 200 length -1 inline ", "body last 0123456789"), serve("GET"));

        handler = (exchange) -> exchange.sendHead(200, "text/plain", 1000);
        assertEquals(List.of("head 200 length 1000 inline "), serve("HEAD"));
    }

    @Test
    void shouldSendHeadThenChunksWhenTheBodyDoesNotFitInOneMessage()
    {
        final int length = CAPACITY / 8;
        final UnsafeBuffer big = new UnsafeBuffer(new byte[length]);
        handler = (exchange) ->
        {
            exchange.sendHead(200, null, length);
            exchange.sendBody(big, 0, length, true);
        };

        final List<String> messages = serve("GET");

        assertEquals("head 200 length " + length + " inline ", messages.get(0));
        assertEquals(3, messages.size(), messages.toString());
    }

    @Test
    void shouldSendTheHeldHeadThenAbandonTheBodyWhenTheHandlerFails()
    {
        handler = (exchange) ->
        {
            exchange.sendHead(200, "text/plain", BODY.capacity());
            throw new IllegalStateException("handler failed on purpose");
        };

        // as when the head went at once: the client sees the head and a body cut off
        assertEquals(List.of("head 200 length 10 inline ", "body last abandoned "), serve("GET"));
    }

    private List<String> serve(final String method)
    {
        rings.writeHead(1, method, "/", 0, System.nanoTime());
        worker.doWork();
        final List<String> messages = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        final HeaderCursor cursor = new HeaderCursor();
        while (listenerResponses.consumerPosition() < listenerResponses.producerPosition())
        {
            listenerResponses.read(
                (msgTypeId, buffer, index, length) ->
                {
                    if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                    {
                        decoder.wrap(buffer, index);
                        final int bodyOffset =
                            cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount()).skipAll();
                        messages.add("head " + decoder.status() + " length " + decoder.contentLength() +
                            ((decoder.flags() & MessageDescriptor.LAST_FLAG) != 0 ? " last" : "") + " inline " +
                            buffer.getStringWithoutLengthAscii(bodyOffset, decoder.bodyLength()));
                    }
                    else
                    {
                        final boolean last =
                            (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0;
                        final boolean abandoned =
                            (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.ABORT_FLAG) != 0;
                        messages.add("body " + (last ? "last " : "") + (abandoned ? "abandoned " : "") +
                            buffer.getStringWithoutLengthAscii(
                            BodyChunkFlyweight.dataOffset(index), BodyChunkFlyweight.chunkLength(buffer, index)));
                    }
                });
        }
        return messages;
    }
}
