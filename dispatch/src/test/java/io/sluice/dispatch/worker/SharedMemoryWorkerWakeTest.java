package io.sluice.dispatch.worker;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A finished answer is never held hostage: the worker announces a batch of answers to a sleeping listener once, at
 * the end of its read batch, and when handler code keeps the duty thread from getting there, its wake watcher
 * announces what is owed at its next look (polled by hand here); an awake listener is owed nothing, so nothing is
 * handed off. The listener side is played by the test over a real ring file and a real doorbell socket; the handler
 * blocks on a latch, not a clock.
 */
@Timeout(10)
class SharedMemoryWorkerWakeTest
{
    private static final int CAPACITY = 64 * 1024;

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private UnsafeBuffer header;
    private ManyToOneRingBuffer listenerRequests;
    private ManyToOneRingBuffer listenerResponses;
    private ServerSocketChannel server;
    private SocketChannel workerDoorbell;
    private SocketChannel listenerDoorbell;
    private final BlockingHandler handler = new BlockingHandler();
    private SharedMemoryWorker worker;
    private Thread duty;

    @BeforeEach
    void before() throws IOException
    {
        final Path dir = tempDir.resolve("queue-0");
        rings = ListenerRings.create(dir, CAPACITY);
        header = rings.header;
        listenerRequests = rings.requests;
        listenerResponses = rings.responses;

        final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("doorbell.sock"));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
        workerDoorbell = SocketChannel.open(address);
        listenerDoorbell = server.accept();
        listenerDoorbell.configureBlocking(false);

        worker = new SharedMemoryWorker(
            handler, header, rings.workerRequestRing(), rings.workerResponseRing(), workerDoorbell);
        worker.pollWakeWatcherByHand();
    }

    @AfterEach
    void after() throws Exception
    {
        handler.release.countDown();
        // end-of-file on the doorbell: the duty cycle returns
        listenerDoorbell.close();
        if (null != duty)
        {
            duty.join(TimeUnit.SECONDS.toMillis(5));
        }
        workerDoorbell.close();
        server.close();
        rings.close();
    }

    @Test
    void shouldWakeListenerForAnswerOfEarlierRequestBeforeHandlerBlocksOnNextOne() throws Exception
    {
        listenerSleeps();
        writeHead(1, "/hello");
        writeHead(2, "/block");

        startDutyCycle();
        assertTrue(handler.blocked.await(5, TimeUnit.SECONDS), "the handler of request 2 did not start");

        // request 2's handler is blocked: request 1's answer is complete in the ring, owed to the watcher
        assertEquals(0, doorbellBytes(), "doorbell bytes before the watcher looked");
        assertTrue(worker.watcher().poll(later()), "a look announces what is still owed");
        assertEquals(1, doorbellBytes(), "doorbell bytes while the next handler blocks");
        assertEquals(WorkerFileDescriptor.AWAKE, header.getIntVolatile(WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET));
        assertEquals(List.of("1 200"), responseHeads());
        assertFalse(worker.watcher().poll(later()), "announced once");
    }

    @Test
    void shouldWakeListenerWhenResponseCompletesEvenIfHandlerGoesOnWorking() throws Exception
    {
        listenerSleeps();
        writeHead(3, "/answer-then-block");

        startDutyCycle();
        assertTrue(handler.blocked.await(5, TimeUnit.SECONDS), "the handler did not answer");

        assertTrue(worker.watcher().poll(later()), "a look announces the answer");
        assertEquals(1, doorbellBytes(), "doorbell bytes once the response is complete");
        assertEquals(List.of("3 200"), responseHeads());
    }

    @Test
    void shouldRingOnceForBatchOfAnswersAndNotAtAllWhenListenerIsAwake() throws Exception
    {
        listenerSleeps();
        for (int i = 0; i < 10; i++)
        {
            writeHead(10 + i, "/hello");
        }
        assertEquals(10, worker.doWork());
        assertFalse(worker.watcher().poll(later()), "handlers that return hand nothing over");
        assertEquals(1, doorbellBytes(), "one doorbell byte for one sleep of the listener");
        assertEquals(10, responseHeads().size());

        writeHead(30, "/hello");
        assertEquals(1, worker.doWork());
        assertEquals(0, doorbellBytes(), "no doorbell byte for an awake listener");
        assertEquals(List.of("30 200"), responseHeads());
    }

    @Test
    void shouldHandNothingOffWhileListenerIsAwake() throws Exception
    {
        // the listener looks at its ring (flag clear): it sees the answers before it sleeps, nothing is owed to it
        writeHead(40, "/hello");
        writeHead(41, "/answer-then-block");

        startDutyCycle();
        assertTrue(handler.blocked.await(5, TimeUnit.SECONDS), "the handler did not answer");

        assertFalse(worker.watcher().poll(later()), "nothing handed off to announce");
        assertEquals(0, doorbellBytes(), "no doorbell byte for an awake listener");
        assertEquals(WorkerFileDescriptor.AWAKE, header.getIntVolatile(WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET));
        assertEquals(List.of("40 200", "41 200"), responseHeads(), "both answers are in the ring for its next look");
    }

    @Test
    void shouldHandOffWhatIsOwedOnceListenerSleepsWhileHandlerRuns() throws Exception
    {
        // the listener was awake for request 50's answer, then armed its flag before request 51's answer
        handler.armListenerBeforeAnswer = this::listenerSleeps;
        writeHead(50, "/hello");
        writeHead(51, "/answer-then-block");

        startDutyCycle();
        assertTrue(handler.blocked.await(5, TimeUnit.SECONDS), "the handler did not answer");

        assertTrue(worker.watcher().poll(later()), "the answer committed after the listener armed is announced");
        assertEquals(1, doorbellBytes(), "one doorbell byte while the handler blocks");
        assertEquals(List.of("50 200", "51 200"), responseHeads());
    }

    /**
     * @return a time by which every hand-off made so far is owed long enough to be announced.
     */
    private static long later()
    {
        return System.nanoTime() + PendingWakeWatcher.ANNOUNCE_AFTER_NS;
    }

    private void listenerSleeps()
    {
        header.putIntVolatile(WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET, WorkerFileDescriptor.SLEEPING);
    }

    /**
     * The worker's own duty cycle ({@link SharedMemoryWorker#run()}), on a thread of its own as in a worker process.
     */
    private void startDutyCycle()
    {
        duty = new Thread(worker::run, "duty");
        duty.start();
    }

    private int doorbellBytes() throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(64);
        final int read = listenerDoorbell.read(bytes);
        return Math.max(0, read);
    }

    private List<String> responseHeads()
    {
        final List<String> heads = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        listenerResponses.read(
            (msgTypeId, buffer, index, length) ->
            {
                if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                {
                    decoder.wrap(buffer, index);
                    heads.add(decoder.requestId() + " " + decoder.status());
                }
            },
            100);
        return heads;
    }

    private void writeHead(final long requestId, final String target)
    {
        rings.writeHead(requestId, "GET", target, 0, System.nanoTime());
    }

    /**
     * {@code /hello}: 200 at once; {@code /block}: blocks until released; {@code /answer-then-block}: 200, then blocks
     * until released.
     */
    private static final class BlockingHandler implements Handler
    {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile Runnable armListenerBeforeAnswer = () -> {};

        public void onRequest(final Exchange exchange)
        {
            final String target = exchange.target();
            if (target.equals("/hello"))
            {
                exchange.respond(200, "text/plain", new byte[]{ 'o', 'k' });
                return;
            }
            if (target.equals("/answer-then-block"))
            {
                armListenerBeforeAnswer.run();
                exchange.respond(200, "text/plain", new byte[]{ 'o', 'k' });
            }
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
