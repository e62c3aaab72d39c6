package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static io.sluice.dispatch.shm.RequestHeadCodecTest.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(5)
class BodyChunkFlyweightTest
{
    private static final byte FILL = (byte)0xEE;
    private static final int OFFSET = 16;

    private final byte[] array = new byte[256];
    private final UnsafeBuffer buffer = new UnsafeBuffer(array);

    BodyChunkFlyweightTest()
    {
        Arrays.fill(array, FILL);
    }

    @Test
    void shouldWriteFixedFieldsLittleEndianAtDocumentedOffsets()
    {
        BodyChunkFlyweight.encode(buffer, OFFSET, 0x0102030405060708L, MessageDescriptor.LAST_FLAG, 0x00000105);

        assertArrayEquals(bytes(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01), slice(0, 8));
        assertArrayEquals(bytes(1, 0, 0, 0), slice(8, 4));
        assertArrayEquals(bytes(0x05, 0x01, 0, 0), slice(12, 4));
        assertEquals(FILL, array[OFFSET - 1]);
        assertEquals(FILL, array[OFFSET + 16]);
    }

    @Test
    void shouldExposeLayoutConstantsMatchingJavadocDiagram()
    {
        assertEquals(0, MessageDescriptor.REQUEST_ID_OFFSET);
        assertEquals(8, MessageDescriptor.CHUNK_FLAGS_OFFSET);
        assertEquals(12, MessageDescriptor.CHUNK_LENGTH_OFFSET);
        assertEquals(16, MessageDescriptor.CHUNK_DATA_OFFSET);
        assertEquals(16, MessageDescriptor.CHUNK_HEADER_LENGTH);
        assertEquals(1, MessageDescriptor.LAST_FLAG);
    }

    @Test
    void shouldRoundTripChunkWhenDataFollowsHeader()
    {
        final byte[] data = {1, 2, 3, (byte)0x80, (byte)0xFF};
        BodyChunkFlyweight.encode(buffer, OFFSET, 77L << 32 | 5, 0, data.length);
        buffer.putBytes(BodyChunkFlyweight.dataOffset(OFFSET), data);

        assertEquals(77L << 32 | 5, BodyChunkFlyweight.requestId(buffer, OFFSET));
        assertEquals(0, BodyChunkFlyweight.flags(buffer, OFFSET));
        assertEquals(5, BodyChunkFlyweight.chunkLength(buffer, OFFSET));
        assertEquals(OFFSET + 16, BodyChunkFlyweight.dataOffset(OFFSET));
        assertArrayEquals(data, Arrays.copyOfRange(array, OFFSET + 16, OFFSET + 21));
        assertEquals(FILL, array[OFFSET + 21]);
    }

    @Test
    void shouldRoundTripAbortWhenChunkIsEmpty()
    {
        BodyChunkFlyweight.encode(buffer, OFFSET, 99, 0, 0);

        assertEquals(99, BodyChunkFlyweight.requestId(buffer, OFFSET));
        assertEquals(0, BodyChunkFlyweight.flags(buffer, OFFSET));
        assertEquals(0, BodyChunkFlyweight.chunkLength(buffer, OFFSET));
        assertEquals(MessageDescriptor.CHUNK_HEADER_LENGTH, BodyChunkFlyweight.length(0));
    }

    @Test
    void shouldAddHeaderLengthWhenComputingMessageLength()
    {
        assertEquals(16, BodyChunkFlyweight.length(0));
        assertEquals(16 + 8176, BodyChunkFlyweight.length(8176));
    }

    @Test
    void shouldKeepMessageTypeIdsAndHeaderEntryLengthStable()
    {
        assertEquals(1, MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID);
        assertEquals(2, MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID);
        assertEquals(3, MessageDescriptor.REQUEST_ABORT_MSG_TYPE_ID);
        assertEquals(11, MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID);
        assertEquals(12, MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID);
        assertEquals(4, MessageDescriptor.HEADER_ENTRY_LENGTH);
        assertEquals(4 + 3 + 5, MessageDescriptor.headerEntryLength(3, 5));
        assertEquals(-1L, MessageDescriptor.UNKNOWN_LENGTH);
    }

    private byte[] slice(final int fieldOffset, final int length)
    {
        return Arrays.copyOfRange(array, OFFSET + fieldOffset, OFFSET + fieldOffset + length);
    }
}
