package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.AsciiCodec;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.DirectBuffer;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker's duty cycle driven by hand over a real ring file (no doorbell: the listener side never sleeps here).
 * The delivery contract rests on one ordering: a request head is taken off the ring (the head position is past it)
 * before the handler starts on it, so after a crash the listener knows exactly which requests the worker may have
 * started.
 */
@Timeout(5)
class SharedMemoryWorkerTest
{
    private static final int CAPACITY = 64 * 1024;

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private UnsafeBuffer header;
    private ManyToOneRingBuffer listenerRequests;
    private ManyToOneRingBuffer listenerResponses;
    private final RecordingHandler handler = new RecordingHandler();
    private SharedMemoryWorker worker;
    private ManyToOneRingBuffer workerRequests;

    @BeforeEach
    void before() throws IOException
    {
        final Path dir = tempDir.resolve("queue-0");
        rings = ListenerRings.create(dir, CAPACITY);
        header = rings.header;
        listenerRequests = rings.requests;
        listenerResponses = rings.responses;
        workerRequests = rings.workerRequestRing();
        worker = new SharedMemoryWorker(
            handler, header, workerRequests, rings.workerResponseRing(), null);
        handler.ring = workerRequests;
    }

    @AfterEach
    void after()
    {
        rings.close();
    }

    @Test
    void shouldTakeRequestHeadOffTheRingBeforeTheHandlerStartsOnIt()
    {
        final long first = writeHead(1, "GET", 0);
        final long second = writeHead(2, "GET", 0);
        final long end = listenerRequests.producerPosition();

        assertEquals(2, worker.doWork());

        assertEquals(List.of("request 1", "request 2"), handler.events);
        assertEquals(List.of(second, end), handler.consumerPositionsAtStart);
        assertTrue(first < second);
        assertEquals(end, listenerRequests.consumerPosition());
    }

    @Test
    void shouldDeliverBodyAfterHeadWhenBothAreInOneBatch()
    {
        writeHead(7, "POST", 3);
        writeBody(7, "abc", true);

        assertEquals(2, worker.doWork());

        assertEquals(List.of("request 7", "body 7 abc last"), handler.events);
        assertEquals(1, readResponses());
    }

    @Test
    void shouldDeliverAnInlineBodyAsTheLastChunkRightAfterTheRequest()
    {
        rings.writeHeadWithInlineBody(8, "POST", "/", "inline body");
        writeHead(9, "POST", 3);
        writeBody(9, "abc", true);

        assertEquals(3, worker.doWork());

        assertEquals(List.of("request 8", "body 8 inline body last", "request 9", "body 9 abc last"), handler.events);
        assertEquals(2, readResponses());
    }

    @Test
    void shouldTellHandlerWhenListenerAbortsRequestWithoutBody()
    {
        writeHead(9, "GET", 0);
        handler.answer = false;
        assertEquals(1, worker.doWork());

        writeAbort(9);
        assertEquals(1, worker.doWork());

        assertEquals(List.of("request 9", "abort 9"), handler.events);
    }

    @Test
    void shouldNotTellHandlerOfAbortWhenResponseIsComplete()
    {
        writeHead(5, "GET", 0);
        assertEquals(1, worker.doWork());

        writeAbort(5);
        assertEquals(1, worker.doWork());

        assertEquals(List.of("request 5"), handler.events);
        assertEquals(1, readResponses());
    }

    @Test
    void shouldAnswer503WithoutHandlerWhenHeadIsTakenAfterQueueWait()
    {
        final SharedMemoryWorker waiting = queueWaitWorker(300);
        writeHead(21, "GET", 0, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(301));

        assertEquals(1, waiting.doWork());

        assertEquals(List.of(), handler.events);
        final List<String> responses = readResponseHeads();
        assertEquals(List.of("21 503 last text/plain service unavailable: queue wait\n"), responses);
    }

    @Test
    void shouldIgnoreBodyOfRequestTakenAfterQueueWait()
    {
        final SharedMemoryWorker waiting = queueWaitWorker(300);
        writeHead(22, "POST", 3, System.nanoTime() - TimeUnit.SECONDS.toNanos(5));
        writeBody(22, "abc", true);

        assertEquals(2, waiting.doWork());

        assertEquals(List.of(), handler.events);
        assertEquals(List.of("22 503 last text/plain service unavailable: queue wait\n"), readResponseHeads());
    }

    @Test
    void shouldCallHandlerWhenHeadIsTakenWithinQueueWait()
    {
        final SharedMemoryWorker waiting = queueWaitWorker(10_000);
        writeHead(23, "POST", 3, System.nanoTime());
        writeBody(23, "abc", true);

        assertEquals(2, waiting.doWork());

        assertEquals(List.of("request 23", "body 23 abc last"), handler.events);
        assertEquals(List.of("23 200 last text/plain ok"), readResponseHeads());
    }

    @Test
    void shouldIgnoreAdmissionTimeWhenQueueWaitIsOff()
    {
        writeHead(24, "GET", 0, System.nanoTime() - TimeUnit.HOURS.toNanos(1));

        assertEquals(1, worker.doWork());

        assertEquals(List.of("request 24"), handler.events);
        assertEquals(List.of("24 200 last text/plain ok"), readResponseHeads());
    }

    @Test
    void shouldWriteHeartbeatFromDutyCycle()
    {
        header.putLongVolatile(WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET, 0);
        final long beforeMs = System.currentTimeMillis();

        worker.doWork();

        assertTrue(header.getLongVolatile(WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET) >= beforeMs);
    }

    private SharedMemoryWorker queueWaitWorker(final long queueWaitMs)
    {
        return new SharedMemoryWorker(
            handler, header, workerRequests,
            rings.workerResponseRing(), null, queueWaitMs,
            MessageDescriptor.RESPONSE_WINDOW_DEFAULT);
    }

    private long writeHead(final long requestId, final String method, final long contentLength)
    {
        return writeHead(requestId, method, contentLength, System.nanoTime());
    }

    private long writeHead(final long requestId, final String method, final long contentLength, final long admittedAtNs)
    {
        return rings.writeHead(requestId, method, "/", contentLength, admittedAtNs);
    }

    private void writeBody(final long requestId, final String chunk, final boolean last)
    {
        rings.writeBody(requestId, chunk, last);
    }

    private void writeAbort(final long requestId)
    {
        rings.writeAbort(requestId);
    }

    /**
     * @return each response head as "id status [last] content-type body".
     */
    private List<String> readResponseHeads()
    {
        final List<String> heads = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        final HeaderCursor cursor = new HeaderCursor();
        listenerResponses.read(
            (msgTypeId, buffer, index, length) ->
            {
                if (msgTypeId != MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                {
                    heads.add("type " + msgTypeId);
                    return;
                }
                decoder.wrap(buffer, index);
                String contentType = null;
                cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());
                while (cursor.next())
                {
                    if (AsciiCodec.equalsIgnoreCase(buffer, cursor.nameOffset(), cursor.nameLength(), "content-type"))
                    {
                        contentType = AsciiCodec.get(buffer, cursor.valueOffset(), cursor.valueLength());
                    }
                }
                heads.add(decoder.requestId() + " " + decoder.status() +
                    ((decoder.flags() & MessageDescriptor.LAST_FLAG) != 0 ? " last " : " ") + contentType + " " +
                    AsciiCodec.get(buffer, cursor.end(), decoder.bodyLength()));
            },
            100);
        return heads;
    }

    private int readResponses()
    {
        return listenerResponses.read((msgTypeId, buffer, index, length) -> {}, 100);
    }

    /**
     * Records what it is told, and where the request ring's head was when each request reached it.
     */
    private static final class RecordingHandler implements Handler
    {
        final List<String> events = new ArrayList<>();
        final List<Long> consumerPositionsAtStart = new ArrayList<>();
        ManyToOneRingBuffer ring;
        boolean answer = true;

        public void onRequest(final Exchange exchange)
        {
            consumerPositionsAtStart.add(ring.consumerPosition());
            events.add("request " + ((SharedMemoryExchange)exchange).requestId());
            if (answer && !exchange.hasBody())
            {
                exchange.respond(200, "text/plain", new byte[]{ 'o', 'k' });
            }
        }

        public void onBody(
            final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
            events.add("body " + ((SharedMemoryExchange)exchange).requestId() + " " +
                buffer.getStringWithoutLengthAscii(offset, length) + (last ? " last" : ""));
            if (last)
            {
                exchange.respond(200, "text/plain", new byte[]{ 'o', 'k' });
            }
        }

        public void onAbort(final Exchange exchange)
        {
            events.add("abort " + ((SharedMemoryExchange)exchange).requestId());
        }
    }
}
