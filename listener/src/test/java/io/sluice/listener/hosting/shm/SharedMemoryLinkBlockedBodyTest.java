package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A body piece the full request ring refused waits in its link's queue, and its connection is asked to offer it again
 * once the worker has taken records: when the link reads the worker's answers and finds room for a whole chunk, or
 * on the link's retry timer; not on a timer of each connection ({@link SharedMemoryRequest#resumesBody()}). Over a
 * real ring file, no worker process.
 */
@Timeout(5)
class SharedMemoryLinkBlockedBodyTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WINDOW = 64 * 1024;
    private static final int SLOT = 3;
    private static final int FILLER_SLOT = 5;

    @TempDir
    Path tempDir;

    private LinkOverRingFile ringFile;
    private ManyToOneRingBuffer consumer;
    private SharedMemoryLink link;
    private SharedMemoryRequest request;
    private SharedMemoryRequest filler;
    private ResumeCountingExchange exchange;

    @BeforeEach
    void before() throws IOException
    {
        ringFile = new LinkOverRingFile(tempDir, "blocked", CAPACITY, WINDOW, SLOT);
        consumer = ringFile.consumer;
        link = ringFile.link;
        request = ringFile.request;
        exchange = new ResumeCountingExchange();
        request.begin(exchange);
        filler = new SharedMemoryRequest(null, FILLER_SLOT);
    }

    @AfterEach
    void after()
    {
        ringFile.close();
    }

    @Test
    void shouldOfferTheBodyAgainOnceTheWorkerTookRecordsAndAnswered()
    {
        ringFile.fillRequestRing(filler);
        final ByteBuf content = Unpooled.wrappedBuffer(new byte[1000]);

        assertFalse(link.offerBody(request, content, true));
        assertTrue(request.isBodyBlocked());
        assertTrue(request.resumesBody(), "the link asks for it again: no timer of the connection's own");

        answer();
        assertEquals(0, exchange.resumes, "an answer, but the ring is still full");

        takeAll();
        answer();
        assertEquals(1, exchange.resumes, "the worker took records and answered: offered again at once");
        assertFalse(request.isBodyBlocked());
        assertFalse(request.resumesBody());
        assertTrue(link.offerBody(request, content, true));
        assertEquals(1000, content.readerIndex());
        answer();
        assertEquals(1, exchange.resumes, "asked once");
        content.release();
    }

    @Test
    void shouldOfferTheBodyAgainFromTheLinksTimerWhenTheWorkerTakesRecordsWithoutAnswering()
    {
        ringFile.fillRequestRing(filler);
        final ByteBuf content = Unpooled.wrappedBuffer(new byte[1000]);
        assertFalse(link.offerBody(request, content, true));
        link.resumeBlockedBodies();
        assertEquals(0, exchange.resumes, "still full");

        takeAll();
        link.resumeBlockedBodies();

        assertEquals(1, exchange.resumes);
        assertFalse(request.isBodyBlocked());
        content.release();
    }

    @Test
    void shouldForgetABlockedBodyWithItsRequest()
    {
        ringFile.fillRequestRing(filler);
        final ByteBuf content = Unpooled.wrappedBuffer(new byte[1000]);
        assertFalse(link.offerBody(request, content, true));

        request.release();
        takeAll();
        answer();
        ringFile.loopChannel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ringFile.loopChannel.runScheduledPendingTasks();

        assertEquals(0, exchange.resumes);
        assertFalse(request.isBodyBlocked());
        content.release();
    }

    /**
     * A worker gone (its exit writes the waiting heads into the repaired ring and retries once): a body piece still
     * refused waits for the next worker to attach, without the link's 50 us retry timer firing on and on, for nothing,
     * on the event loop while no worker takes records.
     */
    @Test
    void shouldStopRetryingBlockedBodiesWhileNoWorkerIsAttached()
    {
        ringFile.fillRequestRing(filler);
        final ByteBuf content = Unpooled.wrappedBuffer(new byte[1000]);
        assertFalse(link.offerBody(request, content, true));
        assertFalse(link.isAttached());
        // one retry while detached (as on a worker's exit)
        link.workerFeatures(0);
        ringFile.loopChannel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ringFile.loopChannel.runScheduledPendingTasks();
        ringFile.loopChannel.advanceTimeBy(1, TimeUnit.MILLISECONDS);

        assertEquals(-1, ringFile.loopChannel.runScheduledPendingTasks(), "no retry left scheduled");
        assertTrue(request.isBodyBlocked(), "still waiting for the next worker");
        assertEquals(0, exchange.resumes);
        content.release();
    }

    /**
     * Likewise a request head the full ring refused while no worker is attached: it waits for the next worker, and is
     * written once that one attached and took records, not retried every 50 us meanwhile.
     */
    @Test
    void shouldStopRetryingAHeadWhileNoWorkerIsAttached()
    {
        ringFile.fillRequestRing(filler);
        final long filled = consumer.producerPosition();
        final HttpRequest http = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/shm/hello");
        http.headers().add("host", "localhost");
        assertTrue(link.openRequest(request, http, 0));
        ringFile.loopChannel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ringFile.loopChannel.runScheduledPendingTasks();
        ringFile.loopChannel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        assertEquals(-1, ringFile.loopChannel.runScheduledPendingTasks(), "no retry left scheduled");
        assertEquals(filled, consumer.producerPosition());

        takeAll();
        link.workerFeatures(0);
        ringFile.loopChannel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ringFile.loopChannel.runScheduledPendingTasks();
        assertTrue(consumer.producerPosition() > filled, "the head written once a worker attached and made room");
    }

    /**
     * The worker answers something (a chunk for a request the listener does not know, which it drops), and the link
     * reads it.
     */
    private void answer()
    {
        final ManyToOneRingBuffer responses = ringFile.responseRing;
        final int index = responses.tryClaim(MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(0));
        BodyChunkFlyweight.encode(responses.buffer(), index, filler.requestId(), 0, 0);
        responses.commit(index);
        link.drain();
    }

    private void takeAll()
    {
        consumer.read((msgTypeId, buffer, index, length) ->
        {
        }, Integer.MAX_VALUE);
    }

    private static final class ResumeCountingExchange extends UnansweredTestExchange
    {
        int resumes;

        public void resumeBody()
        {
            resumes++;
        }
    }
}
