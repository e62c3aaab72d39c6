package io.sluice.benchmarks;

import io.sluice.dispatch.shm.AsciiCodec;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The request-head codec of the shared-memory hand-off ({@link RequestHeadEncoder}, {@link RequestHeadDecoder},
 * {@link HeaderCursor}) on {@link TypicalRequest}'s GET: 8 headers, about 300 bytes, written to and read from an
 * off-heap buffer as the listener and the worker do with a ring record.
 * <ul>
 *     <li>{@link #encode}: the listener's side, field by field, as {@code SharedMemoryLink} writes a claimed
 *     record;</li>
 *     <li>{@link #decode}: the worker's side, reading every field and comparing every byte with what was sent
 *     (without allocating: the comparison stands for the worker turning fields into values);</li>
 *     <li>{@link #encodeDecode}: both, one after the other;</li>
 *     <li>{@link #baselineCopy}: copying the same encoded bytes with one {@code putBytes}, the least any hand-off of
 *     this head can cost.</li>
 * </ul>
 */
@State(Scope.Thread)
public class MessageCodecBenchmark extends AbstractBenchmark
{
    private static final int BUFFER_LENGTH = 1024;

    private final RequestHeadEncoder encoder = new RequestHeadEncoder();
    private final RequestHeadDecoder decoder = new RequestHeadDecoder();
    private final HeaderCursor headerCursor = new HeaderCursor();
    private UnsafeBuffer buffer;
    private UnsafeBuffer encoded;
    private int encodedLength;

    /**
     * Allocate the buffers and encode the reference copy.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        buffer = alignedBuffer();
        encoded = alignedBuffer();
        encodedLength = encodeHead(encoded);
        if (verifyHead(encoded) != encodedLength)
        {
            throw new IllegalStateException("reference head does not decode");
        }
    }

    /**
     * Encode the typical head.
     *
     * @return its encoded length.
     */
    @Benchmark
    public int encode()
    {
        final int length = encodeHead(buffer);
        if (length != encodedLength || buffer.getLong(0) != TypicalRequest.REQUEST_ID)
        {
            throw new IllegalStateException("encoded length: expected=" + encodedLength + ", got=" + length);
        }
        return length;
    }

    /**
     * Decode the typical head, reading and checking every field.
     *
     * @return its length as decoded.
     */
    @Benchmark
    public int decode()
    {
        return verifyHead(encoded);
    }

    /**
     * Encode, then decode and check.
     *
     * @return its length as decoded.
     */
    @Benchmark
    public int encodeDecode()
    {
        encodeHead(buffer);
        return verifyHead(buffer);
    }

    /**
     * Copy the encoded head as one block.
     *
     * @return the length copied.
     */
    @Benchmark
    public int baselineCopy()
    {
        buffer.putBytes(0, encoded, 0, encodedLength);
        if (buffer.getLong(0) != TypicalRequest.REQUEST_ID ||
            buffer.getByte(encodedLength - 1) != encoded.getByte(encodedLength - 1))
        {
            throw new IllegalStateException("copy does not match");
        }
        return encodedLength;
    }

    /**
     * @return length of the encoded head.
     */
    int encodedLength()
    {
        return encodedLength;
    }

    private int encodeHead(final MutableDirectBuffer target)
    {
        encoder.wrap(target, 0)
            .requestId(TypicalRequest.REQUEST_ID)
            .contentLength(0)
            .remotePort(TypicalRequest.REMOTE_PORT)
            .method(TypicalRequest.GET_METHOD)
            .target(TypicalRequest.GET_TARGET)
            .remoteAddress(TypicalRequest.REMOTE_ADDRESS);
        final String[] names = TypicalRequest.GET_HEADER_NAMES;
        final String[] values = TypicalRequest.GET_HEADER_VALUES;
        for (int i = 0; i < names.length; i++)
        {
            encoder.header(names[i], values[i]);
        }
        return encoder.encodedLength();
    }

    private int verifyHead(final DirectBuffer source)
    {
        decoder.wrap(source, 0);
        final String[] names = TypicalRequest.GET_HEADER_NAMES;
        final String[] values = TypicalRequest.GET_HEADER_VALUES;
        final int headerCount = decoder.headerCount();
        if (decoder.requestId() != TypicalRequest.REQUEST_ID ||
            decoder.contentLength() != 0 ||
            decoder.remotePort() != TypicalRequest.REMOTE_PORT ||
            headerCount != names.length ||
            !AsciiCodec.equals(source, decoder.methodOffset(), decoder.methodLength(), TypicalRequest.GET_METHOD) ||
            !AsciiCodec.equals(source, decoder.targetOffset(), decoder.targetLength(), TypicalRequest.GET_TARGET) ||
            !AsciiCodec.equals(
                source, decoder.remoteAddressOffset(), decoder.remoteAddressLength(), TypicalRequest.REMOTE_ADDRESS))
        {
            throw new IllegalStateException("decoded fixed fields do not match what was encoded");
        }

        headerCursor.reset(source, decoder.headersOffset(), headerCount);
        int i = 0;
        while (headerCursor.next())
        {
            if (!AsciiCodec.equals(source, headerCursor.nameOffset(), headerCursor.nameLength(), names[i]) ||
                !AsciiCodec.equals(source, headerCursor.valueOffset(), headerCursor.valueLength(), values[i]))
            {
                throw new IllegalStateException("decoded header " + i + " does not match: expected " + names[i]);
            }
            i++;
        }
        return headerCursor.end();
    }

    private static UnsafeBuffer alignedBuffer()
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(BUFFER_LENGTH, BitUtil.CACHE_LINE_LENGTH));
    }
}
