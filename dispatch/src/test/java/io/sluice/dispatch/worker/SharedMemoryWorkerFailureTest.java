package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A shared-memory worker whose handler throws, its duty cycle driven by hand over a real ring file: the request is
 * answered 500 (or its response is abandoned with an {@link MessageDescriptor#ABORT_FLAG} record once its head was
 * sent), and the duty cycle goes on serving.
 */
@Timeout(5)
class SharedMemoryWorkerFailureTest
{
    private static final int CAPACITY = 64 * 1024;

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private ManyToOneRingBuffer listenerResponses;
    private SharedMemoryWorker worker;
    private final List<String> aborts = new ArrayList<>();

    @BeforeEach
    void before() throws IOException
    {
        rings = ListenerRings.create(tempDir.resolve("queue-0"), CAPACITY);
        listenerResponses = rings.responses;
        final Handler handler = new Handler()
        {
            public void onRequest(final Exchange exchange)
            {
                exchange.responseHeader("x-handler", "failing");
                switch (exchange.path())
                {
                    case "/throw" -> throw new IllegalStateException("thrown in onRequest");
                    case "/throw-after-head" ->
                    {
                        exchange.sendHead(200, "text/plain", Exchange.UNKNOWN_LENGTH);
                        exchange.sendBody(new UnsafeBuffer(new byte[] { 'p', 'a' }), 0, 2, false);
                        throw new IllegalStateException("thrown after the head");
                    }
                    default -> exchange.respond(200, "text/plain", new byte[] { 'o', 'k' });
                }
            }

            public void onAbort(final Exchange exchange)
            {
                aborts.add(exchange.path());
            }
        };
        worker = new SharedMemoryWorker(
            handler, rings.header, rings.workerRequestRing(), rings.workerResponseRing(), null);
    }

    @AfterEach
    void after()
    {
        rings.close();
    }

    @Test
    void shouldAnswer500WithoutTheHandlersHeadersAndServeTheNextRequest()
    {
        rings.writeHead(1, "GET", "/throw", 0, System.nanoTime());
        rings.writeHead(2, "GET", "/next", 0, System.nanoTime());

        assertEquals(2, worker.doWork());

        assertEquals(
            List.of("head 1 500 last headers 1 internal server error\n", "head 2 200 last headers 2 ok"),
            responses());
        assertEquals(1, worker.handlerFailureCount());
    }

    @Test
    void shouldAbandonAResponseBegunWhenTheHandlerThrowsAfterTheHead()
    {
        rings.writeHead(3, "GET", "/throw-after-head", 0, System.nanoTime());
        assertEquals(1, worker.doWork());
        rings.writeAbort(3);
        rings.writeHead(4, "GET", "/next", 0, System.nanoTime());

        assertEquals(2, worker.doWork());

        assertEquals(
            List.of(
                "head 3 200 more headers 2 ",
                "body 3 flags 0 pa",
                "body 3 flags " + (MessageDescriptor.LAST_FLAG | MessageDescriptor.ABORT_FLAG) + " ",
                "head 4 200 last headers 2 ok"),
            responses());
        assertEquals(List.of(), aborts, "no onAbort for a request whose handler failed");
    }

    private List<String> responses()
    {
        final List<String> records = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        listenerResponses.read(
            (msgTypeId, buffer, index, length) ->
            {
                if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                {
                    decoder.wrap(buffer, index);
                    final int bodyOffset = index + length - decoder.bodyLength();
                    records.add("head " + decoder.requestId() + " " + decoder.status() +
                        ((decoder.flags() & MessageDescriptor.LAST_FLAG) != 0 ? " last" : " more") +
                        " headers " + decoder.headerCount() + " " +
                        buffer.getStringWithoutLengthAscii(bodyOffset, decoder.bodyLength()));
                }
                else
                {
                    records.add("body " + BodyChunkFlyweight.requestId(buffer, index) + " flags " +
                        BodyChunkFlyweight.flags(buffer, index) + " " + buffer.getStringWithoutLengthAscii(
                        BodyChunkFlyweight.dataOffset(index), BodyChunkFlyweight.chunkLength(buffer, index)));
                }
            },
            100);
        return records;
    }
}
