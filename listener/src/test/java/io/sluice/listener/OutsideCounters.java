package io.sluice.listener;

import io.sluice.listener.counters.CountersSnapshot;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a listener's counters file as a process outside it would, from the documented layout alone (offsets written
 * out here, not taken from the listener's classes): maps {@code counters.dat} read-only, checks the header, and reads
 * the counters with a plain Agrona {@link CountersReader}.
 */
final class OutsideCounters implements AutoCloseable
{
    static final String FILE_NAME = "counters.dat";
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 128;

    private final MappedByteBuffer mapped;
    private final CountersReader reader;
    private final long pid;
    private final long startTimeMs;

    private OutsideCounters(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        if (VERSION != mapped.getInt(0) || HEADER_LENGTH != mapped.getInt(4))
        {
            throw new IllegalStateException("not a ready counters file of version 1: version=" + mapped.getInt(0) +
                " headerLength=" + mapped.getInt(4));
        }
        final int metaDataLength = mapped.getInt(8);
        final int valuesLength = mapped.getInt(12);
        pid = mapped.getLong(16);
        startTimeMs = mapped.getLong(24);
        reader = new CountersReader(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metaDataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metaDataLength, valuesLength),
            StandardCharsets.US_ASCII);
    }

    /**
     * @param dir a listener's shared-memory directory.
     * @return its counters, mapped read-only.
     */
    static OutsideCounters open(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.READ))
        {
            return new OutsideCounters(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
        }
    }

    CountersReader reader()
    {
        return reader;
    }

    long pid()
    {
        return pid;
    }

    long startTimeMs()
    {
        return startTimeMs;
    }

    CountersSnapshot snapshot()
    {
        return CountersSnapshot.read(reader);
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
