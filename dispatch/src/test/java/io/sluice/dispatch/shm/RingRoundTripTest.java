package io.sluice.dispatch.shm;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hand-off as a round trip between two threads over two mappings of one file: the test thread plays the listener
 * (encodes request heads into the request ring, drains the response ring), a worker thread decodes each head and
 * answers with a response head carrying an echo of the request; every answer must match its request by id.
 */
@Timeout(10)
class RingRoundTripTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int REQUESTS = 100_000;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(8);

    @TempDir
    Path tempDir;

    private MappedWorkerFile listener;
    private MappedWorkerFile worker;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> workerError = new AtomicReference<>();
    private Thread workerThread;

    @BeforeEach
    void before() throws IOException
    {
        listener = MappedWorkerFile.create(tempDir, CAPACITY, CAPACITY);
        worker = MappedWorkerFile.attach(listener.file);
    }

    @AfterEach
    void after() throws InterruptedException
    {
        stop.set(true);
        if (null != workerThread)
        {
            workerThread.join(TimeUnit.SECONDS.toMillis(5));
            assertFalse(workerThread.isAlive(), "worker thread did not stop");
        }
        worker.close();
        listener.close();
    }

    @Test
    void shouldMatchEveryResponseToItsRequestWhenWorkerAnswersOnAnotherThread()
    {
        roundTrip(1);
    }

    @Test
    void shouldMatchEveryResponseToItsRequestWhenTwoProducersShareRequestRing()
    {
        roundTrip(2);
    }

    private void roundTrip(final int producers)
    {
        workerThread = new Thread(new EchoWorker(worker.requestRing, worker.responseRing), "echo-worker");
        workerThread.start();
        final Thread[] otherProducers = new Thread[producers - 1];
        for (int p = 1; p < producers; p++)
        {
            final RequestProducer producer = new RequestProducer(listener.requestRing, p, producers);
            otherProducers[p - 1] = new Thread(() ->
            {
                try
                {
                    int idle = 0;
                    while (producer.hasMore() && !stop.get())
                    {
                        if (producer.offerNext())
                        {
                            idle = 0;
                        }
                        else
                        {
                            idle(++idle);
                        }
                    }
                }
                catch (final Throwable t)
                {
                    workerError.compareAndSet(null, t);
                }
            }, "producer-" + p);
            otherProducers[p - 1].start();
        }

        final RequestProducer producer = new RequestProducer(listener.requestRing, 0, producers);
        final ManyToOneRingBuffer responseRing = listener.responseRing;
        final ResponseChecker checker = new ResponseChecker();
        final long deadline = System.nanoTime() + DEADLINE_NS;
        int idle = 0;
        try
        {
            while (checker.received < REQUESTS)
            {
                boolean progress = producer.hasMore() && producer.offerNext();
                if (responseRing.controlledRead(checker, 64) > 0)
                {
                    progress = true;
                }
                if (progress)
                {
                    idle = 0;
                }
                else
                {
                    idle(++idle);
                    if (null != workerError.get() || System.nanoTime() > deadline)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            stop.set(true);
            for (final Thread thread : otherProducers)
            {
                joinQuietly(thread);
            }
        }

        assertNull(workerError.get());
        assertEquals(REQUESTS, checker.received);
        for (int seq = 0; seq < REQUESTS; seq++)
        {
            assertTrue(checker.answered[seq], "no answer for request " + seq);
        }
        assertEquals(0, responseRing.controlledRead(checker));
        assertEquals(listener.requestRing.producerPosition(), worker.requestRing.consumerPosition());
    }

    private static void joinQuietly(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static long requestId(final int seq)
    {
        return ((long)(seq % 3 + 1) << 32) | seq;
    }

    private static String target(final int seq)
    {
        return "/r/" + seq;
    }

    private static int status(final long requestId)
    {
        return 200 + (int)(requestId % 100);
    }

    private static void idle(final int count)
    {
        // back off to parking so that three busy threads cannot starve each other on a 2-core machine
        if (count < 100)
        {
            Thread.onSpinWait();
        }
        else if (count < 200)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * Encodes request heads {@code first}, {@code first + stride}, ... straight into the request ring.
     */
    private static final class RequestProducer
    {
        private final ManyToOneRingBuffer requestRing;
        private final RequestHeadEncoder encoder = new RequestHeadEncoder();
        private final int stride;
        private int next;

        RequestProducer(final ManyToOneRingBuffer requestRing, final int first, final int stride)
        {
            this.requestRing = requestRing;
            this.next = first;
            this.stride = stride;
        }

        boolean hasMore()
        {
            return next < REQUESTS;
        }

        boolean offerNext()
        {
            final int seq = next;
            final String target = target(seq);
            final String seqText = Integer.toString(seq);
            final int padLength = seq % 64;
            final int length = RequestHeadEncoder.length(3, target.length(), 9,
                MessageDescriptor.headerEntryLength(5, seqText.length()) +
                MessageDescriptor.headerEntryLength(5, padLength));
            final int index = requestRing.tryClaim(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length);
            if (index == RingBuffer.INSUFFICIENT_CAPACITY)
            {
                return false;
            }
            encoder.wrap(requestRing.buffer(), index)
                .requestId(requestId(seq))
                .contentLength(0)
                .remotePort(seq & 0xFFFF)
                .method("GET")
                .target(target)
                .remoteAddress("127.0.0.1")
                .header("x-seq", seqText)
                .header("x-pad", RequestHeadCodecTest.repeat('\u00e9', padLength));
            requestRing.commit(index);
            next += stride;
            return true;
        }
    }

    private final class ResponseChecker implements ControlledMessageHandler
    {
        final boolean[] answered = new boolean[REQUESTS];
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        final HeaderCursor cursor = new HeaderCursor();
        int received;

        public Action onMessage(
            final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            assertEquals(MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, msgTypeId);
            decoder.wrap(buffer, index);
            final long requestId = decoder.requestId();
            final int seq = (int)requestId;
            assertTrue(seq >= 0 && seq < REQUESTS, "unknown request id " + requestId);
            assertEquals(requestId(seq), requestId, "generation of request " + seq);
            assertFalse(answered[seq], "second answer for request " + seq);
            answered[seq] = true;
            received++;

            assertEquals(status(requestId), decoder.status());
            assertEquals(MessageDescriptor.LAST_FLAG, decoder.flags());
            assertEquals(2, decoder.headerCount());
            cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());
            assertTrue(cursor.next());
            assertTrue(AsciiCodec.equals(buffer, cursor.nameOffset(), cursor.nameLength(), "x-method"));
            assertTrue(AsciiCodec.equals(buffer, cursor.valueOffset(), cursor.valueLength(), "GET"));
            assertTrue(cursor.next());
            assertTrue(AsciiCodec.equals(buffer, cursor.nameOffset(), cursor.nameLength(), "x-seq"));
            assertEquals(Integer.toString(seq), AsciiCodec.get(buffer, cursor.valueOffset(), cursor.valueLength()));
            assertFalse(cursor.next());
            final String target = target(seq);
            assertEquals(target.length(), decoder.contentLength());
            assertEquals(target.length(), decoder.bodyLength());
            assertEquals(target, AsciiCodec.get(buffer, cursor.end(), decoder.bodyLength()));
            assertEquals(index + length, cursor.end() + decoder.bodyLength());
            return Action.COMMIT;
        }
    }

    private final class EchoWorker implements Runnable, ControlledMessageHandler
    {
        private final ManyToOneRingBuffer requestRing;
        private final ManyToOneRingBuffer responseRing;
        private final RequestHeadDecoder decoder = new RequestHeadDecoder();
        private final ResponseHeadEncoder encoder = new ResponseHeadEncoder();
        private final HeaderCursor cursor = new HeaderCursor();

        EchoWorker(final ManyToOneRingBuffer requestRing, final ManyToOneRingBuffer responseRing)
        {
            this.requestRing = requestRing;
            this.responseRing = responseRing;
        }

        public void run()
        {
            try
            {
                int idle = 0;
                while (!stop.get())
                {
                    if (requestRing.controlledRead(this, 64) > 0)
                    {
                        idle = 0;
                    }
                    else
                    {
                        idle(++idle);
                    }
                }
            }
            catch (final Throwable t)
            {
                workerError.compareAndSet(null, t);
            }
        }

        public Action onMessage(
            final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            if (MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID != msgTypeId)
            {
                fail("unexpected message type " + msgTypeId);
            }
            decoder.wrap(buffer, index);
            cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());
            if (!cursor.next() || !AsciiCodec.equals(buffer, cursor.nameOffset(), cursor.nameLength(), "x-seq"))
            {
                fail("first header is not x-seq in request " + decoder.requestId());
            }
            final String seqText = AsciiCodec.get(buffer, cursor.valueOffset(), cursor.valueLength());
            final int responseLength = ResponseHeadEncoder.length(
                MessageDescriptor.headerEntryLength(8, decoder.methodLength()) +
                MessageDescriptor.headerEntryLength(5, seqText.length()),
                decoder.targetLength());

            int out;
            int idle = 0;
            while ((out = responseRing.tryClaim(MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, responseLength)) ==
                RingBuffer.INSUFFICIENT_CAPACITY)
            {
                if (stop.get())
                {
                    return Action.ABORT;
                }
                idle(++idle);
            }
            encoder.wrap(responseRing.buffer(), out)
                .requestId(decoder.requestId())
                .status(status(decoder.requestId()))
                .contentLength(decoder.targetLength())
                .flags(MessageDescriptor.LAST_FLAG)
                .header("x-method", decoder.method())
                .header("x-seq", seqText)
                .body(buffer, decoder.targetOffset(), decoder.targetLength());
            responseRing.commit(out);
            return Action.COMMIT;
        }
    }
}
