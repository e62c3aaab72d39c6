package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
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

    private final ListenerRings[] rings = new ListenerRings[LANES];
    private final ServerSocketChannel[] servers = new ServerSocketChannel[LANES];
    private final SocketChannel[] workerDoorbells = new SocketChannel[LANES];
    private final SocketChannel[] listenerDoorbells = new SocketChannel[LANES];
    private final SharedMemoryWorker[] workers = new SharedMemoryWorker[LANES];
    private final HoldingHandler handler = new HoldingHandler();
    private SharedMemoryLanes lanes;
    private Thread duty;

    @BeforeEach
    void before() throws IOException
    {
        for (int lane = 0; lane < LANES; lane++)
        {
            final Path dir = tempDir.resolve("lane-" + lane);
            rings[lane] = ListenerRings.create(dir, CAPACITY);
            final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("doorbell.sock"));
            servers[lane] = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
            workerDoorbells[lane] = SocketChannel.open(address);
            listenerDoorbells[lane] = servers[lane].accept();
            listenerDoorbells[lane].configureBlocking(false);
            workers[lane] = new SharedMemoryWorker(
                handler, rings[lane].header, rings[lane].workerRequestRing(), rings[lane].workerResponseRing(),
                workerDoorbells[lane]);
            workers[lane].pollWakeWatcherByHand();
        }
        lanes = new SharedMemoryLanes(workers);
    }

    @AfterEach
    void after() throws Exception
    {
        handler.release.countDown();
        if (null != duty)
        {
            duty.join(TimeUnit.SECONDS.toMillis(5));
        }
        lanes.stopDuty();
        for (int lane = 0; lane < LANES; lane++)
        {
            listenerDoorbells[lane].close();
            workerDoorbells[lane].close();
            servers[lane].close();
            rings[lane].close();
        }
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

        for (final SharedMemoryWorker worker : workers)
        {
            worker.watcher().poll(System.nanoTime() + PendingWakeWatcher.ANNOUNCE_AFTER_NS);
        }
        assertEquals(List.of(7L), responseHeads(1), "request 7's answer is in lane 1's ring");
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

    private List<Long> responseHeads(final int lane)
    {
        final List<Long> ids = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        rings[lane].responses.read(
            (msgTypeId, buffer, index, length) ->
            {
                if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                {
                    ids.add(decoder.wrap(buffer, index).requestId());
                }
            },
            100);
        return ids;
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
