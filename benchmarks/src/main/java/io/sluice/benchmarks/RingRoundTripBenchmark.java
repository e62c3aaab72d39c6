package io.sluice.benchmarks;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.config.QueueConfiguration;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request through Sluice's shared-memory hand-off and back: the benchmark thread plays the listener, encoding a
 * request head and a body of {@code payloadLength} bytes straight into the request ring; an echo worker reads them and
 * answers with one response record carrying the body; the benchmark thread busy-spins on the response ring and checks
 * the answer (see {@link RingEchoClient}, {@link EchoMessages}). Real codec ({@code RequestHeadEncoder} and friends),
 * real Agrona {@link ManyToOneRingBuffer}s over a worker file made with {@link SharedMemoryFiles} and
 * {@link WorkerFileDescriptor} in {@code /dev/shm}, rings of the product's default capacity.
 * <pre>
 *   benchmark thread ──REQUEST_HEAD, REQUEST_BODY──▶ request ring  ──▶ echo (thread or process)
 *          ▲                                                               │
 *          └──────────────── response ring ◀── RESPONSE_HEAD + body ───────┘
 * </pre>
 * <ul>
 *     <li>{@link #twoThreads}: the echo is an {@link AgentRunner} thread in the benchmark's JVM;</li>
 *     <li>{@link #twoProcesses}: the echo is {@link RingEchoMain} in a child JVM that maps the same file, the
 *     product's topology;</li>
 *     <li>{@link #baselineSameThreadEncodeDecode}: the same encoding, echo and checks in plain buffers on one thread,
 *     no ring: what the round trip costs beyond the codec and the copies.</li>
 * </ul>
 * Both sides busy-spin ({@link Thread#onSpinWait()}), so this is the hand-off's floor. The product's worker and
 * listener park when idle and ring a doorbell only when the other side sleeps; that wake-up cost is not measured
 * here. On a 2-core machine the two spinning sides take both cores.
 * <p>
 * One operation is one burst of {@code burstLength} requests (default 1: a pure round trip), sent as far as the ring
 * takes them, then all answers. SampleTime gives the round-trip percentiles; Throughput, with one request in flight,
 * is its inverse, and with {@code -p burstLength=16} shows what pipelining buys.
 */
@BenchmarkMode({ Mode.SampleTime, Mode.Throughput })
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RingRoundTripBenchmark extends AbstractBenchmark
{
    /**
     * Capacity of each ring: the product's default, so a 64 KiB body fits one message (capacity / 8).
     */
    public static final int RING_CAPACITY = QueueConfiguration.RING_CAPACITY_DEFAULT;

    private static final Path SHM_ROOT = Files.isDirectory(Path.of("/dev/shm")) ?
        Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
    private static final String DIR_PREFIX = "sluice-bench-";
    private static final AtomicInteger FILE_SEQUENCE = new AtomicInteger();
    private static final long ECHO_START_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(30);
    private static final long ECHO_STOP_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(5);

    /**
     * The baseline: encode, echo and check in plain buffers on the benchmark thread.
     *
     * @param state buffers and codec.
     * @return the id of the request answered.
     */
    @Benchmark
    public long baselineSameThreadEncodeDecode(final Baseline state)
    {
        return state.client.roundTripWithoutRing(state.echo, state.requestArea, state.responseArea);
    }

    /**
     * Round trip to an echo thread in this JVM.
     *
     * @param state rings, client and echo thread.
     * @return the id of the last request answered.
     */
    @Benchmark
    public long twoThreads(final TwoThreads state)
    {
        return state.client.roundTrip(state.burstLength);
    }

    /**
     * Round trip to an echo process.
     *
     * @param state rings, client and echo process.
     * @return the id of the last request answered.
     */
    @Benchmark
    public long twoProcesses(final TwoProcesses state)
    {
        return state.client.roundTrip(state.burstLength);
    }

    /**
     * Buffers for the baseline.
     */
    @State(Scope.Thread)
    public static class Baseline
    {
        /**
         * Body length of every request, in bytes.
         */
        @Param({ "64", "1024", "65536" })
        public int payloadLength;

        RingEchoClient client;
        RingEchoClient.LocalEcho echo;
        UnsafeBuffer requestArea;
        UnsafeBuffer responseArea;

        /**
         * Allocate the buffers.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            client = new RingEchoClient(null, null, payloadLength, () -> true);
            echo = new RingEchoClient.LocalEcho();
            requestArea = alignedBuffer(
                BitUtil.align(client.headLength(), Long.BYTES) + BodyChunkFlyweight.length(payloadLength));
            responseArea = alignedBuffer(EchoMessages.responseLength(payloadLength));
        }

        private static UnsafeBuffer alignedBuffer(final int length)
        {
            return new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                BitUtil.align(length, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));
        }
    }

    /**
     * A worker file with its two rings, and the client; the echo is up to the subclass.
     */
    @State(Scope.Thread)
    public abstract static class Rings
    {
        /**
         * Body length of every request, in bytes.
         */
        @Param({ "64", "1024", "65536" })
        public int payloadLength;

        /**
         * Requests per operation.
         */
        @Param({ "1" })
        public int burstLength;

        RingEchoClient client;
        Path dir;
        Path file;
        MappedByteBuffer mapped;

        /**
         * Create and map the worker file, start the echo; on failure remove the file again.
         *
         * @throws IOException when the file cannot be created or the echo does not start.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            final long pid = ProcessHandle.current().pid();
            removeLeftovers();
            dir = SHM_ROOT.resolve(DIR_PREFIX + pid + "-" + FILE_SEQUENCE.incrementAndGet());
            SharedMemoryFiles.createPrivateDirectory(dir);
            file = dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
            mapped = SharedMemoryFiles.createAndMap(
                file, WorkerFileDescriptor.fileLength(RING_CAPACITY, RING_CAPACITY));
            WorkerFileDescriptor.initialise(
                WorkerFileDescriptor.headerBuffer(mapped), RING_CAPACITY, RING_CAPACITY, pid,
                System.currentTimeMillis());
            client = new RingEchoClient(
                new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(mapped)),
                new ManyToOneRingBuffer(WorkerFileDescriptor.responseRingBuffer(mapped)),
                payloadLength,
                this::echoAlive);
            try
            {
                startEcho();
            }
            catch (final IOException | RuntimeException ex)
            {
                IoUtil.unmap(mapped);
                SharedMemoryFiles.deletePrivateDirectory(dir);
                throw ex;
            }
        }

        /**
         * Stop the echo, unmap and remove the worker file.
         *
         * @throws IOException when the file cannot be removed.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            try
            {
                stopEcho();
            }
            finally
            {
                IoUtil.unmap(mapped);
                SharedMemoryFiles.deletePrivateDirectory(dir);
            }
        }

        abstract void startEcho() throws IOException;

        // A fork killed before its teardown leaves its directory behind; its name says whose it was.
        private static void removeLeftovers() throws IOException
        {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(SHM_ROOT, DIR_PREFIX + "*"))
            {
                for (final Path leftover : dirs)
                {
                    final String name = leftover.getFileName().toString();
                    final int pidEnd = name.indexOf('-', DIR_PREFIX.length());
                    final String pid = pidEnd < 0 ? "" : name.substring(DIR_PREFIX.length(), pidEnd);
                    if (!pid.isEmpty() && pid.chars().allMatch(Character::isDigit) &&
                        ProcessHandle.of(Long.parseLong(pid)).isEmpty())
                    {
                        SharedMemoryFiles.deletePrivateDirectory(leftover);
                    }
                }
            }
        }

        abstract void stopEcho();

        abstract boolean echoAlive();
    }

    /**
     * The echo as a busy-spinning {@link AgentRunner} thread in this JVM.
     */
    public static class TwoThreads extends Rings
    {
        private AgentRunner runner;
        private volatile Throwable echoError;

        void startEcho()
        {
            // Built on the echo thread, from that thread's allocation buffer, so that as in the process variant none of
            // the echo's objects share a cache line with the client's.
            final CompletableFuture<AgentRunner> started = new CompletableFuture<>();
            final Thread thread = new Thread(
                () ->
                {
                    final RingEchoAgent agent = new RingEchoAgent(
                        new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(mapped)),
                        new ManyToOneRingBuffer(WorkerFileDescriptor.responseRingBuffer(mapped)));
                    final AgentRunner echoRunner = new AgentRunner(
                        new BusySpinIdleStrategy(), (throwable) -> echoError = throwable, null, agent);
                    started.complete(echoRunner);
                    echoRunner.run();
                },
                "ring-echo");
            thread.start();
            runner = started.join();
        }

        void stopEcho()
        {
            runner.close();
            if (null != echoError)
            {
                throw new IllegalStateException("echo thread failed", echoError);
            }
        }

        boolean echoAlive()
        {
            return null == echoError && !runner.isClosed();
        }
    }

    /**
     * The echo as {@link RingEchoMain} in a child JVM with the same class path, started per trial.
     */
    public static class TwoProcesses extends Rings
    {
        private Process process;

        void startEcho() throws IOException
        {
            process = new ProcessBuilder(RingEchoMain.command(file))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
            final UnsafeBuffer header = WorkerFileDescriptor.headerBuffer(mapped);
            final long deadlineMs = System.currentTimeMillis() + ECHO_START_TIMEOUT_MS;
            while (header.getLongVolatile(WorkerFileDescriptor.WORKER_PID_OFFSET) != process.pid())
            {
                if (!process.isAlive() || System.currentTimeMillis() > deadlineMs)
                {
                    process.destroyForcibly();
                    throw new IOException("echo process did not attach: command=" + RingEchoMain.command(file) +
                        ", alive=" + process.isAlive());
                }
                sleepMs(1);
            }
        }

        void stopEcho()
        {
            process.destroy();
            try
            {
                if (!process.waitFor(ECHO_STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly().waitFor();
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        boolean echoAlive()
        {
            return process.isAlive();
        }

        private static void sleepMs(final long ms) throws IOException
        {
            try
            {
                Thread.sleep(ms);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the echo process", ex);
            }
        }
    }
}
