package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static io.sluice.dispatch.shm.RequestHeadCodecTest.bytes;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class ResponseHeadCodecTest
{
    private static final byte FILL = (byte)0xEE;
    private static final int OFFSET = 40;

    private final byte[] array = new byte[4096];
    private final UnsafeBuffer buffer = new UnsafeBuffer(array);
    private final ResponseHeadEncoder encoder = new ResponseHeadEncoder();
    private final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
    private final HeaderCursor cursor = new HeaderCursor();

    ResponseHeadCodecTest()
    {
        Arrays.fill(array, FILL);
    }

    @Test
    void shouldWriteFixedFieldsLittleEndianAtDocumentedOffsets()
    {
        final UnsafeBuffer body = new UnsafeBuffer("hello".getBytes(ISO_8859_1));

        encoder.wrap(buffer, OFFSET)
            .requestId(0x0102030405060708L)
            .contentLength(0x1112131415161718L)
            .status(0x21222324)
            .flags(MessageDescriptor.LAST_FLAG)
            .header("Ab", "xyz")
            .body(body, 0, 5);

        assertArrayEquals(bytes(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01), slice(0, 8));
        assertArrayEquals(bytes(0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11), slice(8, 8));
        assertArrayEquals(bytes(0x24, 0x23, 0x22, 0x21), slice(16, 4));
        assertArrayEquals(bytes(1, 0, 0, 0), slice(20, 4));
        assertArrayEquals(bytes(1, 0, 0, 0), slice(24, 4));
        assertArrayEquals(bytes(5, 0, 0, 0), slice(28, 4));
        assertArrayEquals(bytes(2, 0, 3, 0, 'A', 'b', 'x', 'y', 'z'), slice(32, 9));
        assertArrayEquals("hello".getBytes(ISO_8859_1), slice(41, 5));
        assertEquals(46, encoder.encodedLength());
        assertEquals(ResponseHeadEncoder.length(MessageDescriptor.headerEntryLength(2, 3), 5), 46);
        assertEquals(FILL, array[OFFSET - 1]);
        assertEquals(FILL, array[OFFSET + 46]);
    }

    @Test
    void shouldExposeLayoutConstantsMatchingJavadocDiagram()
    {
        assertEquals(8, ResponseHeadEncoder.CONTENT_LENGTH_OFFSET);
        assertEquals(16, ResponseHeadEncoder.STATUS_OFFSET);
        assertEquals(20, ResponseHeadEncoder.FLAGS_OFFSET);
        assertEquals(24, ResponseHeadEncoder.HEADER_COUNT_OFFSET);
        assertEquals(28, ResponseHeadEncoder.BODY_LENGTH_OFFSET);
        assertEquals(32, ResponseHeadEncoder.VARIABLE_OFFSET);
    }

    @Test
    void shouldRoundTripHeadersAndInlineBodyWhenResponseIsComplete()
    {
        final byte[] bodyBytes = new byte[300];
        for (int i = 0; i < bodyBytes.length; i++)
        {
            bodyBytes[i] = (byte)(i * 7);
        }
        final UnsafeBuffer body = new UnsafeBuffer(new byte[bodyBytes.length + 10]);
        body.putBytes(10, bodyBytes);

        encoder.wrap(buffer, OFFSET)
            .requestId(0x0000_0003_0000_0011L)
            .status(201)
            .contentLength(300)
            .flags(MessageDescriptor.LAST_FLAG)
            .header("content-type", "text/plain; charset=iso-8859-1")
            .header("X-Latin", "\u00e9t\u00e9\u00ff\u0080")
            .body(body, 10, 300);

        decoder.wrap(buffer, OFFSET);
        cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());

        assertEquals(0x0000_0003_0000_0011L, decoder.requestId());
        assertEquals(201, decoder.status());
        assertEquals(300, decoder.contentLength());
        assertEquals(MessageDescriptor.LAST_FLAG, decoder.flags());
        assertEquals(2, decoder.headerCount());
        assertEquals(300, decoder.bodyLength());
        assertEquals(OFFSET + 32, decoder.headersOffset());
        assertHeader("content-type", "text/plain; charset=iso-8859-1");
        assertHeader("X-Latin", "\u00e9t\u00e9\u00ff\u0080");
        assertEquals((byte)0xFF, buffer.getByte(cursor.valueOffset() + 3));
        assertFalse(cursor.next());
        final byte[] decodedBody = new byte[decoder.bodyLength()];
        buffer.getBytes(cursor.end(), decodedBody);
        assertArrayEquals(bodyBytes, decodedBody);
        assertEquals(OFFSET + encoder.encodedLength(), cursor.end() + decoder.bodyLength());
    }

    @Test
    void shouldRoundTripHeadWithoutBodyWhenBodyFollowsInChunks()
    {
        encoder.wrap(buffer, OFFSET).requestId(12).status(200).contentLength(MessageDescriptor.UNKNOWN_LENGTH);

        decoder.wrap(buffer, OFFSET);

        assertEquals(12, decoder.requestId());
        assertEquals(200, decoder.status());
        assertEquals(-1L, decoder.contentLength());
        assertEquals(0, decoder.flags());
        assertEquals(0, decoder.headerCount());
        assertEquals(0, decoder.bodyLength());
        assertEquals(32, encoder.encodedLength());
        assertFalse(cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount()).next());
        assertEquals(OFFSET + 32, cursor.end());
    }

    @Test
    void shouldClearFlagsHeaderCountAndBodyLengthWhenEncoderIsRewrapped()
    {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        encoder.wrap(buffer, OFFSET).requestId(1).status(500).contentLength(64).flags(MessageDescriptor.LAST_FLAG)
            .header("A", "1").header("B", "2").body(body, 0, 64);

        encoder.wrap(buffer, OFFSET).requestId(2).status(204).contentLength(0);

        decoder.wrap(buffer, OFFSET);
        assertEquals(2, decoder.requestId());
        assertEquals(204, decoder.status());
        assertEquals(0, decoder.flags());
        assertEquals(0, decoder.headerCount());
        assertEquals(0, decoder.bodyLength());
        assertEquals(32, encoder.encodedLength());
    }

    @Test
    void shouldPlaceEmptyInlineBodyAfterHeadersWhenBodyIsEmpty()
    {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[0]);
        encoder.wrap(buffer, OFFSET).requestId(3).status(200).contentLength(0).flags(MessageDescriptor.LAST_FLAG)
            .header("content-length", "0").body(body, 0, 0);

        decoder.wrap(buffer, OFFSET);
        cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());
        assertHeader("content-length", "0");

        assertEquals(0, decoder.bodyLength());
        assertEquals(OFFSET + encoder.encodedLength(), cursor.end());
        assertEquals(32 + 4 + 14 + 1, encoder.encodedLength());
    }

    private void assertHeader(final String name, final String value)
    {
        assertTrue(cursor.next(), "expected header " + name);
        assertEquals(name, AsciiCodec.get(buffer, cursor.nameOffset(), cursor.nameLength()));
        assertEquals(value, AsciiCodec.get(buffer, cursor.valueOffset(), cursor.valueLength()));
    }

    private byte[] slice(final int fieldOffset, final int length)
    {
        return Arrays.copyOfRange(array, OFFSET + fieldOffset, OFFSET + fieldOffset + length);
    }

    @Test
    void shouldWalkEntriesThatFitTheLimit()
    {
        encoder.wrap(buffer, OFFSET).requestId(1).status(200).header("a", "bc").header("de", "f");
        final int end = OFFSET + encoder.encodedLength();

        cursor.reset(buffer, decoder.wrap(buffer, OFFSET).headersOffset(), 2, end);

        assertTrue(cursor.next());
        assertTrue(cursor.next());
        assertFalse(cursor.next());
        assertFalse(cursor.isMalformed());
        assertEquals(end, cursor.end());
    }

    @Test
    void shouldStopAtAnEntryThatRunsPastTheLimit()
    {
        encoder.wrap(buffer, OFFSET).requestId(1).status(200).header("a", "bc");
        final int end = OFFSET + encoder.encodedLength();
        // the value length now claims the largest uint16 while the message ends after "bc"
        buffer.putShort(OFFSET + ResponseHeadEncoder.VARIABLE_OFFSET + 2, (short)0xFFFF);

        cursor.reset(buffer, decoder.wrap(buffer, OFFSET).headersOffset(), 1, end);

        assertFalse(cursor.next());
        assertTrue(cursor.isMalformed());
    }

    @Test
    void shouldStopWhenTheCountClaimsMoreEntriesThanFit()
    {
        encoder.wrap(buffer, OFFSET).requestId(1).status(200).header("a", "bc");
        final int end = OFFSET + encoder.encodedLength();

        cursor.reset(buffer, decoder.wrap(buffer, OFFSET).headersOffset(), Integer.MAX_VALUE, end);

        assertTrue(cursor.next());
        assertFalse(cursor.next());
        assertTrue(cursor.isMalformed());
        assertTrue(cursor.reset(buffer, OFFSET, -1, end).isMalformed());
    }
}
