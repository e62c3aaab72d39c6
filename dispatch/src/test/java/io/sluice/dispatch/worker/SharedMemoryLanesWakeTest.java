package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A finished answer is never held hostage by another lane's handler: one duty thread serves every lane, so handler
 * code called for a request of one lane may answer a request that came on another (a handler that holds requests and
 * answers them later), and then block. The answer's lane is owed its wake-up although its own batch is not the one
 * running. The listener side is played by the test over real ring files and real doorbell sockets; the watchers are
 * polled by hand and the handler blocks on a latch, not a clock.
 */
@Timeout(10)
class SharedMemoryLanesWakeTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int LANES = 2;

    @TempDir
    Path tempDir;

    private final HoldingHandler handler = new HoldingHandler();
    private LanesOverRingFiles rig;
    private ListenerRings[] rings;
    private SocketChannel[] listenerDoorbells;
    private SharedMemoryLanes lanes;
    private Thread duty;

    @BeforeEach
    void before() throws IOException
    {
        rig = new LanesOverRingFiles(tempDir, LANES, CAPACITY, handler);
        rings = rig.rings;
        listenerDoorbells = rig.listenerDoorbells;
        lanes = rig.lanes;
        for (final SocketChannel doorbell : listenerDoorbells)
        {
            doorbell.configureBlocking(false);
        }
    }

    @AfterEach
    void after() throws Exception
    {
        handler.release.countDown();
        if (null != duty)
        {
            duty.join(TimeUnit.SECONDS.toMillis(5));
        }
        rig.close();
    }

    @Test
    void shouldWakeListenerOfAnotherLaneAnsweredFromHandlerThatBlocks() throws Exception
    {
        // request 7 waits on lane 1, whose listener loop sleeps; request 8 on lane 0 answers it, then blocks
        rings[1].writeHead(7, "GET", "/hold", 0, System.nanoTime());
        listenerSleeps(1);

        duty = new Thread(
            () ->
            {
                lanes.startDuty();
                // a cycle starts at lane 0 (empty), then holds request 7 on lane 1
                lanes.doWork();
                rings[0].writeHead(8, "GET", "/answer-held-then-block", 0, System.nanoTime());
                // the next cycle starts at lane 1 (empty), then runs request 8's handler on lane 0
                lanes.doWork();
            },
            "duty");
        duty.start();
        assertTrue(handler.blocked.await(5, TimeUnit.SECONDS), "the handler of request 8 did not answer");

        for (final SharedMemoryWorker worker : rig.workers)
        {
            worker.watcher().poll(System.nanoTime() + PendingWakeWatcher.ANNOUNCE_AFTER_NS);
        }
        assertEquals(List.of(7L), rig.responseHeads(1), "request 7's answer is in lane 1's ring");
        assertEquals(1, doorbellBytes(1), "lane 1's sleeping listener is woken while the handler blocks");
        assertEquals(
            WorkerFileDescriptor.AWAKE, rings[1].header.getIntVolatile(WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET));
        assertEquals(0, doorbellBytes(0), "lane 0's listener is owed nothing yet");
    }

    private void listenerSleeps(final int lane)
    {
        rings[lane].header.putIntVolatile(WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET, WorkerFileDescriptor.SLEEPING);
    }

    private int doorbellBytes(final int lane) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(64);
        return Math.max(0, listenerDoorbells[lane].read(bytes));
    }

    /**
     * {@code /hold}: kept unanswered; {@code /answer-held-then-block}: answers the held request 200, then blocks until
     * released.
     */
    private static final class HoldingHandler implements Handler
    {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private Exchange held;

        public void onRequest(final Exchange exchange)
        {
            if (exchange.target().equals("/hold"))
            {
                held = exchange;
                return;
            }
            held.respond(200, "text/plain", new byte[]{ 'o', 'k' });
            exchange.respond(200, "text/plain", new byte[]{ 'o', 'k' });
            blocked.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        public void onBody(
            final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
        }
    }
}
