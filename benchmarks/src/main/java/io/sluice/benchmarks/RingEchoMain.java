package io.sluice.benchmarks;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The echo worker process of {@link RingRoundTripBenchmark}'s cross-process variant: maps a worker file the benchmark
 * created (see {@link WorkerFileDescriptor}), writes its PID into the header as the product's worker does (the
 * benchmark waits for that), and runs a {@link RingEchoAgent} on a busy-spinning thread.
 * <p>
 * It stops on SIGTERM (how the benchmark's teardown ends it) and when its standard input reaches end-of-file, which
 * happens when the benchmark's JVM dies without a teardown: a busy-spinning orphan would otherwise hold a core.
 * <pre>
 *     java [flags] -cp sluice-benchmarks.jar io.sluice.benchmarks.RingEchoMain /dev/shm/.../rings
 * </pre>
 */
public final class RingEchoMain
{
    private RingEchoMain()
    {
    }

    /**
     * Run the echo until SIGTERM or end of standard input.
     *
     * @param args the path of the worker file.
     * @throws IOException when the file cannot be mapped or is not ready.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 1)
        {
            System.err.println("usage: RingEchoMain <worker file>");
            System.exit(2);
        }

        final Path file = Path.of(args[0]);
        final MappedByteBuffer mapped = SharedMemoryFiles.mapExisting(file);
        final UnsafeBuffer header = WorkerFileDescriptor.headerBuffer(mapped);
        if (header.getIntVolatile(WorkerFileDescriptor.LAYOUT_VERSION_OFFSET) != WorkerFileDescriptor.LAYOUT_VERSION)
        {
            throw new IOException("worker file not ready or of another version: " + file);
        }
        final RingEchoAgent agent = new RingEchoAgent(
            new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(mapped)),
            new ManyToOneRingBuffer(WorkerFileDescriptor.responseRingBuffer(mapped)));
        final AgentRunner runner = new AgentRunner(
            new BusySpinIdleStrategy(),
            (throwable) ->
            {
                throwable.printStackTrace();
                Runtime.getRuntime().halt(1);
            },
            null,
            agent);
        AgentRunner.startOnThread(runner);
        Runtime.getRuntime().addShutdownHook(new Thread(runner::close, "ring-echo-shutdown"));
        header.putLongRelease(WorkerFileDescriptor.WORKER_PID_OFFSET, ProcessHandle.current().pid());

        awaitEndOfInput(System.in);
        runner.close();
        IoUtil.unmap(mapped);
    }

    /**
     * The command that starts this main in a new JVM: the running JVM's java, the benchmark fork flags and the
     * running JVM's class path.
     *
     * @param file the worker file.
     * @return the command line.
     */
    static List<String> command(final Path file)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(AbstractBenchmark.JVM_ARGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RingEchoMain.class.getName());
        command.add(file.toString());
        return command;
    }

    private static void awaitEndOfInput(final InputStream in)
    {
        final byte[] discard = new byte[64];
        try
        {
            int read;
            do
            {
                read = in.read(discard);
            }
            while (read >= 0);
        }
        catch (final IOException ex)
        {
            // the parent's end of the pipe is gone: that is the signal to stop
        }
    }
}
