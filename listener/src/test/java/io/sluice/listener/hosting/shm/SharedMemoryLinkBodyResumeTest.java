package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connections whose body pieces the full request ring refused are resumed with hysteresis: once half the ring is
 * free, oldest first, one for each half free, the others keeping their place; no one else is resumed into the same
 * room before those resumed offered their pieces; the link's retry timer resumes the oldest into room for one chunk
 * once it waited long enough; and uploads, alone or together, complete with every byte, pausing their reading about
 * once per half ring they write, not once per piece they read. Over a real ring file (64 KiB: chunks of 8 KiB; or
 * 1 MiB, as by default), no worker process: the test takes records as a worker would, on a loop it runs itself.
 */
@Timeout(10)
class SharedMemoryLinkBodyResumeTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int DEFAULT_CAPACITY = 1024 * 1024;
    private static final int WINDOW = 64 * 1024;
    private static final int QUEUE_LENGTH = 32;
    private static final int FILLER_SLOT = 31;
    private static final int READ_LENGTH = 64 * 1024;
    private static final int CHUNK_RECORD = 8 + CAPACITY / 8;

    @TempDir
    Path tempDir;

    private LinkOverRingFile ringFile;
    private ManyToOneRingBuffer consumer;
    private SharedMemoryLink link;
    private EmbeddedChannel loop;
    private SharedMemoryRequest filler;
    private final List<Upload> resumed = new ArrayList<>();
    private final Map<Long, Upload> uploads = new HashMap<>();
    private boolean closing;

    @BeforeEach
    void before() throws IOException
    {
        open(CAPACITY);
    }

    private void open(final int capacity) throws IOException
    {
        if (null != ringFile)
        {
            ringFile.close();
        }
        ringFile = new LinkOverRingFile(tempDir, "resume" + capacity, capacity, WINDOW, QUEUE_LENGTH, -1);
        consumer = ringFile.consumer;
        link = ringFile.link;
        loop = ringFile.loopChannel;
        filler = new SharedMemoryRequest(null, FILLER_SLOT);
        filler.assign(link, false, WINDOW);
    }

    @AfterEach
    void after()
    {
        closing = true;
        for (final Upload upload : uploads.values())
        {
            upload.releaseBlocked();
        }
        ringFile.close();
    }

    @Test
    void shouldResumeOnlyOnceHalfIsFreeAndOneForEachHalfOldestFirst()
    {
        ringFile.fillRequestRing(filler);
        final List<Upload> blocked = blockUploads(5);

        take(1);
        answer();
        assertEquals(List.of(), resumed, "room for one chunk: not yet");
        take(2);
        answer();
        assertEquals(List.of(), resumed, "room for three chunks: not yet");

        take(1);
        answer();
        assertEquals(List.of(blocked.get(0)), resumed, "half the ring free: one connection, the oldest");
        assertTrue(blocked.get(1).request.isBodyBlocked(), "the others keep their place");

        take(2);
        answer();
        assertEquals(1, resumed.size(), "no one else into the room before the resumed one offered its piece");

        final long before = consumer.producerPosition();
        loop.runPendingTasks();
        assertEquals(before + 6 * CHUNK_RECORD, consumer.producerPosition(), "it wrote what the room held");
        assertEquals(0, blocked.get(0).idleResumes);
        assertTrue(blocked.get(0).request.isBodyBlocked(), "and waits again, behind the others");

        take(Integer.MAX_VALUE);
        answer();
        assertEquals(List.of(blocked.get(0), blocked.get(1), blocked.get(2)), resumed,
            "the whole ring free: two, next in order");
        assertTrue(blocked.get(3).request.isBodyBlocked());
        assertTrue(blocked.get(4).request.isBodyBlocked());
        assertTrue(blocked.get(0).request.isBodyBlocked());
    }

    @Test
    void shouldResumeInTheOrderRefusedAndRequeueOneStillRefusedAtTheEnd()
    {
        ringFile.fillRequestRing(filler);
        final List<Upload> blocked = blockUploads(3);

        for (int round = 0; round < 100 && resumed.size() < 6; round++)
        {
            take(1);
            answer();
            loop.runPendingTasks();
        }

        assertEquals(
            List.of(blocked.get(0), blocked.get(1), blocked.get(2), blocked.get(0), blocked.get(1), blocked.get(2)),
            resumed, "round robin in the order refused");
    }

    @Test
    void shouldResumeTheNextWhenOneResumedOrQueuedClosesBeforeItOffers()
    {
        ringFile.fillRequestRing(filler);
        final List<Upload> blocked = blockUploads(4);

        take(4);
        answer();
        assertEquals(List.of(blocked.get(0)), resumed);
        blocked.get(0).close();
        blocked.get(1).close();
        assertFalse(blocked.get(1).request.isBodyBlocked(), "a closed request leaves the queue");
        loop.runPendingTasks();

        take(1);
        answer();
        assertEquals(List.of(blocked.get(0), blocked.get(2)), resumed,
            "the room the closed one did not take goes to the next still waiting");
        assertTrue(blocked.get(3).request.isBodyBlocked());
    }

    @Test
    void shouldResumeTheOldestFromTheRetryTimerWhenRoomComesBackSlowly()
    {
        attachWorker();
        ringFile.fillRequestRing(filler);
        final List<Upload> blocked = blockUploads(2);

        take(1);
        for (int retry = 1; retry < 20; retry++)
        {
            retryTimer();
        }
        assertEquals(List.of(), resumed, "room for one chunk: not while the retries may still see more come");

        retryTimer();
        assertEquals(List.of(blocked.get(0)), resumed, "after 20 retries, room for one chunk is enough for the oldest");
        final long before = consumer.producerPosition();
        loop.runPendingTasks();
        assertEquals(before + CHUNK_RECORD, consumer.producerPosition(), "it wrote a whole chunk");

        take(1);
        for (int retry = 0; retry < 20; retry++)
        {
            retryTimer();
        }
        assertEquals(List.of(blocked.get(0), blocked.get(1)), resumed, "and the next, in its turn");
    }

    @Test
    void shouldCompleteALoneUploadWithEveryByte() throws IOException
    {
        open(DEFAULT_CAPACITY);
        final int length = 4 * 1024 * 1024;
        final Upload upload = new Upload(0, length);
        upload.readOn();

        runWorker(List.of(upload), 2);

        assertTrue(upload.done);
        assertEquals(length, upload.takenBytes);
        assertEquals(0, upload.mismatches);
        assertTrue(upload.takenLast);
        assertTrue(upload.pauses <= length / (DEFAULT_CAPACITY / 2) + 1,
            "reading paused about once per half ring written, not once per piece: " + upload.pauses);
    }

    @Test
    void shouldCompleteSixteenUploadsPausingOncePerHalfRing() throws IOException
    {
        open(DEFAULT_CAPACITY);
        final int length = 1024 * 1024;
        final List<Upload> all = new ArrayList<>();
        for (int slot = 0; slot < 16; slot++)
        {
            final Upload upload = new Upload(slot, length);
            all.add(upload);
            upload.readOn();
        }

        runWorker(all, 2);

        int pauses = 0;
        for (final Upload upload : all)
        {
            assertTrue(upload.done);
            assertEquals(length, upload.takenBytes);
            assertEquals(0, upload.mismatches);
            assertTrue(upload.takenLast);
            pauses += upload.pauses;
        }
        assertTrue(pauses <= 16 * (length / (DEFAULT_CAPACITY / 2) + 1),
            "reading paused about once per half ring written, not once per piece: " + pauses);
    }

    /**
     * The worker takes {@code recordsPerBatch} records at a time and answers after each batch, until every upload is
     * done and the ring is empty.
     */
    private void runWorker(final List<Upload> all, final int recordsPerBatch)
    {
        for (int batch = 0; batch < 100_000; batch++)
        {
            boolean done = true;
            for (final Upload upload : all)
            {
                done &= upload.done;
            }
            if (done && 0 == take(Integer.MAX_VALUE))
            {
                return;
            }
            take(recordsPerBatch);
            answer();
            loop.runPendingTasks();
        }
        throw new AssertionError("the uploads did not complete");
    }

    private List<Upload> blockUploads(final int count)
    {
        final List<Upload> blocked = new ArrayList<>();
        for (int slot = 0; slot < count; slot++)
        {
            final Upload upload = new Upload(slot, 2 * READ_LENGTH);
            upload.readOn();
            assertTrue(upload.request.isBodyBlocked());
            blocked.add(upload);
        }
        return blocked;
    }

    private void attachWorker()
    {
        link.expectToken("token");
        link.attach(new EmbeddedChannel());
        assertTrue(link.isAttached());
    }

    private void retryTimer()
    {
        loop.advanceTimeBy(50, TimeUnit.MICROSECONDS);
        loop.runPendingTasks();
    }

    /**
     * The worker takes up to {@code records} records, counting each request's body bytes.
     *
     * @return the records taken.
     */
    private int take(final int records)
    {
        int taken = 0;
        int read;
        // a read stops at the end of the buffer
        while (taken < records && (read = takeUpToTheEnd(records - taken)) > 0)
        {
            taken += read;
        }
        return taken;
    }

    private int takeUpToTheEnd(final int records)
    {
        return consumer.read((msgTypeId, buffer, index, length) ->
        {
            if (msgTypeId != MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID)
            {
                return;
            }
            final Upload upload = uploads.get(BodyChunkFlyweight.requestId(buffer, index));
            if (null == upload)
            {
                return;
            }
            assertFalse(upload.takenLast, "nothing after the last chunk");
            final int chunk = BodyChunkFlyweight.chunkLength(buffer, index);
            final int data = BodyChunkFlyweight.dataOffset(index);
            for (int i = 0; i < chunk; i++)
            {
                if (upload.expectedByte() != buffer.getByte(data + i))
                {
                    upload.mismatches++;
                }
                upload.takenBytes++;
            }
            upload.takenLast = (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0;
        }, records);
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

    /**
     * A connection uploading a body as the request body pump does: it reads up to 64 KiB at a time and offers each
     * piece; a piece refused stops its reading until the link resumes it, in a task of the loop.
     */
    private final class Upload extends UnansweredTestExchange
    {
        final SharedMemoryRequest request;
        private long toRead;
        private ByteBuf blocked;
        private boolean blockedLast;
        long sentBytes;
        long takenBytes;
        boolean takenLast;
        boolean done;
        int pauses;
        int idleResumes;
        int mismatches;

        Upload(final int slot, final long length)
        {
            request = new SharedMemoryRequest(null, slot);
            request.assign(link, false, WINDOW);
            request.begin(this);
            toRead = length;
            uploads.put(request.requestId(), this);
        }

        byte expectedByte()
        {
            return (byte)(takenBytes * 31 + request.requestId());
        }

        void readOn()
        {
            while (toRead > 0)
            {
                final int length = (int)Math.min(READ_LENGTH, toRead);
                final ByteBuf piece = Unpooled.buffer(length);
                for (int i = 0; i < length; i++)
                {
                    piece.writeByte((byte)((sentBytes + i) * 31 + request.requestId()));
                }
                sentBytes += length;
                toRead -= length;
                if (!offer(piece, 0 == toRead))
                {
                    pauses++;
                    return;
                }
            }
            done = true;
        }

        private boolean offer(final ByteBuf piece, final boolean last)
        {
            if (link.offerBody(request, piece, last))
            {
                piece.release();
                return true;
            }
            blocked = piece;
            blockedLast = last;
            return false;
        }

        private void retry()
        {
            final ByteBuf piece = blocked;
            if (closing || null == request.exchange())
            {
                // the test ends, or the connection closed meanwhile
                return;
            }
            assertTrue(null != piece, "resumed while it holds a piece");
            blocked = null;
            final int before = piece.readerIndex();
            if (!offer(piece, blockedLast))
            {
                if (piece.readerIndex() == before)
                {
                    idleResumes++;
                }
                return;
            }
            readOn();
        }

        /**
         * The connection closes, as the pump releases what it holds: its request is released with it.
         */
        void close()
        {
            releaseBlocked();
            request.release();
        }

        void releaseBlocked()
        {
            if (null != blocked)
            {
                blocked.release();
                blocked = null;
            }
        }

        public void resumeBody()
        {
            resumed.add(this);
            loop.eventLoop().execute(this::retry);
        }
    }
}
