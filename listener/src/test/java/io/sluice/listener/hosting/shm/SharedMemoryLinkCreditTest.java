package io.sluice.listener.hosting.shm;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.CreditQueueReader;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The link's grant path, driven directly over a real ring file (no worker, no doorbell): a flush notice for the
 * watched mark becomes one RESPONSE_CREDIT record in the request ring for all the body chunks before it; grants made
 * while the request ring is full wait, merged, and go as one record once it has room; the host's count of bytes
 * outstanding follows; and a grant allocates nothing.
 */
@Timeout(20)
class SharedMemoryLinkCreditTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WINDOW = 1024;
    private static final int SLOT = 3;
    private static final int FILLER_SLOT = 5;
    private static final int GRANTS = 20_000;
    private static final long ALLOCATION_SLACK_BYTES = 64 * 1024;

    @TempDir
    Path tempDir;

    private LinkOverRingFile ringFile;
    private ManyToOneRingBuffer consumer;
    private EmbeddedChannel loopChannel;
    private SharedMemoryHost host;
    private LoopLanes lanes;
    private SharedMemoryLink link;
    private SharedMemoryRequest request;
    private long[] grantedTotal;
    private final MessageHandler countGrants =
        (msgTypeId, buffer, index, length) -> grantedTotal[0] += BodyChunkFlyweight.chunkLength(buffer, index);

    @BeforeEach
    void before() throws IOException
    {
        ringFile = new LinkOverRingFile(tempDir, "credit", CAPACITY, WINDOW, SLOT);
        consumer = ringFile.consumer;
        host = ringFile.host;
        loopChannel = ringFile.loopChannel;
        lanes = ringFile.lanes;
        link = ringFile.link;
        request = ringFile.request;
    }

    @AfterEach
    void after()
    {
        ringFile.close();
    }

    @Test
    void shouldGrantEveryChunkBeforeTheWatchedMarkInOneCreditRecord()
    {
        receive(200);
        receive(200);
        receive(200);
        assertTrue(request.credit.shouldWatch(), "half a window is outstanding");
        final long mark = request.credit.watch();
        receive(300);
        assertEquals(900, host.responseBytesOutstanding());

        link.flushed(request);

        assertEquals(List.of(new Credit(request.requestId(), (int)mark)), drainCredits());
        assertEquals(WINDOW + mark, request.credit.limit(), "the worker may send the granted bytes again");
        assertEquals(300, host.responseBytesOutstanding(), "what the socket took is no longer outstanding");
        assertFalse(request.credit.shouldWatch(), "less than half a window is outstanding past the mark");

        link.flushed(request);
        assertEquals(List.of(), drainCredits(), "a second notice for the same mark grants nothing");
    }

    @Test
    void shouldMergeGrantsMadeWhileTheRequestRingIsFullAndSendThemWhenItHasRoom()
    {
        ringFile.fillRequestRing(new SharedMemoryRequest(null, FILLER_SLOT));
        receive(600);
        request.credit.watch();
        link.flushed(request);
        receive(700);
        request.credit.watch();
        link.flushed(request);

        assertTrue(request.isGrantQueued(), "the grants wait for room");
        assertEquals(1300, request.credit.pendingGrant(), "merged");
        assertEquals(0, host.responseBytesOutstanding());

        loopChannel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        loopChannel.runScheduledPendingTasks();
        assertTrue(request.isGrantQueued(), "still no room: still waiting");

        assertEquals(List.of(), drainCredits(), "only the filler was in the ring");
        loopChannel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        loopChannel.runScheduledPendingTasks();

        assertEquals(List.of(new Credit(request.requestId(), 1300)), drainCredits());
        assertFalse(request.isGrantQueued());
        assertEquals(0, request.credit.pendingGrant());
    }

    @Test
    void shouldWriteGrantsIntoTheCreditQueueAheadOfAFullRequestRingForAWorkerThatAnnouncedIt()
    {
        link.workerFeatures(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final UnsafeBuffer header = WorkerFileDescriptor.headerBuffer(ringFile.workerMapping());
        final CreditQueueReader reader = new CreditQueueReader(header);
        final List<Credit> queued = new ArrayList<>();
        ringFile.fillRequestRing(new SharedMemoryRequest(null, FILLER_SLOT));
        receive(600);
        final long mark = request.credit.watch();

        link.flushed(request);

        assertFalse(request.isGrantQueued(), "no wait for room in the request ring");
        assertEquals(1, reader.poll((id, grant) -> queued.add(new Credit(id, grant))));
        assertEquals(List.of(new Credit(request.requestId(), (int)mark)), queued);
        assertEquals(List.of(), drainCredits(), "nothing but the filler in the request ring");

        // the queue's 128 entries taken, the next grant goes into the request ring, as for a worker without the feature
        for (int i = 0; i <= WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY; i++)
        {
            receive(600);
            request.credit.watch();
            link.flushed(request);
        }
        assertEquals(List.of(new Credit(request.requestId(), 600)), drainCredits());
        assertEquals(WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY, reader.poll((id, grant) -> queued.add(null)));

        // a worker that did not announce the queue gets every grant in the request ring
        link.workerFeatures(0);
        receive(600);
        request.credit.watch();
        link.flushed(request);
        assertEquals(List.of(new Credit(request.requestId(), 600)), drainCredits());
        assertEquals(0, reader.poll((id, grant) -> queued.add(null)));
    }

    @Test
    void shouldGrantByItsOwnCountsAndMoveToTheRequestRingWhenTheWorkerBreaksTheCreditQueue()
    {
        link.workerFeatures(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final UnsafeBuffer header = WorkerFileDescriptor.headerBuffer(ringFile.workerMapping());
        final CreditQueueReader reader = new CreditQueueReader(header);
        final long[] delivered = new long[1];
        final CreditQueueReader.GrantHandler take = (id, grant) -> delivered[0] += grant;
        long decided = 0;
        for (int i = 0; i < WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY; i++)
        {
            receive(600);
            request.credit.watch();
            link.flushed(request);
            decided += 600;
        }
        assertEquals(WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY, reader.poll(take));

        // the worker moves its head back a lap to read the same grants again, and writes over tail and entries
        for (int i = 0; i < WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY; i++)
        {
            receive(600);
            request.credit.watch();
            link.flushed(request);
            decided += 600;
        }
        header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, 0);
        header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET, Long.MAX_VALUE);
        header.setMemory(WorkerFileDescriptor.CREDIT_QUEUE_ENTRIES_OFFSET,
            WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY * WorkerFileDescriptor.CREDIT_QUEUE_ENTRY_LENGTH, (byte)0x7F);
        for (int i = 0; i < 3; i++)
        {
            receive(600);
            request.credit.watch();
            link.flushed(request);
            decided += 600;
        }

        assertFalse(link.isFailed(), "a worker that breaks its credit queue harms only itself");
        final List<Credit> inRing = drainCredits();
        assertEquals(3, inRing.size(), "every grant after the broken head goes into the request ring");
        for (final Credit credit : inRing)
        {
            assertEquals(new Credit(request.requestId(), 600), credit);
            delivered[0] += credit.grant();
        }
        // the queue's second lap, as it was before the worker wrote over it
        delivered[0] += (long)WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY * 600;
        assertEquals(decided, delivered[0], "each grant once, in the queue or the ring");
        assertEquals(WINDOW + decided, request.credit.limit(), "the listener's own count, whatever the worker read");
        assertEquals(0, host.responseBytesOutstanding());
        assertFalse(request.credit.onBody(WINDOW + 1), "a body past the listener's own credit is refused");
    }

    @Test
    void shouldCountTheOutstandingBytesOfARequestThatEndsAsSettled()
    {
        final SharedMemoryRequest slot = new SharedMemoryRequest(lanes, SLOT);
        slot.assign(link, false, WINDOW);
        assertTrue(slot.credit.onBody(700));
        lanes.responseBytes().received(700, slot.credit.outstanding());
        assertEquals(700, host.responseBytesOutstanding());
        assertEquals(700, host.maxResponseBytesOutstanding());

        slot.release();

        assertEquals(0, host.responseBytesOutstanding());
        assertEquals(700, host.maxResponseBytesOutstanding());
    }

    @Test
    void shouldAllocateNothingPerGrant() throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        // a Netty thread, as the host's event loop is
        final Thread thread = new FastThreadLocalThread(() ->
        {
            try
            {
                final long[] granted = new long[1];
                for (int i = 0; i < GRANTS; i++)
                {
                    grantRoundTrip(granted);
                }
                final com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                final long threadId = Thread.currentThread().getId();
                granted[0] = 0;
                final long before = threads.getThreadAllocatedBytes(threadId);
                for (int i = 0; i < GRANTS; i++)
                {
                    grantRoundTrip(granted);
                }
                final long allocatedBytes = threads.getThreadAllocatedBytes(threadId) - before;
                assertEquals((long)GRANTS * (WINDOW / 2), granted[0]);
                assertTrue(allocatedBytes < ALLOCATION_SLACK_BYTES,
                    allocatedBytes + " bytes allocated for " + GRANTS + " grants");
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        thread.start();
        thread.join();
        if (null != failure.get())
        {
            throw new AssertionError(failure.get());
        }
    }

    private void grantRoundTrip(final long[] granted)
    {
        receive(WINDOW / 2);
        request.credit.watch();
        link.flushed(request);
        grantedTotal = granted;
        consumer.read(countGrants);
    }

    private void receive(final int length)
    {
        assertTrue(request.credit.onBody(length));
        lanes.responseBytes().received(length, request.credit.outstanding());
    }

    private List<Credit> drainCredits()
    {
        final List<Credit> credits = new ArrayList<>();
        consumer.read((msgTypeId, buffer, index, length) ->
        {
            if (MessageDescriptor.RESPONSE_CREDIT_MSG_TYPE_ID == msgTypeId)
            {
                credits.add(new Credit(
                    BodyChunkFlyweight.requestId(buffer, index), BodyChunkFlyweight.chunkLength(buffer, index)));
            }
        }, Integer.MAX_VALUE);
        return credits;
    }

    private record Credit(long requestId, int grant)
    {
    }
}
