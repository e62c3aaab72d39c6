package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.CreditQueueWriter;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Response flow control in the worker SDK, its duty cycle driven by hand over a real ring file: an exchange sends at
 * most its window of response body before the listener's {@code RESPONSE_CREDIT}, keeps the rest, sends it as credit
 * arrives, and tells a handler that was told to wait when it may go on.
 */
@Timeout(5)
class SharedMemoryWorkerCreditTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WINDOW = 8 * 1024;
    private static final int CHUNK = 4 * 1024;

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private ManyToOneRingBuffer listenerRequests;
    private ManyToOneRingBuffer listenerResponses;
    private SharedMemoryWorker worker;
    private final List<String> events = new ArrayList<>();
    private final List<Boolean> sendResults = new ArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private boolean bodyLast;
    private SharedMemoryExchange exchange;
    private Handler handler;

    @BeforeEach
    void before() throws IOException
    {
        final Path dir = tempDir.resolve("queue-0");
        rings = ListenerRings.create(dir, CAPACITY);
        listenerRequests = rings.requests;
        listenerResponses = rings.responses;
        worker = new SharedMemoryWorker(
            (final Exchange exchange) -> handler.onRequest(exchange), rings.header,
            rings.workerRequestRing(), rings.workerResponseRing(), null, 0, WINDOW);
    }

    @AfterEach
    void after()
    {
        rings.close();
    }

    @Test
    void shouldSendNoMoreThanWindowBeforeCreditAndTheRestAsCreditArrives()
    {
        final byte[] payload = pattern(20_000);
        handler = (exchange) ->
        {
            this.exchange = (SharedMemoryExchange)exchange;
            exchange.sendHead(200, "application/octet-stream", payload.length);
            sendResults.add(exchange.sendBody(new UnsafeBuffer(payload), 0, payload.length, true));
        };
        writeHead(1);

        worker.doWork();

        assertEquals(List.of(false), sendResults);
        assertEquals(List.of("head 1 200"), readResponses());
        assertEquals(WINDOW, body.size());
        assertFalse(bodyLast);
        assertEquals(payload.length - WINDOW, exchange.backlogLength());
        assertFalse(exchange.isWritable());

        writeCredit(1, 4096);
        worker.doWork();
        readResponses();
        assertEquals(WINDOW + 4096, body.size());
        assertFalse(bodyLast);

        writeCredit(1, 1_000_000);
        worker.doWork();
        readResponses();
        assertTrue(bodyLast);
        assertArrayEquals(payload, body.toByteArray());
        assertEquals(0, exchange.backlogLength());
        assertTrue(exchange.isResponseComplete());
        assertEquals(1, worker.backlogPool().pooled(), "the backlog's buffer is kept for the next response");
    }

    @Test
    void shouldTakeAGrantFromTheCreditQueueAheadOfTheBodyChunksQueuedBeforeIt()
    {
        final CreditQueueWriter creditQueue = new CreditQueueWriter(rings.header);
        creditQueue.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        echoGrantingAfterFirstChunk(() -> assertTrue(creditQueue.offer(3, CHUNK)));

        worker.doWork();
        readResponses();

        assertEquals(List.of(false, true), sendResults, "the second chunk went out at once: its credit came first");
        assertTrue(bodyLast);
        assertEquals(2 * CHUNK, body.size());
        assertEquals(0, worker.backlogPool().pooled(), "nothing was held back: no backlog buffer was taken");
    }

    @Test
    void shouldTakeAGrantFromTheCreditQueueInItsLastLookBeforeSleeping()
    {
        final CreditQueueWriter creditQueue = new CreditQueueWriter(rings.header);
        creditQueue.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final byte[] payload = pattern(WINDOW + CHUNK);
        handler = (exchange) ->
        {
            exchange.sendHead(200, "application/octet-stream", payload.length);
            sendResults.add(exchange.sendBody(new UnsafeBuffer(payload), 0, payload.length, true));
        };
        writeHead(1);
        worker.doWork();
        readResponses();
        assertEquals(WINDOW, body.size(), "the window sent, the rest held for credit");

        // the grant lands as the worker runs out of work: nothing in the request ring, one entry in the queue
        assertTrue(creditQueue.offer(1, CHUNK));
        // no doorbell in this test: a worker that blocked on it instead of taking the grant would throw
        worker.sleep();
        readResponses();

        assertTrue(bodyLast, "the grant counted as work found in the last look: the response went out");
        assertArrayEquals(payload, body.toByteArray());
        assertEquals(
            WorkerFileDescriptor.AWAKE, rings.header.getIntVolatile(WorkerFileDescriptor.WORKER_SLEEPING_OFFSET));
    }

    @Test
    void shouldHoldBackAChunkWhoseGrantIsQueuedBehindItInTheRequestRing()
    {
        echoGrantingAfterFirstChunk(() -> writeCredit(3, CHUNK));

        worker.doWork();
        readResponses();
        worker.doWork();
        readResponses();

        assertEquals(List.of(false, false), sendResults);
        assertTrue(bodyLast);
        assertEquals(2 * CHUNK, body.size());
        assertEquals(1, worker.backlogPool().pooled(), "the second chunk waited in a backlog for its credit");
    }

    /**
     * A POST of two window-long chunks (the window is one chunk), both in the ring before the worker looks, echoed
     * chunk by chunk; the listener's grant for the first chunk's bytes is written while the handler answers it (as a
     * listener on another CPU does).
     */
    private void echoGrantingAfterFirstChunk(final Runnable grant)
    {
        handler = new Handler()
        {
            public void onRequest(final Exchange exchange)
            {
                exchange.sendHead(200, null, 2 * CHUNK);
            }

            public void onBody(
                final Exchange exchange, final DirectBuffer buffer, final int offset, final int length,
                final boolean last)
            {
                sendResults.add(exchange.sendBody(buffer, offset, length, last));
                if (!last)
                {
                    grant.run();
                }
            }
        };
        worker = new SharedMemoryWorker(
            handler, rings.header, rings.workerRequestRing(), rings.workerResponseRing(), null, 0, CHUNK);
        rings.writeHead(3, "POST", "/echo", 2 * CHUNK, System.nanoTime());
        rings.writeBody(3, "a".repeat(CHUNK), false);
        rings.writeBody(3, "b".repeat(CHUNK), true);
    }

    @Test
    void shouldTellHandlerOnceWhenCreditMakesRoomAfterSendBodyReturnedFalse()
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[CHUNK]);
        handler = new Handler()
        {
            public void onRequest(final Exchange exchange)
            {
                SharedMemoryWorkerCreditTest.this.exchange = (SharedMemoryExchange)exchange;
                exchange.sendHead(200, null, Exchange.UNKNOWN_LENGTH);
                streamUntilFull(exchange);
            }

            public void onWritable(final Exchange exchange)
            {
                events.add("writable");
                streamUntilFull(exchange);
            }

            private void streamUntilFull(final Exchange exchange)
            {
                boolean more = true;
                while (more)
                {
                    more = exchange.sendBody(chunk, 0, CHUNK, false);
                    sendResults.add(more);
                }
            }
        };
        worker = new SharedMemoryWorker(
            handler, rings.header, rings.workerRequestRing(), rings.workerResponseRing(), null, 0, WINDOW);
        writeHead(2);

        worker.doWork();
        readResponses();

        assertEquals(List.of(true, false), sendResults);
        assertEquals(WINDOW, body.size());
        assertEquals(List.of(), events);

        writeCredit(2, CHUNK / 2);
        worker.doWork();
        readResponses();
        assertEquals(List.of("writable"), events);
        assertEquals(List.of(true, false, false), sendResults, "half a chunk sent, the other half kept");
        assertEquals(WINDOW + CHUNK / 2, body.size());

        writeCredit(2, CHUNK / 2);
        worker.doWork();
        readResponses();
        assertEquals(List.of("writable"), events, "the kept half took the credit: no room, no call");
        assertEquals(WINDOW + CHUNK, body.size());

        writeCredit(2, CHUNK);
        worker.doWork();
        readResponses();
        assertEquals(List.of("writable", "writable"), events);
        assertEquals(List.of(true, false, false, false), sendResults);
        assertEquals(WINDOW + 2 * CHUNK, body.size());
    }

    @Test
    void shouldIgnoreCreditForRequestItDoesNotKnow()
    {
        writeCredit(99, 4096);

        assertEquals(1, worker.doWork());

        assertEquals(List.of(), readResponses());
    }

    @Test
    void shouldDropBacklogAndSendNothingMoreWhenAborted()
    {
        final byte[] payload = pattern(3 * WINDOW);
        handler = (exchange) ->
        {
            this.exchange = (SharedMemoryExchange)exchange;
            exchange.sendHead(200, null, payload.length);
            sendResults.add(exchange.sendBody(new UnsafeBuffer(payload), 0, payload.length, true));
        };
        writeHead(3);
        worker.doWork();
        readResponses();
        assertEquals(WINDOW, body.size());

        writeAbort(3);
        writeCredit(3, 2 * WINDOW);
        worker.doWork();
        readResponses();

        assertEquals(WINDOW, body.size());
        assertEquals(0, exchange.backlogLength());
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        return bytes;
    }

    private void writeHead(final long requestId)
    {
        rings.writeHead(requestId, "GET", "/", 0, System.nanoTime());
    }

    private void writeCredit(final long requestId, final int grant)
    {
        rings.writeCredit(requestId, grant);
    }

    private void writeAbort(final long requestId)
    {
        rings.writeAbort(requestId);
    }

    /**
     * Drain the response ring: body chunks are appended to {@link #body}; heads are listed.
     */
    private List<String> readResponses()
    {
        final List<String> heads = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        listenerResponses.read(
            (msgTypeId, buffer, index, length) ->
            {
                if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                {
                    decoder.wrap(buffer, index);
                    heads.add("head " + decoder.requestId() + " " + decoder.status());
                }
                else if (msgTypeId == MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID)
                {
                    final int chunkLength = BodyChunkFlyweight.chunkLength(buffer, index);
                    final byte[] bytes = new byte[chunkLength];
                    buffer.getBytes(BodyChunkFlyweight.dataOffset(index), bytes);
                    body.writeBytes(bytes);
                    bodyLast = (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0;
                }
            },
            1000);
        return heads;
    }
}
