package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class WorkerFileDescriptorTest
{
    private static final int TRAILER = RingBufferDescriptor.TRAILER_LENGTH;
    private static final int REQUEST_CAPACITY = 64 * 1024;
    private static final int RESPONSE_CAPACITY = 128 * 1024;

    @TempDir
    Path tempDir;

    @Test
    void shouldAddHeaderAndTwoTrailersWhenComputingFileLength()
    {
        assertEquals(4096L + 65536 + TRAILER + 131072 + TRAILER,
            WorkerFileDescriptor.fileLength(REQUEST_CAPACITY, RESPONSE_CAPACITY));
        assertEquals(4096L + 4096 + TRAILER + 4096 + TRAILER, WorkerFileDescriptor.fileLength(4096, 4096));
        assertEquals(4096L + 2L * ((1 << 30) + TRAILER), WorkerFileDescriptor.fileLength(1 << 30, 1 << 30));
    }

    @Test
    void shouldRejectCapacityWhenNotPowerOfTwo()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> WorkerFileDescriptor.checkCapacity("ringCapacity", 65535));

        assertEquals("ringCapacity must be a power of two of at least 4096: ringCapacity=65535", ex.getMessage());
    }

    @Test
    void shouldRejectCapacityWhenPowerOfTwoBelow4096()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> WorkerFileDescriptor.checkCapacity("ringCapacity", 2048));

        assertEquals("ringCapacity must be a power of two of at least 4096: ringCapacity=2048", ex.getMessage());
    }

    @Test
    void shouldRejectCapacityWhenZeroOrNegative()
    {
        assertEquals("c must be a power of two of at least 4096: c=0", assertThrows(
            IllegalArgumentException.class, () -> WorkerFileDescriptor.checkCapacity("c", 0)).getMessage());
        assertEquals("c must be a power of two of at least 4096: c=-2147483648", assertThrows(
            IllegalArgumentException.class,
            () -> WorkerFileDescriptor.checkCapacity("c", Integer.MIN_VALUE)).getMessage());
    }

    @Test
    void shouldAcceptCapacityWhenPowerOfTwoOfAtLeast4096()
    {
        WorkerFileDescriptor.checkCapacity("c", 4096);
        WorkerFileDescriptor.checkCapacity("c", 1 << 30);
    }

    @Test
    void shouldNameTheBadRingWhenComputingFileLength()
    {
        assertEquals("requestRingCapacity must be a power of two of at least 4096: requestRingCapacity=1000",
            assertThrows(IllegalArgumentException.class,
                () -> WorkerFileDescriptor.fileLength(1000, 4096)).getMessage());
        assertEquals("responseRingCapacity must be a power of two of at least 4096: responseRingCapacity=6000",
            assertThrows(IllegalArgumentException.class,
                () -> WorkerFileDescriptor.fileLength(4096, 6000)).getMessage());
    }

    @Test
    void shouldExposeHeaderOffsetsMatchingJavadocDiagram()
    {
        assertEquals(0, WorkerFileDescriptor.LAYOUT_VERSION_OFFSET);
        assertEquals(4, WorkerFileDescriptor.HEADER_LENGTH_OFFSET);
        assertEquals(8, WorkerFileDescriptor.REQUEST_RING_LENGTH_OFFSET);
        assertEquals(12, WorkerFileDescriptor.RESPONSE_RING_LENGTH_OFFSET);
        assertEquals(16, WorkerFileDescriptor.LISTENER_PID_OFFSET);
        assertEquals(24, WorkerFileDescriptor.LISTENER_START_TIME_OFFSET);
        assertEquals(32, WorkerFileDescriptor.LISTENER_HEARTBEAT_OFFSET);
        assertEquals(40, WorkerFileDescriptor.WORKER_PID_OFFSET);
        assertEquals(48, WorkerFileDescriptor.WORKER_HEARTBEAT_OFFSET);
        assertEquals(56, WorkerFileDescriptor.WORKER_FEATURES_OFFSET);
        assertEquals(1, WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY);
        assertEquals(60, WorkerFileDescriptor.LISTENER_FEATURES_OFFSET);
        assertEquals(1, WorkerFileDescriptor.FEATURE_REQUEST_RING_ZEROED_AHEAD);
        assertEquals(128, WorkerFileDescriptor.WORKER_SLEEPING_OFFSET);
        assertEquals(256, WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET);
        assertEquals(384, WorkerFileDescriptor.WORKER_REQUESTS_OFFSET);
        assertEquals(4096, WorkerFileDescriptor.HEADER_LENGTH);
        assertEquals(3, WorkerFileDescriptor.LAYOUT_VERSION);
        assertEquals(1, WorkerFileDescriptor.SLEEPING);
        assertEquals(0, WorkerFileDescriptor.AWAKE);
    }

    @Test
    void shouldWriteLayoutVersionLastWhenInitialising()
    {
        final RecordingBuffer header = new RecordingBuffer(new byte[WorkerFileDescriptor.HEADER_LENGTH]);

        WorkerFileDescriptor.initialise(header, REQUEST_CAPACITY, RESPONSE_CAPACITY, 4242L, 1_700_000_000_123L);

        final List<String> writes = header.writes;
        assertEquals("putIntRelease@0=3 (version was 0)", writes.get(writes.size() - 1));
        final Set<String> before = new HashSet<>(writes.subList(0, writes.size() - 1));
        assertEquals(Set.of(
            "putInt@4=4096 (version was 0)",
            "putInt@8=" + (65536 + TRAILER) + " (version was 0)",
            "putInt@12=" + (131072 + TRAILER) + " (version was 0)",
            "putLong@16=4242 (version was 0)",
            "putLong@24=1700000000123 (version was 0)",
            "putInt@60=0 (version was 0)",
            "putLongVolatile@32=1700000000123 (version was 0)"), before);
        assertEquals(8, writes.size());
    }

    @Test
    void shouldWriteHeaderLittleEndianWhenFileIsInitialised() throws IOException
    {
        try (MappedWorkerFile file = MappedWorkerFile.create(tempDir, REQUEST_CAPACITY, RESPONSE_CAPACITY))
        {
            final ByteBuffer bytes = readFile(file.file, 0, 64);

            assertEquals(3, bytes.getInt(0));
            assertEquals(4096, bytes.getInt(4));
            assertEquals(65536 + TRAILER, bytes.getInt(8));
            assertEquals(131072 + TRAILER, bytes.getInt(12));
            assertEquals(MappedWorkerFile.LISTENER_PID, bytes.getLong(16));
            assertEquals(MappedWorkerFile.START_TIME_MS, bytes.getLong(24));
            assertEquals(MappedWorkerFile.START_TIME_MS, bytes.getLong(32));
            assertEquals(0L, bytes.getLong(40));
            assertEquals(0L, bytes.getLong(48));
            assertEquals(WorkerFileDescriptor.fileLength(REQUEST_CAPACITY, RESPONSE_CAPACITY), Files.size(file.file));
        }
    }

    @Test
    void shouldPlaceRingsAtDocumentedOffsetsWhenFileIsMapped() throws IOException
    {
        try (MappedWorkerFile file = MappedWorkerFile.create(tempDir, REQUEST_CAPACITY, RESPONSE_CAPACITY))
        {
            final long base = new UnsafeBuffer(file.mapped).addressOffset();
            final UnsafeBuffer requestRing = WorkerFileDescriptor.requestRingBuffer(file.mapped);
            final UnsafeBuffer responseRing = WorkerFileDescriptor.responseRingBuffer(file.mapped);

            assertEquals(4096L, requestRing.addressOffset() - base);
            assertEquals(65536 + TRAILER, requestRing.capacity());
            assertEquals(4096L + 65536 + TRAILER, responseRing.addressOffset() - base);
            assertEquals(131072 + TRAILER, responseRing.capacity());
            assertEquals(file.mapped.capacity(), responseRing.addressOffset() - base + responseRing.capacity());
            assertEquals(0L, WorkerFileDescriptor.headerBuffer(file.mapped).addressOffset() - base);
            assertEquals(4096, WorkerFileDescriptor.headerBuffer(file.mapped).capacity());
            assertEquals(REQUEST_CAPACITY, file.requestRing.capacity());
            assertEquals(RESPONSE_CAPACITY, file.responseRing.capacity());
        }
    }

    @Test
    void shouldLandRingRecordsAtDocumentedFileOffsetsWhenWritten() throws IOException
    {
        try (MappedWorkerFile file = MappedWorkerFile.create(tempDir, REQUEST_CAPACITY, RESPONSE_CAPACITY))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[]{'a', 'b', 'c', 'd', 'e'});
            assertTrue(file.requestRing.write(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, payload, 0, 5));
            assertTrue(file.responseRing.write(MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID, payload, 1, 3));

            final ByteBuffer request = readFile(file.file, 4096, 16);
            assertEquals(8 + 5, request.getInt(0));
            assertEquals(1, request.getInt(4));
            assertEquals('a', request.get(8));
            assertEquals('e', request.get(12));

            final ByteBuffer response = readFile(file.file, 4096 + 65536 + TRAILER, 16);
            assertEquals(8 + 3, response.getInt(0));
            assertEquals(12, response.getInt(4));
            assertEquals('b', response.get(8));
            assertEquals('d', response.get(10));
        }
    }

    private static ByteBuffer readFile(final Path file, final long position, final int length) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (bytes.hasRemaining())
            {
                if (channel.read(bytes, position + bytes.position()) < 0)
                {
                    break;
                }
            }
        }
        return bytes.flip();
    }

    private static final class RecordingBuffer extends UnsafeBuffer
    {
        final List<String> writes = new ArrayList<>();

        RecordingBuffer(final byte[] bytes)
        {
            super(bytes);
        }

        public void putInt(final int index, final int value)
        {
            record("putInt", index, value);
            super.putInt(index, value);
        }

        public void putIntVolatile(final int index, final int value)
        {
            record("putIntVolatile", index, value);
            super.putIntVolatile(index, value);
        }

        public void putIntRelease(final int index, final int value)
        {
            record("putIntRelease", index, value);
            super.putIntRelease(index, value);
        }

        public void putLong(final int index, final long value)
        {
            record("putLong", index, value);
            super.putLong(index, value);
        }

        public void putLongVolatile(final int index, final long value)
        {
            record("putLongVolatile", index, value);
            super.putLongVolatile(index, value);
        }

        public void putLongRelease(final int index, final long value)
        {
            record("putLongRelease", index, value);
            super.putLongRelease(index, value);
        }

        private void record(final String operation, final int index, final long value)
        {
            writes.add(operation + "@" + index + "=" + value + " (version was " + getInt(0) + ")");
        }
    }

    @Test
    void shouldNameEveryLanesFilesLane0AsBefore()
    {
        assertEquals("rings", WorkerFileDescriptor.ringsFileName(0));
        assertEquals("doorbell.sock", WorkerFileDescriptor.doorbellFileName(0));
        assertEquals("rings.1", WorkerFileDescriptor.ringsFileName(1));
        assertEquals("doorbell.255.sock", WorkerFileDescriptor.doorbellFileName(255));
        for (int lane = 0; lane < WorkerFileDescriptor.LANES_MAX; lane++)
        {
            assertTrue(WorkerFileDescriptor.isLaneFileName(WorkerFileDescriptor.ringsFileName(lane)));
            assertTrue(WorkerFileDescriptor.isLaneFileName(WorkerFileDescriptor.doorbellFileName(lane)));
        }
        for (final String other : List.of(
            "rings.0", "rings.01", "rings.256", "rings.", "rings.x", "doorbell..sock", "doorbell.0.sock",
            "doorbell.256.sock", "doorbell.1", "rings1", "doorbell.-1.sock", "ring.1"))
        {
            assertFalse(WorkerFileDescriptor.isLaneFileName(other), other);
        }
    }
}
