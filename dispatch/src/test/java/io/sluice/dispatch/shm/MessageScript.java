package io.sluice.dispatch.shm;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A deterministic sequence of ring messages of varying types and sizes: message {@code seq} is always the same bytes,
 * so a producer can encode it straight into a claimed record and a consumer can check what it reads against a fresh
 * encoding. Request scripts mix heads (with ISO-8859-1 headers), body chunks (0 to the largest chunk) and aborts;
 * response scripts mix heads with inline bodies and body chunks.
 */
final class MessageScript
{
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PROPFIND"};

    private final boolean response;
    private final int maxMsgLength;
    private final int maxChunk;
    private final RequestHeadEncoder requestHead = new RequestHeadEncoder();
    private final ResponseHeadEncoder responseHead = new ResponseHeadEncoder();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(16 * 1024);
    private final UnsafeBuffer pattern;
    private int msgTypeId;
    private int length;

    MessageScript(final int maxMsgLength, final boolean response)
    {
        this.response = response;
        this.maxMsgLength = maxMsgLength;
        this.maxChunk = maxMsgLength - MessageDescriptor.CHUNK_HEADER_LENGTH;
        this.pattern = new UnsafeBuffer(new byte[maxMsgLength + 256]);
        for (int i = 0; i < pattern.capacity(); i++)
        {
            pattern.putByte(i, (byte)(i * 13 + 5));
        }
    }

    static long requestId(final long seq)
    {
        return seq ^ 0x5A00_0000_0000_0000L;
    }

    /**
     * Encode message {@code seq} into the scratch buffer, setting {@link #msgTypeId()} and {@link #length()}.
     */
    void prepare(final long seq)
    {
        length = encode(seq, scratch, 0);
    }

    int msgTypeId()
    {
        return msgTypeId;
    }

    int length()
    {
        return length;
    }

    DirectBuffer scratch()
    {
        return scratch;
    }

    /**
     * Claim, encode in place and commit message {@code seq}.
     *
     * @return false when the ring is full (nothing written).
     */
    boolean offer(final RingBuffer ring, final long seq)
    {
        prepare(seq);
        final int index = ring.tryClaim(msgTypeId, length);
        if (index == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            return false;
        }
        final int written = encode(seq, ring.buffer(), index);
        if (written != length)
        {
            ring.abort(index);
            fail("seq " + seq + ": encoded " + written + " bytes, claimed " + length);
        }
        ring.commit(index);
        return true;
    }

    int encode(final long seq, final MutableDirectBuffer buffer, final int offset)
    {
        final int mix = mix(seq);
        return response ? encodeResponse(seq, mix, buffer, offset) : encodeRequest(seq, mix, buffer, offset);
    }

    private int encodeRequest(final long seq, final int mix, final MutableDirectBuffer buffer, final int offset)
    {
        final int kind = mix % 10;
        if (kind < 4)
        {
            msgTypeId = MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID;
            requestHead.wrap(buffer, offset)
                .requestId(requestId(seq))
                .contentLength(mix % 3 == 0 ? MessageDescriptor.UNKNOWN_LENGTH : mix % 100_000)
                .remotePort(mix & 0xFFFF)
                .method(METHODS[(mix >>> 3) % METHODS.length])
                .target("/p/" + seq + "/" + text(seq, 1, (mix >>> 5) % 200))
                .remoteAddress("10.0." + (seq & 255) + "." + ((seq >>> 8) & 255));
            final int headers = (mix >>> 4) % 8;
            for (int j = 0; j < headers; j++)
            {
                requestHead.header("x-h" + j, text(seq, j + 2, ((mix >>> 8) + j * 37) % 600));
            }
            return requestHead.encodedLength();
        }
        if (kind < 9)
        {
            msgTypeId = MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID;
            return encodeChunk(seq, mix, buffer, offset);
        }
        msgTypeId = MessageDescriptor.REQUEST_ABORT_MSG_TYPE_ID;
        BodyChunkFlyweight.encode(buffer, offset, requestId(seq), 0, 0);
        return MessageDescriptor.CHUNK_HEADER_LENGTH;
    }

    private int encodeResponse(final long seq, final int mix, final MutableDirectBuffer buffer, final int offset)
    {
        if (mix % 2 == 0)
        {
            msgTypeId = MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID;
            responseHead.wrap(buffer, offset)
                .requestId(requestId(seq))
                .status(100 + mix % 500)
                .flags(MessageDescriptor.LAST_FLAG);
            final int headers = (mix >>> 3) % 4;
            for (int j = 0; j < headers; j++)
            {
                responseHead.header("x-r" + j, text(seq, j + 7, ((mix >>> 6) + j * 53) % 300));
            }
            final int room = maxMsgLength - responseHead.encodedLength();
            final int bodyLength = (mix >>> 9) % (room + 1);
            responseHead.contentLength(bodyLength).body(pattern, (int)(seq & 255), bodyLength);
            return responseHead.encodedLength();
        }
        msgTypeId = MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID;
        return encodeChunk(seq, mix, buffer, offset);
    }

    private int encodeChunk(final long seq, final int mix, final MutableDirectBuffer buffer, final int offset)
    {
        final int chunk = (mix >>> 3) % (maxChunk + 1);
        BodyChunkFlyweight.encode(buffer, offset, requestId(seq), (mix >>> 1) & MessageDescriptor.LAST_FLAG, chunk);
        buffer.putBytes(BodyChunkFlyweight.dataOffset(offset), pattern, (int)(seq & 255), chunk);
        return BodyChunkFlyweight.length(chunk);
    }

    private static int mix(final long seq)
    {
        return (int)(((seq + 1) * 0x9E3779B97F4A7C15L) >>> 33);
    }

    private static String text(final long seq, final int salt, final int length)
    {
        final char[] chars = new char[length];
        for (int k = 0; k < length; k++)
        {
            chars[k] = (char)(0x20 + Math.floorMod(seq * 7 + salt * 13L + k, 224));
        }
        return new String(chars);
    }

    /**
     * Checks that records arrive as messages 0, 1, 2, ... of a script, byte for byte.
     */
    static final class Verifier implements ControlledMessageHandler
    {
        private final MessageScript script;
        private long next;

        Verifier(final MessageScript script)
        {
            this.script = script;
        }

        long next()
        {
            return next;
        }

        public Action onMessage(
            final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            final long seq = next;
            assertEquals(MessageScript.requestId(seq), buffer.getLong(index + MessageDescriptor.REQUEST_ID_OFFSET),
                "request id of message " + seq);
            script.prepare(seq);
            assertEquals(script.msgTypeId(), msgTypeId, "type of message " + seq);
            assertEquals(script.length(), length, "length of message " + seq);
            final DirectBuffer expected = script.scratch();
            for (int i = 0; i < length; i++)
            {
                if (expected.getByte(i) != buffer.getByte(index + i))
                {
                    fail("message " + seq + " differs at byte " + i + " of " + length + ": expected " +
                        expected.getByte(i) + ", was " + buffer.getByte(index + i));
                }
            }
            next++;
            return Action.COMMIT;
        }
    }
}
