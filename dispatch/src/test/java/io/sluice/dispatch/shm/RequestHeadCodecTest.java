package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class RequestHeadCodecTest
{
    private static final byte FILL = (byte)0xEE;
    private static final int OFFSET = 24;

    private final byte[] array = new byte[4096];
    private final UnsafeBuffer buffer = new UnsafeBuffer(array);
    private final RequestHeadEncoder encoder = new RequestHeadEncoder();
    private final RequestHeadDecoder decoder = new RequestHeadDecoder();
    private final HeaderCursor cursor = new HeaderCursor();

    RequestHeadCodecTest()
    {
        Arrays.fill(array, FILL);
    }

    @Test
    void shouldWriteFixedFieldsLittleEndianAtDocumentedOffsets()
    {
        encoder.wrap(buffer, OFFSET)
            .requestId(0x0102030405060708L)
            .contentLength(0x1112131415161718L)
            .remotePort(0x21222324)
            .admittedAtNs(0x3132333435363738L)
            .method("GET")
            .target("/abcd")
            .remoteAddress("10.0.0.7")
            .header("Ho", "x");

        assertArrayEquals(bytes(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01), slice(0, 8));
        assertArrayEquals(bytes(0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11), slice(8, 8));
        assertArrayEquals(bytes(0x24, 0x23, 0x22, 0x21), slice(16, 4));
        assertArrayEquals(bytes(1, 0, 0, 0), slice(20, 4));
        assertArrayEquals(bytes(3, 0), slice(24, 2));
        assertArrayEquals(bytes(5, 0), slice(26, 2));
        assertArrayEquals(bytes(8, 0), slice(28, 2));
        assertArrayEquals(bytes(0, 0), slice(30, 2));
        assertArrayEquals(bytes(0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31), slice(32, 8));
        assertArrayEquals("GET/abcd10.0.0.7".getBytes(ISO_8859_1), slice(40, 16));
        assertArrayEquals(bytes(2, 0, 1, 0, 'H', 'o', 'x'), slice(56, 7));
        assertEquals(63, encoder.encodedLength());
        assertEquals(FILL, array[OFFSET - 1]);
        assertEquals(FILL, array[OFFSET + 63]);
    }

    @Test
    void shouldExposeLayoutConstantsMatchingJavadocDiagram()
    {
        assertEquals(0, MessageDescriptor.REQUEST_ID_OFFSET);
        assertEquals(8, RequestHeadEncoder.CONTENT_LENGTH_OFFSET);
        assertEquals(16, RequestHeadEncoder.REMOTE_PORT_OFFSET);
        assertEquals(20, RequestHeadEncoder.HEADER_COUNT_OFFSET);
        assertEquals(24, RequestHeadEncoder.METHOD_LENGTH_OFFSET);
        assertEquals(26, RequestHeadEncoder.TARGET_LENGTH_OFFSET);
        assertEquals(28, RequestHeadEncoder.REMOTE_ADDRESS_LENGTH_OFFSET);
        assertEquals(32, RequestHeadEncoder.ADMITTED_AT_OFFSET);
        assertEquals(40, RequestHeadEncoder.VARIABLE_OFFSET);
    }

    @Test
    void shouldRoundTripEveryFieldWhenHeadHasHeaders()
    {
        encoder.wrap(buffer, OFFSET)
            .requestId(0x7FFF_0000_0000_0003L)
            .contentLength(1234)
            .remotePort(54321)
            .method("POST")
            .target("/app/items?id=7&q=a%20b")
            .remoteAddress("2001:db8::1")
            .header("Host", "example.com")
            .header("Content-Length", "1234")
            .header("X-Trace", "abc");

        decoder.wrap(buffer, OFFSET);

        assertEquals(0x7FFF_0000_0000_0003L, decoder.requestId());
        assertEquals(1234, decoder.contentLength());
        assertEquals(54321, decoder.remotePort());
        assertEquals(3, decoder.headerCount());
        assertEquals("POST", decoder.method());
        assertEquals("/app/items?id=7&q=a%20b", decoder.target());
        assertEquals("2001:db8::1", decoder.remoteAddress());
        assertEquals(OFFSET + 40, decoder.methodOffset());
        assertEquals(OFFSET + 44, decoder.targetOffset());
        assertEquals(OFFSET + 67, decoder.remoteAddressOffset());
        assertEquals(OFFSET + 78, decoder.headersOffset());

        cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());
        assertHeader("Host", "example.com");
        assertHeader("Content-Length", "1234");
        assertHeader("X-Trace", "abc");
        assertFalse(cursor.next());
        assertEquals(OFFSET + encoder.encodedLength(), cursor.end());
        assertEquals(
            RequestHeadEncoder.length(4, 23, 11,
                MessageDescriptor.headerEntryLength(4, 11) +
                MessageDescriptor.headerEntryLength(14, 4) +
                MessageDescriptor.headerEntryLength(7, 3)),
            encoder.encodedLength());
    }

    @Test
    void shouldRoundTripUnknownContentLengthWhenChunked()
    {
        encoder.wrap(buffer, OFFSET).requestId(1).contentLength(MessageDescriptor.UNKNOWN_LENGTH).remotePort(1)
            .method("POST").target("/").remoteAddress("a");

        assertArrayEquals(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), slice(8, 8));
        assertEquals(-1L, decoder.wrap(buffer, OFFSET).contentLength());
    }

    @Test
    void shouldDecodeNoHeadersWhenHeadHasNone()
    {
        encoder.wrap(buffer, OFFSET).requestId(9).contentLength(0).remotePort(80)
            .method("GET").target("/").remoteAddress("127.0.0.1");

        decoder.wrap(buffer, OFFSET);
        cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());

        assertEquals(0, decoder.headerCount());
        assertFalse(cursor.next());
        assertEquals(OFFSET + 53, decoder.headersOffset());
        assertEquals(53, encoder.encodedLength());
        assertEquals(decoder.headersOffset(), cursor.end());
    }

    @Test
    void shouldRoundTripEmptyFieldsWhenNamesAndValuesAreEmpty()
    {
        encoder.wrap(buffer, OFFSET).requestId(2).contentLength(0).remotePort(0)
            .method("").target("").remoteAddress("")
            .header("X-Empty", "")
            .header("", "")
            .header("", "v");

        decoder.wrap(buffer, OFFSET);
        cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());

        assertEquals("", decoder.method());
        assertEquals("", decoder.target());
        assertEquals("", decoder.remoteAddress());
        assertEquals(3, decoder.headerCount());
        assertHeader("X-Empty", "");
        assertHeader("", "");
        assertHeader("", "v");
        assertFalse(cursor.next());
        assertEquals(40 + 4 + 7 + 4 + 4 + 1, encoder.encodedLength());
    }

    @Test
    void shouldPreserveIso88591BytesWhenHeaderValueHasHighBytes()
    {
        final StringBuilder value = new StringBuilder();
        for (int c = 0x80; c <= 0xFF; c++)
        {
            value.append((char)c);
        }
        encoder.wrap(buffer, OFFSET).requestId(3).contentLength(0).remotePort(0)
            .method("GET").target("/caf\u00e9").remoteAddress("x")
            .header("X-Latin", value);

        decoder.wrap(buffer, OFFSET);
        cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());
        assertTrue(cursor.next());

        assertEquals(128, cursor.valueLength());
        for (int i = 0; i < 128; i++)
        {
            assertEquals((byte)(0x80 + i), buffer.getByte(cursor.valueOffset() + i), "byte " + i);
        }
        assertEquals(value.toString(), AsciiCodec.get(buffer, cursor.valueOffset(), cursor.valueLength()));
        assertTrue(AsciiCodec.equals(buffer, cursor.valueOffset(), cursor.valueLength(), value));
        assertEquals("/caf\u00e9", decoder.target());
        assertEquals((byte)0xE9, buffer.getByte(decoder.targetOffset() + 4));
    }

    @Test
    void shouldRoundTripFieldsWhenLengthsAreAtUnsigned16Maximum()
    {
        final int max = MessageDescriptor.MAX_FIELD_LENGTH;
        final String target = repeat('t', max);
        final String remoteAddress = repeat('r', max);
        final String name = repeat('n', max);
        final String value = repeat('\u00ff', max);
        final UnsafeBuffer large = new UnsafeBuffer(new byte[OFFSET + RequestHeadEncoder.length(3, max, max, 0) +
            MessageDescriptor.headerEntryLength(max, max)]);

        encoder.wrap(large, OFFSET).requestId(4).contentLength(0).remotePort(0)
            .method("GET").target(target).remoteAddress(remoteAddress).header(name, value);
        decoder.wrap(large, OFFSET);
        cursor.reset(large, decoder.headersOffset(), decoder.headerCount());

        assertEquals(65535, max);
        assertEquals((short)0xFFFF, large.getShort(OFFSET + 26));
        assertEquals((short)0xFFFF, large.getShort(OFFSET + 28));
        assertEquals(max, decoder.targetLength());
        assertEquals(max, decoder.remoteAddressLength());
        assertEquals(target, decoder.target());
        assertEquals(remoteAddress, decoder.remoteAddress());
        assertTrue(cursor.next());
        assertEquals(max, cursor.nameLength());
        assertEquals(max, cursor.valueLength());
        assertEquals(name, AsciiCodec.get(large, cursor.nameOffset(), cursor.nameLength()));
        assertEquals(value, AsciiCodec.get(large, cursor.valueOffset(), cursor.valueLength()));
        assertFalse(cursor.next());
        assertEquals(large.capacity(), cursor.end());
        assertEquals(large.capacity() - OFFSET, encoder.encodedLength());
    }

    @Test
    void shouldRoundTripAdmittedAtWhenNanoTimeIsAnyLong()
    {
        for (final long admittedAtNs : new long[]{ System.nanoTime(), Long.MIN_VALUE, -1, 0, Long.MAX_VALUE })
        {
            encoder.wrap(buffer, OFFSET).requestId(12).admittedAtNs(admittedAtNs).contentLength(0).remotePort(0)
                .method("GET").target("/").remoteAddress("a").header("A", "1");

            decoder.wrap(buffer, OFFSET);
            assertEquals(admittedAtNs, decoder.admittedAtNs());
            assertEquals(12, decoder.requestId());
            assertEquals("GET", decoder.method());
            assertEquals("/", decoder.target());
            assertEquals("a", decoder.remoteAddress());
            assertEquals(1, decoder.headerCount());
        }
    }

    @Test
    void shouldClearAdmittedAtWhenEncoderIsRewrappedWithoutIt()
    {
        encoder.wrap(buffer, OFFSET).requestId(5).admittedAtNs(123_456_789L).contentLength(0).remotePort(0)
            .method("GET").target("/").remoteAddress("a");

        encoder.wrap(buffer, OFFSET).requestId(6).contentLength(0).remotePort(0)
            .method("GET").target("/").remoteAddress("a");

        assertEquals(0, decoder.wrap(buffer, OFFSET).admittedAtNs());
    }

    @Test
    void shouldClearHeaderCountAndReservedWhenEncoderIsRewrapped()
    {
        encoder.wrap(buffer, OFFSET).requestId(5).contentLength(0).remotePort(0)
            .method("GET").target("/").remoteAddress("a")
            .header("A", "1").header("B", "2").header("C", "3");

        encoder.wrap(buffer, OFFSET).requestId(6).contentLength(0).remotePort(0)
            .method("PUT").target("/x").remoteAddress("b");

        decoder.wrap(buffer, OFFSET);
        assertEquals(6, decoder.requestId());
        assertEquals(0, decoder.headerCount());
        assertEquals("PUT", decoder.method());
        assertEquals("/x", decoder.target());
        assertEquals("b", decoder.remoteAddress());
        assertArrayEquals(bytes(0, 0), slice(30, 2));
        assertEquals(46, encoder.encodedLength());
    }

    @Test
    void shouldFlagAnInlineBodyAtOffset30AndClearTheFlagWhenRewrapped()
    {
        encoder.wrap(buffer, OFFSET).requestId(5).contentLength(3).remotePort(0)
            .method("POST").target("/").remoteAddress("a").header("A", "1").inlineBody();
        buffer.putBytes(OFFSET + encoder.encodedLength(), new byte[]{ 'x', 'y', 'z' });

        assertArrayEquals(bytes(1, 0), slice(30, 2));
        decoder.wrap(buffer, OFFSET);
        assertTrue(decoder.hasInlineBody());
        assertEquals(RequestHeadEncoder.INLINE_BODY_FLAG, decoder.flags());
        final HeaderCursor cursor = new HeaderCursor();
        final int bodyOffset = cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount()).skipAll();
        assertEquals(OFFSET + encoder.encodedLength(), bodyOffset);
        assertEquals("xyz", buffer.getStringWithoutLengthAscii(bodyOffset, 3));

        encoder.wrap(buffer, OFFSET).requestId(6).contentLength(0).remotePort(0)
            .method("GET").target("/").remoteAddress("a");
        assertFalse(decoder.wrap(buffer, OFFSET).hasInlineBody());
    }

    @Test
    void shouldStayFalseWhenCursorIsExhausted()
    {
        encoder.wrap(buffer, OFFSET).requestId(7).contentLength(0).remotePort(0)
            .method("GET").target("/").remoteAddress("a").header("A", "1");
        decoder.wrap(buffer, OFFSET);
        cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());

        assertTrue(cursor.next());
        final int end = cursor.end();
        assertFalse(cursor.next());
        assertFalse(cursor.next());
        assertEquals(end, cursor.end());
        assertEquals(OFFSET + 40 + 3 + 1 + 1 + 4 + 1 + 1, end);
    }

    @Test
    void shouldReadSecondMessageWhenDecoderIsRewrapped()
    {
        encoder.wrap(buffer, 0).requestId(10).contentLength(0).remotePort(1)
            .method("GET").target("/first").remoteAddress("a");
        final int second = 512;
        encoder.wrap(buffer, second).requestId(11).contentLength(3).remotePort(2)
            .method("DELETE").target("/second").remoteAddress("bb");

        assertEquals("/first", decoder.wrap(buffer, 0).target());
        assertEquals(11, decoder.wrap(buffer, second).requestId());
        assertEquals(3, decoder.contentLength());
        assertEquals(2, decoder.remotePort());
        assertEquals("DELETE", decoder.method());
        assertEquals("/second", decoder.target());
        assertEquals("bb", decoder.remoteAddress());
        assertEquals(buffer, decoder.buffer());
    }

    private void assertHeader(final String name, final String value)
    {
        assertTrue(cursor.next(), "expected header " + name);
        assertEquals(name.length(), cursor.nameLength());
        assertEquals(value.length(), cursor.valueLength());
        assertEquals(cursor.nameOffset() + cursor.nameLength(), cursor.valueOffset());
        assertEquals(name, AsciiCodec.get(buffer, cursor.nameOffset(), cursor.nameLength()));
        assertEquals(value, AsciiCodec.get(buffer, cursor.valueOffset(), cursor.valueLength()));
    }

    private byte[] slice(final int fieldOffset, final int length)
    {
        return Arrays.copyOfRange(array, OFFSET + fieldOffset, OFFSET + fieldOffset + length);
    }

    static byte[] bytes(final int... values)
    {
        final byte[] result = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            result[i] = (byte)values[i];
        }
        return result;
    }

    static String repeat(final char c, final int count)
    {
        final char[] chars = new char[count];
        Arrays.fill(chars, c);
        return new String(chars);
    }
}
