package io.sluice.listener;

import io.sluice.listener.process.WorkerCommand;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A shared-memory worker written from {@code docs/shared-memory-protocol.md} that leaves a process behind: its first
 * start launches a second process (the orphan) and exits without attaching; the orphan maps the worker's ring file
 * (its path inherited through {@code SLUICE_SHM_DIR}), writes its PID to the marker file named by the first argument
 * and then commits a record of an unknown type into the response ring every 300 ms, as if it were the worker. Every
 * later start (the marker exists) is a well-behaved {@link HostileWorker}. With {@code late} as the second argument
 * the orphan writes its PID first and maps the ring file only 1.5 s later, when the replacement has started.
 */
public final class OrphaningWorker
{
    private static final String ORPHAN = "orphan";
    private static final String LATE = "late";
    private static final long LATE_MAP_DELAY_MS = 1_500;
    private static final int UNKNOWN_TYPE = 99;
    private static final long WRITE_INTERVAL_MS = 300;
    private static final long ORPHAN_LIFETIME_MS = 60_000;
    private static final long MARKER_TIMEOUT_MS = 20_000;

    private OrphaningWorker()
    {
    }

    /**
     * @param args the marker file, then {@code late} or nothing, then {@code orphan} in the orphan.
     * @throws Exception when the rings cannot be mapped.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path marker = Path.of(args[0]);
        final boolean late = args.length > 1 && LATE.equals(args[1]);
        if (ORPHAN.equals(args[args.length - 1]))
        {
            orphan(marker, late);
        }
        else if (Files.exists(marker))
        {
            HostileWorker.main(new String[0]);
        }
        else
        {
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(WorkerCommand.workerJvmFlags());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(OrphaningWorker.class.getName());
            command.add(marker.toString());
            if (late)
            {
                command.add(LATE);
            }
            command.add(ORPHAN);
            new ProcessBuilder(command)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(marker.resolveSibling(marker.getFileName() + ".err").toFile())
                .start();
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MARKER_TIMEOUT_MS);
            while (!Files.exists(marker) && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(10);
            }
            System.exit(0);
        }
    }

    private static void orphan(final Path marker, final boolean late) throws Exception
    {
        if (late)
        {
            writeMarker(marker);
            Thread.sleep(LATE_MAP_DELAY_MS);
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(
            Path.of(System.getenv("SLUICE_SHM_DIR"), "rings"), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }
        final UnsafeBuffer file = new UnsafeBuffer(mapped);
        final int headerLength = file.getInt(RawRingWorker.HEADER_LENGTH_OFFSET);
        final int requestLength = file.getInt(RawRingWorker.REQUEST_RING_LENGTH_OFFSET);
        final int responseLength = file.getInt(RawRingWorker.RESPONSE_RING_LENGTH_OFFSET);
        final ManyToOneRingBuffer responseRing = new ManyToOneRingBuffer(
            new UnsafeBuffer(mapped, headerLength + requestLength, responseLength));
        if (!late)
        {
            writeMarker(marker);
        }

        final UnsafeBuffer record = new UnsafeBuffer(new byte[16]);
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ORPHAN_LIFETIME_MS);
        while (System.nanoTime() - endNs < 0)
        {
            Thread.sleep(WRITE_INTERVAL_MS);
            responseRing.write(UNKNOWN_TYPE, record, 0, record.capacity());
        }
    }

    private static void writeMarker(final Path marker) throws Exception
    {
        final Path written = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.writeString(written, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
        Files.move(written, marker);
    }
}
