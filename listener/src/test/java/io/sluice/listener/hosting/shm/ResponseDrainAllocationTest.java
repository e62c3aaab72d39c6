package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's drain of a worker's response ring allocates nothing per response once warm: a worker's RESPONSE_HEAD
 * with header fields and an inline body, written into a real ring file as a worker writes it, is read, checked and
 * handed to the request's exchange ({@link SharedMemoryLink#drain()}, {@link ResponseRingAdapter}), and the request's
 * slot is freed. The exchange here writes the head into one reused buffer, so what is counted is the drain's own
 * allocation; measured with the thread's allocated-bytes counter on a Netty thread, as the host's event loop is.
 */
@Timeout(30)
class ResponseDrainAllocationTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WINDOW = 64 * 1024;
    private static final int WARM_UP_RESPONSES = 200_000;
    private static final int RESPONSES = 100_000;
    private static final int BATCH = 8;
    private static final long ALLOCATION_SLACK_BYTES = 16 * 1024;
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tempDir;

    private LinkOverRingFile ringFile;
    private ManyToOneRingBuffer responseRing;
    private LoopLanes lanes;
    private SharedMemoryLink link;
    private final ResponseHeadEncoder encoder = new ResponseHeadEncoder();
    private final UnsafeBuffer body = new UnsafeBuffer(BODY);
    private final ReusedHeadExchange exchange = new ReusedHeadExchange();
    private final SharedMemoryRequest[] batch = new SharedMemoryRequest[BATCH];

    @BeforeEach
    void before() throws IOException
    {
        ringFile = new LinkOverRingFile(tempDir, "drain", CAPACITY, WINDOW, BATCH * 2, -1);
        responseRing = ringFile.responseRing;
        lanes = ringFile.lanes;
        link = ringFile.link;
    }

    @AfterEach
    void after()
    {
        exchange.head.release();
        ringFile.close();
    }

    @Test
    void shouldAllocateNothingPerResponseDrainedOnceWarm() throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] allocated = new long[1];
        final Thread thread = new FastThreadLocalThread(() ->
        {
            try
            {
                drainResponses(WARM_UP_RESPONSES);
                final com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                final long threadId = Thread.currentThread().getId();
                exchange.answered = 0;
                final long before = threads.getThreadAllocatedBytes(threadId);
                drainResponses(RESPONSES);
                allocated[0] = threads.getThreadAllocatedBytes(threadId) - before;
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        thread.start();
        thread.join();
        assertNull(failure.get(), () -> String.valueOf(failure.get()));

        assertEquals(RESPONSES, exchange.answered, "every response reached its exchange");
        assertEquals("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-worker: 7\r\n",
            exchange.lastHead, "the worker's header fields, checked and copied");
        assertTrue(allocated[0] < ALLOCATION_SLACK_BYTES,
            allocated[0] + " bytes allocated for " + RESPONSES + " responses drained");
    }

    private void drainResponses(final int count)
    {
        for (int done = 0; done < count; done += BATCH)
        {
            for (int i = 0; i < BATCH; i++)
            {
                final SharedMemoryRequest request = lanes.slots().acquire(exchange, 0);
                request.assign(link, false, WINDOW);
                batch[i] = request;
                writeResponse(request.requestId());
            }
            link.drain();
            for (int i = 0; i < BATCH; i++)
            {
                if (null != batch[i].exchange())
                {
                    throw new IllegalStateException("slot " + batch[i].index + " still in flight");
                }
            }
        }
    }

    /**
     * Write a RESPONSE_HEAD into the response ring as a worker does: two header fields, the body inline, last.
     */
    private void writeResponse(final long requestId)
    {
        final int length = ResponseHeadEncoder.length(
            MessageDescriptor.headerEntryLength(12, 10) + MessageDescriptor.headerEntryLength(8, 1), BODY.length);
        final int index = responseRing.tryClaim(MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, length);
        if (index <= 0)
        {
            throw new IllegalStateException("response ring full");
        }
        encoder.wrap(responseRing.buffer(), index)
            .requestId(requestId)
            .status(200)
            .contentLength(BODY.length)
            .flags(MessageDescriptor.LAST_FLAG)
            .header("content-type", "text/plain")
            .header("x-worker", "7")
            .body(body, 0, BODY.length);
        responseRing.commit(index);
    }

    private static ByteBuf unwrapped(final ByteBuf buffer)
    {
        final ByteBuf inner = buffer.unwrap();
        return null == inner ? buffer : inner;
    }

    /**
     * An exchange that writes every head into one reused buffer and keeps nothing else; the last head is kept as
     * text once, at the end, for the test's check.
     */
    private static final class ReusedHeadExchange extends DrainTestExchange
    {
        // the buffer itself, not the leak detector's wrapper, which records every access the test makes
        final ByteBuf head = unwrapped(Unpooled.directBuffer(512));
        int answered;
        String lastHead;

        public boolean isHeadSent()
        {
            return false;
        }

        public boolean isDone()
        {
            return false;
        }

        public ByteBuf beginHead(final int status)
        {
            head.clear();
            head.writeCharSequence("HTTP/1.1 200 OK\r\n", StandardCharsets.US_ASCII);
            return head;
        }

        public boolean finishHead(
            final ByteBuf head,
            final int status,
            final long contentLength,
            final DirectBuffer inlineBody,
            final int bodyOffset,
            final int bodyLength,
            final boolean last)
        {
            if (status != 200 || contentLength != BODY.length || bodyLength != BODY.length || !last ||
                inlineBody.getByte(bodyOffset) != 'H')
            {
                throw new IllegalStateException("not the worker's answer");
            }
            answered++;
            if (answered == RESPONSES)
            {
                lastHead = head.toString(StandardCharsets.US_ASCII);
            }
            return true;
        }

        public void body(final DirectBuffer src, final int offset, final int length, final boolean last)
        {
            throw new IllegalStateException("no body chunk expected");
        }

        public void body(final ByteBuf content, final boolean last)
        {
            throw new IllegalStateException("no body chunk expected");
        }
    }
}
