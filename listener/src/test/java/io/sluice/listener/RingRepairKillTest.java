package io.sluice.listener;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.process.WorkerSupervisor;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact ring repair (docs/shared-memory-protocol.md, "Repairing the request ring"): clients stream multi-MiB uploads
 * to a streaming echo while the worker is SIGKILLed at random points, preferably (found by stopping it at random
 * moments and looking at its ring) while Agrona zeroes a body chunk it took, which leaves a half-zeroed record at the
 * head of its request ring. After every kill the replacement must serve, and every request gets exactly one answer:
 * 200 with its whole body echoed, 502 for a POST the dead worker had taken, or the connection closed after the dead
 * worker had begun the response; executions are counted in the workers' own log ({@link DeliveryHandler}), and none
 * is run twice.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RingRepairKillTest
{

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long SERVE_TIMEOUT_MS = 15_000;
    private static final int CLIENTS = 4;
    private static final int KILLS = 6;
    private static final int MIN_BODY_BYTES = 1024 * 1024;
    private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    // the zeroing is a window of microseconds: the probes rarely find it (none in 48 kills of eight runs, ~1,000
    // probes each); SharedMemoryLinkRecoveryTest repairs each half-zeroed state deterministically, this test kills
    // wherever the probes end
    private static final long PROBES_MS = 300;
    private static final int MAX_PROBE_INTERVAL_MS = 3;

    /**
     * @param loops the listener's event loops: every shared-memory worker serves one lane per loop.
     * @return the configuration.
     */
    private static String config(final int loops)
    {
        return TestConfig.listener()
            .listener("eventLoops", loops)
            .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
                .worker("rapidFailsPerMinute", 1000)
                .worker("shutdownTimeLimit", "1s"))
            .yaml();
    }

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;
    private Signals signals;

    @AfterEach
    void closeSignals()
    {
        if (null != signals)
        {
            signals.close();
            signals = null;
        }
    }

    @ParameterizedTest(name = "{0} event loop(s)")
    @ValueSource(ints = { 1, 4 })
    void shouldServeAfterEveryKillAndAnswerEveryUploadExactlyOnce(final int loops) throws Exception
    {
        listener = LISTENERS.start("ring-repair", config(loops));
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final Random random = new Random();
        final long seed = random.nextLong();
        random.setSeed(seed);

        final Uploads uploads = new Uploads(listener.port(), seed);
        uploads.start();
        final ManyToOneRingBuffer requestRing = requestRing(listener.shmDir());
        signals = new Signals();
        long pid = supervisor.pid(0);
        int served = 0;
        int killedZeroing = 0;
        int probes = 0;
        for (int i = 0; i < KILLS; i++)
        {
            final long answered = uploads.ok.get();
            awaitOk(uploads, answered, "worker " + pid + " (before kill " + i + ") served no upload");
            served++;
            // somewhere in the middle of an upload: taking chunks off the ring, zeroing them, echoing. Stop the
            // worker at random points until one finds it zeroing the record at its head, then kill it there (or,
            // once the probes' time is up, wherever it is)
            final long probesEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBES_MS);
            while (System.nanoTime() - probesEndNs < 0)
            {
                Thread.sleep(random.nextInt(MAX_PROBE_INTERVAL_MS + 1));
                signals.send("STOP", pid);
                if (!signals.awaitStopped(pid))
                {
                    continue;
                }
                probes++;
                if (isZeroingHeadRecord(requestRing))
                {
                    killedZeroing++;
                    break;
                }
                signals.send("CONT", pid);
            }
            WorkerSignals.kill(pid);
            pid = WorkerSignals.awaitNewPid(supervisor, pid);
        }
        awaitOk(uploads, uploads.ok.get(), "the last replacement served no upload");
        served++;
        uploads.stop();

        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("shm");
        final Map<String, Integer> executions = DeliveryHandler.executions(listener.logDir().resolve("shm.log"));
        System.out.printf(
            "ring repair under kills (seed %d, %d probes): %d kills (%d while zeroing the head record), " +
            "%d replacements served, " +
            "%d ring repairs; %d uploads sent, %d answered: 200=%d 502=%d closed after the head=%d; lost=%d, " +
            "run twice=%d%n",
            seed, probes, KILLS, killedZeroing, served - 1, host.ringRepairCount(), uploads.sent.get(),
            uploads.answered(), uploads.ok.get(), uploads.failed502.get(), uploads.cut.get(), uploads.lost.size(),
            executions.values().stream().filter((count) -> count > 1).count());

        assertEquals(List.of(), uploads.lost, "uploads without an answer, or a wrong one");
        assertEquals(uploads.sent.get(), uploads.answered(), "one answer per upload");
        for (final Map.Entry<String, Integer> execution : executions.entrySet())
        {
            assertEquals(1, execution.getValue(), "run more than once: " + execution.getKey());
        }
        for (final String id : uploads.answeredOk)
        {
            assertEquals(1, executions.getOrDefault("POST " + id, 0), "answered 200, not run once: " + id);
        }
        for (final String id : uploads.answeredCut)
        {
            assertEquals(1, executions.getOrDefault("POST " + id, 0), "response begun, not run once: " + id);
        }
        assertEquals(
            uploads.failed502.get() + uploads.cut.get(), host.failedOnWorkerExitCount(), "502 only for a taken POST");
    }

    /**
     * The request ring of the queue's only worker, read as an outsider would, from the documented layout.
     */
    private static ManyToOneRingBuffer requestRing(final Path shmDir) throws IOException
    {
        try (Stream<Path> files = Files.walk(shmDir))
        {
            final Path rings = files
                .filter((file) -> file.getFileName().toString().equals(WorkerFileDescriptor.RINGS_FILE_NAME))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no ring file under " + shmDir));
            return new ManyToOneRingBuffer(
                WorkerFileDescriptor.requestRingBuffer(SharedMemoryFiles.mapExisting(rings)));
        }
    }

    /**
     * The worker (stopped) has begun zeroing the record at its head (Agrona zeroes the header first), or finished,
     * and not yet moved the head past it.
     */
    private static boolean isZeroingHeadRecord(final ManyToOneRingBuffer ring)
    {
        final long head = ring.consumerPosition();
        return head < ring.producerPosition() &&
            ring.buffer().getIntVolatile(RecordDescriptor.lengthOffset((int)head & (ring.capacity() - 1))) == 0;
    }

    private static void awaitOk(final Uploads uploads, final long before, final String message)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SERVE_TIMEOUT_MS);
        while (uploads.ok.get() <= before && uploads.lost.isEmpty() && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(5);
        }
        assertEquals(List.of(), uploads.lost, "uploads without an answer, or a wrong one");
        assertTrue(uploads.ok.get() > before, message);
    }

    /**
     * Stop and continue signals from one shell's built-in {@code kill}, fast enough to stop a worker hundreds of times
     * a second (a process per signal takes milliseconds).
     */
    private static final class Signals implements AutoCloseable
    {
        private final Process shell;

        Signals() throws IOException
        {
            shell = new ProcessBuilder("sh").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        }

        void send(final String signal, final long pid) throws IOException
        {
            shell.getOutputStream().write(("kill -" + signal + " " + pid + "\n").getBytes(StandardCharsets.US_ASCII));
            shell.getOutputStream().flush();
        }

        /**
         * @return true once every thread of the process is stopped; false when it did not stop within 100 ms (it may
         * have been continued or killed meanwhile).
         */
        boolean awaitStopped(final long pid) throws IOException, InterruptedException
        {
            final Path tasks = Path.of("/proc", Long.toString(pid), "task");
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            while (System.nanoTime() - deadlineNs < 0)
            {
                boolean stopped = true;
                try (Stream<Path> threads = Files.list(tasks))
                {
                    for (final Path thread : (Iterable<Path>)threads::iterator)
                    {
                        // "pid (comm) state ...": comm may hold spaces and parentheses
                        final String stat = Files.readString(thread.resolve("stat"));
                        final char state = stat.charAt(stat.lastIndexOf(')') + 2);
                        stopped &= state == 'T' || state == 't';
                    }
                }
                catch (final IOException ex)
                {
                    // a thread ended while listed
                    stopped = false;
                }
                if (stopped)
                {
                    return true;
                }
                Thread.onSpinWait();
            }
            return false;
        }

        public void close()
        {
            shell.destroyForcibly();
        }
    }

    /**
     * {@link #CLIENTS} clients, each uploading bodies of 1 to 4 MiB one after the other to the echo, named by an
     * {@code X-Id}; the body is written from a second thread while the answer is read, so an early 502 is read even
     * when the listener stops reading the body.
     */
    private static final class Uploads extends ClientThreads
    {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed502 = new AtomicLong();
        final AtomicLong cut = new AtomicLong();
        final List<String> lost = Collections.synchronizedList(new ArrayList<>());
        final List<String> answeredOk = Collections.synchronizedList(new ArrayList<>());
        final List<String> answeredCut = Collections.synchronizedList(new ArrayList<>());
        private final int port;
        private final long seed;

        Uploads(final int port, final long seed)
        {
            super("upload", CLIENTS, "an upload is still waiting for its answer");
            this.port = port;
            this.seed = seed;
        }

        long answered()
        {
            return ok.get() + failed502.get() + cut.get();
        }

        void run(final int client)
        {
            final Random random = new Random(seed + client);
            final byte[] bytes = new byte[MAX_BODY_BYTES];
            try
            {
                for (int i = 0; running(); i++)
                {
                    final String id = String.format("c%d-r%05d", client, i);
                    final int length = MIN_BODY_BYTES + random.nextInt(MAX_BODY_BYTES - MIN_BODY_BYTES);
                    random.nextBytes(bytes);
                    final byte[] body = Arrays.copyOf(bytes, length);
                    sent.incrementAndGet();
                    upload(id, body);
                }
            }
            catch (final Exception ex)
            {
                lost.add("client " + client + ": " + ex);
            }
        }

        private void upload(final String id, final byte[] body) throws Exception
        {
            final RawHttpClient client = new RawHttpClient(port);
            {
                final byte[] request = RawHttpClient.concat(
                    RawHttpClient.request(
                        "POST", "/shm/stream", "127.0.0.1:" + port, "X-Id: " + id,
                        "Content-Type: application/octet-stream", "Content-Length: " + body.length),
                    body);
                final Thread writer = new Thread(
                    () ->
                    {
                        try
                        {
                            client.write(request);
                        }
                        catch (final IOException ignore)
                        {
                            // an early answer (502) closes the connection before the whole body is in
                        }
                    },
                    "upload-writer-" + id);
                writer.start();
                RawHttpClient.Response response = null;
                try
                {
                    response = client.readResponse(false);
                }
                catch (final IOException ex)
                {
                    if (null != ex.getMessage() && ex.getMessage().contains("body bytes"))
                    {
                        // the dead worker had begun the response: the listener closes the connection after the head
                        cut.incrementAndGet();
                        answeredCut.add(id);
                    }
                    else
                    {
                        lost.add(id + ": " + ex);
                    }
                }
                finally
                {
                    client.close();
                    writer.join(TimeUnit.SECONDS.toMillis(30));
                }
                if (null == response)
                {
                    return;
                }
                if (response.status() == 200 && Arrays.equals(body, response.body()))
                {
                    ok.incrementAndGet();
                    answeredOk.add(id);
                }
                else if (response.status() == 502)
                {
                    failed502.incrementAndGet();
                }
                else
                {
                    lost.add(id + ": status " + response.status() + ", " + response.body().length + " of " +
                        body.length + " bytes" + (response.status() == 200 ? ", not the body sent" : ""));
                }
            }
        }
    }
}
