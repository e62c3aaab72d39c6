package io.sluice.dispatch.worker;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadDecoder;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker that announced the wake pipe ({@link WorkerFileDescriptor#FEATURE_WAKE_PIPE}) sleeps reading the pipe, not
 * its doorbell socket: a byte on the pipe wakes it and it serves what its ring holds; end-of-file on the pipe, or its
 * doorbell socket closed by the listener while it sleeps on the pipe, means the listener is gone and its duty cycle
 * ends; asked to stop while asleep, it wakes. The listener's side is played by the test: a real ring file, a real
 * doorbell socket, and a real pipe named as the listener names it ({@code /proc/<pid>/fd/<n>}). A worker serving one
 * lane announces the feature when it could open the pipe, and not otherwise.
 */
@Timeout(10)
class SharedMemoryWorkerWakePipeTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path tempDir;

    private Path dir;
    private ListenerRings rings;
    private UnsafeBuffer header;
    private ServerSocketChannel server;
    private SocketChannel workerDoorbell;
    private SocketChannel listenerDoorbell;
    private FileDescriptor pipeReadEnd;
    private FileDescriptor pipeWriteEnd;
    private Path pipePath;
    private WakePipe wakePipe;
    private SharedMemoryWorker worker;
    private Thread duty;

    @BeforeEach
    void before() throws IOException
    {
        dir = tempDir.resolve("queue-0");
        rings = ListenerRings.create(dir, CAPACITY);
        header = rings.header;

        final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("doorbell.sock"));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
        workerDoorbell = SocketChannel.open(address);
        listenerDoorbell = server.accept();

        // the native transport makes the pipe, as in the listener
        Epoll.ensureAvailability();
        final FileDescriptor[] ends = FileDescriptor.pipe();
        pipeReadEnd = ends[0];
        pipeWriteEnd = ends[1];
        pipePath = Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + pipeReadEnd.intValue());
        wakePipe = WakePipe.open(pipePath);
        assertNotNull(wakePipe, "the pipe opens by its /proc path");

        worker = new SharedMemoryWorker(
            new HelloHandler(), header, rings.workerRequestRing(), rings.workerResponseRing(), workerDoorbell,
            wakePipe, 0, MessageDescriptor.RESPONSE_WINDOW_DEFAULT);
        worker.pollWakeWatcherByHand();
    }

    @AfterEach
    void after() throws Exception
    {
        pipeWriteEnd.close();
        listenerDoorbell.close();
        if (null != duty)
        {
            duty.join(TimeUnit.SECONDS.toMillis(5));
        }
        worker.closeWakePipe();
        pipeReadEnd.close();
        workerDoorbell.close();
        server.close();
        rings.close();
    }

    @Test
    void shouldSleepOnThePipeAndServeWhatItsByteAnnounces() throws Exception
    {
        startDutyCycle();
        awaitSleeps(1);

        rings.writeHead(1, "GET", "/hello", 0, System.nanoTime());
        // the worker is asleep: a byte on its doorbell socket would not wake it, the pipe's does
        wake();

        assertEquals(List.of("1 200"), awaitResponseHeads(1));
        awaitSleeps(2);
        assertEquals(0, available(listenerDoorbell), "an awake listener is not rung on the socket");
        assertTrue(duty.isAlive());
    }

    @Test
    void shouldEndItsDutyCycleAtTheEndOfThePipe() throws Exception
    {
        startDutyCycle();
        awaitSleeps(1);

        // the listener's exit closes its ends of the pipe
        pipeWriteEnd.close();
        pipeReadEnd.close();

        duty.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(duty.isAlive(), "the duty cycle ended");
        assertTrue(worker.isListenerGone());
    }

    @Test
    void shouldEndItsDutyCycleWhenTheListenerClosesTheDoorbellWhileItSleepsOnThePipe() throws Exception
    {
        worker.watchDoorbell();
        startDutyCycle();
        awaitSleeps(1);

        listenerDoorbell.close();

        duty.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(duty.isAlive(), "the duty cycle ended");
        assertTrue(worker.isListenerGone());
    }

    @Test
    void shouldWakeFromThePipeWhenAskedToStop() throws Exception
    {
        worker.watchDoorbell();
        startDutyCycle();
        awaitSleeps(1);

        assertTrue(worker.requestStop());
        assertEquals(1, available(listenerDoorbell), "the stop's byte tells the listener it is not gone");

        duty.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(duty.isAlive(), "a drained worker asked to stop ends its duty cycle");
        assertFalse(worker.isListenerGone(), "a stop is not the listener's end");
    }

    @Test
    void shouldAnnounceTheWakePipeOnlyWhenItServesOneLaneAndCouldOpenIt() throws Exception
    {
        final List<Integer> features = new ArrayList<>();
        for (final WorkerEnvironment env : List.of(environment(1, pipePath), environment(2, pipePath),
            environment(1, null), environment(1, tempDir.resolve("no-such-pipe"))))
        {
            final SharedMemoryAttachment attachment = SharedMemoryAttachment.attach(env, 0);
            try (SocketChannel accepted = server.accept())
            {
                assertEquals(TOKEN.length(), accepted.read(ByteBuffer.allocate(64)), "the token");
                features.add(header.getIntVolatile(WorkerFileDescriptor.WORKER_FEATURES_OFFSET));
                if (null != attachment.wakePipe())
                {
                    attachment.wakePipe().close();
                }
            }
            finally
            {
                attachment.doorbell().close();
            }
        }

        // inline bodies, the credit queue and the response ring zeroed ahead always; the wake pipe only for one lane
        // with a pipe it could open
        final int always = WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY |
            WorkerFileDescriptor.FEATURE_CREDIT_QUEUE | WorkerFileDescriptor.FEATURE_RESPONSE_RING_ZEROED_AHEAD;
        assertEquals(List.of(always | WorkerFileDescriptor.FEATURE_WAKE_PIPE, always, always, always), features);
    }

    private WorkerEnvironment environment(final int lanes, final Path wakePipePath)
    {
        return new WorkerEnvironment(
            "queue", WorkerEnvironment.SHARED_MEMORY, dir, 0, TOKEN, "/", -1, 0, 1_000, 0,
            MessageDescriptor.RESPONSE_WINDOW_DEFAULT, WorkerEnvironment.HEADER_WAIT_MS_DEFAULT,
            WorkerEnvironment.IDLE_CONNECTION_MS_DEFAULT, WorkerEnvironment.MAX_CONNECTIONS_DEFAULT, lanes,
            wakePipePath);
    }

    private void startDutyCycle()
    {
        duty = new Thread(worker::run, "duty");
        duty.start();
    }

    private void wake() throws IOException
    {
        final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
        assertEquals(1, pipeWriteEnd.write(wakeByte, 0, 1));
    }

    /**
     * Wait (bounded by the test's timeout) until the duty cycle has gone to sleep this many times: its sleeping flag
     * is set and its sleep counter reached the count.
     */
    private void awaitSleeps(final long sleeps) throws InterruptedException
    {
        while (worker.counters().sleeps().get() < sleeps ||
            WorkerFileDescriptor.SLEEPING != header.getIntVolatile(WorkerFileDescriptor.WORKER_SLEEPING_OFFSET))
        {
            Thread.sleep(1);
        }
    }

    private List<String> awaitResponseHeads(final int count) throws InterruptedException
    {
        final List<String> heads = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        while (heads.size() < count)
        {
            rings.responses.read(
                (msgTypeId, buffer, index, length) ->
                {
                    if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                    {
                        decoder.wrap(buffer, index);
                        heads.add(decoder.requestId() + " " + decoder.status());
                    }
                },
                100);
            Thread.sleep(1);
        }
        return heads;
    }

    private static int available(final SocketChannel channel) throws IOException
    {
        channel.configureBlocking(false);
        try
        {
            return Math.max(0, channel.read(ByteBuffer.allocate(64)));
        }
        finally
        {
            channel.configureBlocking(true);
        }
    }

    /**
     * {@code 200 ok} for every request.
     */
    private static final class HelloHandler implements Handler
    {
        public void onRequest(final Exchange exchange)
        {
            exchange.respond(200, "text/plain", new byte[]{ 'o', 'k' });
        }

        public void onBody(
            final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
        }
    }
}
