package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SharedMemoryLink#offerBody}: body bytes go into the request ring in chunks of at most the ring's largest
 * message, a full ring refuses the rest and the buffer's reader index stops exactly after what was written. The link
 * is built over a real ring file without a host and without a doorbell (no worker attached, so nobody is woken).
 */
@Timeout(5)
class SharedMemoryLinkTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int MAX_CHUNK = CAPACITY / 8 - MessageDescriptor.CHUNK_HEADER_LENGTH;
    private static final int SLOT = 7;
    private static final int FILLER_SLOT = 9;
    private static final int SMALLEST_RECORD = 8 + MessageDescriptor.CHUNK_HEADER_LENGTH;

    @TempDir
    Path tempDir;

    private RingFile rings;
    private ManyToOneRingBuffer consumer;
    private SharedMemoryLink link;
    private SharedMemoryRequest request;
    private SharedMemoryRequest filler;
    private final List<ByteBuf> buffers = new ArrayList<>();

    enum Kind
    {
        HEAP, DIRECT, COMPOSITE
    }

    @BeforeEach
    void before() throws IOException
    {
        rings = new RingFile(tempDir, CAPACITY);
        consumer = rings.requestRing;
        link = new SharedMemoryLink(null, 0, rings.listenerMapping);
        request = new SharedMemoryRequest(null, SLOT);
        filler = new SharedMemoryRequest(null, FILLER_SLOT);
    }

    @AfterEach
    void after()
    {
        for (final ByteBuf buffer : buffers)
        {
            buffer.release();
        }
        rings.close();
    }

    @Test
    void shouldWriteBodyInLargestChunksWithLastFlagOnFinalChunkWhenRingHasRoom()
    {
        final byte[] body = pattern(20_000);
        final ByteBuf content = content(Kind.HEAP, body, 0);

        assertTrue(link.offerBody(request, content, true));

        assertEquals(20_000, content.readerIndex());
        final List<Chunk> chunks = drain();
        assertEquals(List.of(
            new Chunk(SLOT, 0, MAX_CHUNK),
            new Chunk(SLOT, 0, MAX_CHUNK),
            new Chunk(SLOT, MessageDescriptor.LAST_FLAG, 20_000 - 2 * MAX_CHUNK)), headers(chunks));
        assertArrayEquals(body, concat(chunks));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldReturnFalseAndAdvanceReaderIndexOnlyOverWrittenBytesWhenRingFills(final Kind kind)
    {
        final int recordOfLargestChunk = 8 + MessageDescriptor.CHUNK_HEADER_LENGTH + MAX_CHUNK;
        fillTo(CAPACITY - 2 * recordOfLargestChunk - 1000);
        final byte[] body = pattern(30_000);
        final ByteBuf content = content(kind, body, 10);
        final long tailBefore = consumer.producerPosition();

        assertFalse(link.offerBody(request, content, true));

        assertEquals(10 + 2 * MAX_CHUNK, content.readerIndex());
        assertEquals(tailBefore + 2L * recordOfLargestChunk, consumer.producerPosition());
        final List<Chunk> first = drain();
        assertEquals(List.of(new Chunk(SLOT, 0, MAX_CHUNK), new Chunk(SLOT, 0, MAX_CHUNK)), headers(first));

        assertTrue(link.offerBody(request, content, true));

        assertEquals(10 + 30_000, content.readerIndex());
        final List<Chunk> second = drain();
        assertEquals(List.of(
            new Chunk(SLOT, 0, MAX_CHUNK),
            new Chunk(SLOT, MessageDescriptor.LAST_FLAG, 30_000 - 3 * MAX_CHUNK)), headers(second));
        first.addAll(second);
        assertArrayEquals(body, concat(first));
    }

    @Test
    void shouldWriteNothingAndKeepReaderIndexWhenRingIsFull()
    {
        fillTo(CAPACITY);
        final long tail = consumer.producerPosition();
        final ByteBuf content = content(Kind.DIRECT, pattern(100), 0);

        assertFalse(link.offerBody(request, content, true));

        assertEquals(0, content.readerIndex());
        assertEquals(tail, consumer.producerPosition());
        assertEquals(CAPACITY, consumer.size());
        assertEquals(List.of(), drain());
    }

    /**
     * The worker maps the trailer read-write: a tail it moved on is not where the listener's next record goes (it
     * would never reach it). Nothing is written; the worker is failed when attached (here none is).
     */
    @Test
    void shouldWriteNothingWhenTheWorkerMovedTheTail()
    {
        assertTrue(link.offerBody(request, content(Kind.HEAP, pattern(10), 0), false));
        final int tailIndex = CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET;
        final AtomicBuffer workerRing = consumer.buffer();
        final long moved = workerRing.getLongVolatile(tailIndex) + 4096;
        workerRing.putLongVolatile(tailIndex, moved);
        final ByteBuf content = content(Kind.DIRECT, pattern(100), 0);

        assertFalse(link.offerBody(request, content, true));

        assertEquals(0, content.readerIndex());
        assertEquals(moved, consumer.producerPosition());
        final List<Integer> lengths = new ArrayList<>();
        consumer.read((msgTypeId, buffer, index, length) -> lengths.add(BodyChunkFlyweight.chunkLength(buffer, index)));
        assertEquals(List.of(10), lengths, "only the chunk written before");
    }

    @Test
    void shouldRefuseBodyWhileHeadIsPending()
    {
        request.headQueued();
        final ByteBuf content = content(Kind.HEAP, pattern(10), 0);

        assertFalse(link.offerBody(request, content, true));

        assertEquals(0, content.readerIndex());
        assertEquals(0L, consumer.producerPosition());
    }

    @Test
    void shouldWriteEmptyLastChunkWhenBodyEndsWithoutBytes()
    {
        final ByteBuf content = content(Kind.HEAP, new byte[0], 0);

        assertTrue(link.offerBody(request, content, true));

        final List<Chunk> chunks = drain();
        assertEquals(List.of(new Chunk(SLOT, MessageDescriptor.LAST_FLAG, 0)), headers(chunks));
    }

    @Test
    void shouldWriteChunkWithoutLastFlagWhenBodyContinues()
    {
        final byte[] body = pattern(MAX_CHUNK);
        final ByteBuf content = content(Kind.HEAP, body, 0);

        assertTrue(link.offerBody(request, content, false));

        assertEquals(MAX_CHUNK, content.readerIndex());
        final List<Chunk> chunks = drain();
        assertEquals(List.of(new Chunk(SLOT, 0, MAX_CHUNK)), headers(chunks));
        assertArrayEquals(body, concat(chunks));
    }

    @Test
    void shouldCarrySlotGenerationInRequestIdWhenSlotIsReused()
    {
        request.reuseAs(5);
        final ByteBuf content = content(Kind.HEAP, pattern(3), 0);

        assertTrue(link.offerBody(request, content, true));

        assertEquals(List.of(new Chunk(5L << 32 | SLOT, MessageDescriptor.LAST_FLAG, 3)), headers(drain()));
    }

    /**
     * Fill the ring to {@code position} (a multiple of 8) with body chunks of another request, written by the link (the
     * ring's only producer), which {@link #drain()} skips.
     */
    private void fillTo(final int position)
    {
        int remaining = position;
        while (remaining > 0)
        {
            int record = Math.min(remaining, 8 + CAPACITY / 8);
            if (remaining - record > 0 && remaining - record < SMALLEST_RECORD)
            {
                record -= SMALLEST_RECORD;
            }
            final ByteBuf chunk = content(Kind.HEAP, new byte[record - SMALLEST_RECORD], 0);
            assertTrue(link.offerBody(filler, chunk, false));
            remaining -= record;
        }
        assertEquals(position, consumer.producerPosition());
    }

    private List<Chunk> drain()
    {
        final List<Chunk> chunks = new ArrayList<>();
        final MessageHandler handler = (msgTypeId, buffer, index, length) ->
        {
            assertEquals(MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID, msgTypeId);
            if (BodyChunkFlyweight.requestId(buffer, index) == FILLER_SLOT)
            {
                return;
            }
            final int chunkLength = BodyChunkFlyweight.chunkLength(buffer, index);
            assertEquals(BodyChunkFlyweight.length(chunkLength), length);
            final byte[] data = new byte[chunkLength];
            buffer.getBytes(BodyChunkFlyweight.dataOffset(index), data);
            chunks.add(new Chunk(
                BodyChunkFlyweight.requestId(buffer, index), BodyChunkFlyweight.flags(buffer, index), data));
        };
        // a read stops at the end of the buffer, so a wrapped ring (padding record first) needs another read
        while (consumer.consumerPosition() < consumer.producerPosition())
        {
            consumer.read(handler);
        }
        return chunks;
    }

    private ByteBuf content(final Kind kind, final byte[] body, final int alreadyRead)
    {
        final byte[] withPrefix = new byte[alreadyRead + body.length];
        System.arraycopy(body, 0, withPrefix, alreadyRead, body.length);
        final ByteBuf buffer;
        switch (kind)
        {
            case HEAP:
                buffer = Unpooled.buffer(withPrefix.length);
                buffer.writeBytes(withPrefix);
                break;
            case DIRECT:
                buffer = Unpooled.directBuffer(withPrefix.length);
                buffer.writeBytes(withPrefix);
                break;
            default:
                final int half = withPrefix.length / 2;
                final ByteBuf head = Unpooled.directBuffer(half).writeBytes(withPrefix, 0, half);
                final ByteBuf tail = Unpooled.buffer(withPrefix.length - half)
                    .writeBytes(withPrefix, half, withPrefix.length - half);
                buffer = Unpooled.wrappedBuffer(head, tail);
                assertFalse(buffer.hasArray());
                assertFalse(buffer.hasMemoryAddress());
                break;
        }
        buffer.readerIndex(alreadyRead);
        buffers.add(buffer);
        return buffer;
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + i / 251);
        }
        return bytes;
    }

    private static List<Chunk> headers(final List<Chunk> chunks)
    {
        final List<Chunk> headers = new ArrayList<>();
        for (final Chunk chunk : chunks)
        {
            headers.add(new Chunk(chunk.requestId, chunk.flags, chunk.data.length));
        }
        return headers;
    }

    private static byte[] concat(final List<Chunk> chunks)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final Chunk chunk : chunks)
        {
            out.writeBytes(chunk.data);
        }
        return out.toByteArray();
    }

    private static final class Chunk
    {
        final long requestId;
        final int flags;
        final byte[] data;

        Chunk(final long requestId, final int flags, final byte[] data)
        {
            this.requestId = requestId;
            this.flags = flags;
            this.data = data;
        }

        Chunk(final long requestId, final int flags, final int length)
        {
            this(requestId, flags, new byte[length]);
        }

        public boolean equals(final Object other)
        {
            return other instanceof Chunk && ((Chunk)other).requestId == requestId &&
                ((Chunk)other).flags == flags && ((Chunk)other).data.length == data.length;
        }

        public int hashCode()
        {
            return Long.hashCode(requestId) * 31 + flags * 7 + data.length;
        }

        public String toString()
        {
            return "Chunk(id=" + requestId + ", flags=" + flags + ", length=" + data.length + ")";
        }
    }
}
