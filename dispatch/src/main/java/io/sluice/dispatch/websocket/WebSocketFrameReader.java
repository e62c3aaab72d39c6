package io.sluice.dispatch.websocket;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;

/**
 * The common case of a {@link WebSocket}'s input read without the codec: whole, unfragmented, masked text or binary
 * frames of up to {@value #MAX_PAYLOAD_LENGTH} bytes (7- or 16-bit length), no reserved bit, a text one ASCII
 * only. Each is unmasked into one buffer kept for the connection and handed over as a message. Reading stops at the
 * first frame that is anything else (a control frame, a fragment, a longer or cut frame, an unmasked one, a reserved
 * bit, a non-minimal length, text that is not ASCII): from its first byte the bytes go to Netty's codec, which
 * applies every rule of RFC 6455 to them, so this reader never accepts what the codec would refuse, and refuses
 * nothing itself. Used only while the codec is idle ({@link WebSocketCodecDecoder#isIdle()}).
 */
final class WebSocketFrameReader
{
    /**
     * Longest payload read here; longer ones go through the codec.
     */
    static final int MAX_PAYLOAD_LENGTH = 4096;

    static final int FIN_BIT = 0x80;
    static final int RSV_BITS = 0x70;
    static final int OPCODE_BITS = 0x0f;
    static final int TEXT_OPCODE = 0x1;
    static final int BINARY_OPCODE = 0x2;
    static final int MASK_BIT = 0x80;
    static final int LENGTH_BITS = 0x7f;
    static final int MAX_7_BIT_LENGTH = 125;
    static final int LENGTH_16_BIT = 126;

    private static final int SHORT_HEADER_LENGTH = 2;
    private static final int MASK_KEY_LENGTH = 4;
    private static final int INITIAL_CAPACITY = 256;
    private static final long NON_ASCII_BITS = 0x8080808080808080L;

    private final int maxMessageLength;
    private ExpandableArrayBuffer payload;

    /**
     * The application's side of what is read.
     */
    interface MessageHandler
    {
        /**
         * @param text   true for a text message, false for a binary one.
         * @param buffer holding the unmasked message; only valid during the call.
         * @param length of the message, from index 0.
         * @return false to stop reading (the connection ended): what follows is left unread.
         */
        boolean onMessage(boolean text, DirectBuffer buffer, int length);
    }

    /**
     * @param maxMessageLength the connection's message limit: a longer frame goes to the codec, which refuses it.
     */
    WebSocketFrameReader(final int maxMessageLength)
    {
        this.maxMessageLength = maxMessageLength;
    }

    /**
     * Read the frames at the start of the bytes that are simple enough.
     *
     * @param buffer  holding the bytes.
     * @param offset  of the bytes, a frame's first byte.
     * @param length  of the bytes.
     * @param handler told each message.
     * @return how many bytes were read: the rest, from a frame's first byte, is for the codec.
     */
    int read(final DirectBuffer buffer, final int offset, final int length, final MessageHandler handler)
    {
        final int end = offset + length;
        int index = offset;
        while (end - index >= SHORT_HEADER_LENGTH + MASK_KEY_LENGTH)
        {
            final int first = buffer.getByte(index) & 0xff;
            final int second = buffer.getByte(index + 1) & 0xff;
            final int opcode = first & OPCODE_BITS;
            if ((first & FIN_BIT) == 0 || (first & RSV_BITS) != 0 ||
                (opcode != TEXT_OPCODE && opcode != BINARY_OPCODE) || (second & MASK_BIT) == 0)
            {
                break;
            }
            int headerLength = SHORT_HEADER_LENGTH + MASK_KEY_LENGTH;
            int payloadLength = second & LENGTH_BITS;
            if (payloadLength == LENGTH_16_BIT)
            {
                if (end - index < SHORT_HEADER_LENGTH + Short.BYTES)
                {
                    break;
                }
                payloadLength = buffer.getShort(index + SHORT_HEADER_LENGTH, ByteOrder.BIG_ENDIAN) & 0xffff;
                headerLength += Short.BYTES;
                if (payloadLength <= MAX_7_BIT_LENGTH)
                {
                    break;
                }
            }
            else if (payloadLength > LENGTH_16_BIT)
            {
                break;
            }
            if (payloadLength > MAX_PAYLOAD_LENGTH || payloadLength > maxMessageLength ||
                end - index < headerLength + payloadLength)
            {
                break;
            }
            final boolean text = opcode == TEXT_OPCODE;
            if (!unmask(buffer, index + headerLength - MASK_KEY_LENGTH, payloadLength, text))
            {
                break;
            }
            index += headerLength + payloadLength;
            if (!handler.onMessage(text, payload, payloadLength))
            {
                break;
            }
        }
        return index - offset;
    }

    /**
     * Unmask a payload into {@link #payload}.
     *
     * @return false for text that is not ASCII (left to the codec's UTF-8 check).
     */
    private boolean unmask(final DirectBuffer buffer, final int maskIndex, final int length, final boolean text)
    {
        if (null == payload)
        {
            payload = new ExpandableArrayBuffer(Math.max(INITIAL_CAPACITY, length));
        }
        else
        {
            payload.checkLimit(length);
        }
        final int maskKey = buffer.getInt(maskIndex, ByteOrder.BIG_ENDIAN);
        final long mask = ((long)maskKey << Integer.SIZE) | (maskKey & 0xffffffffL);
        final int data = maskIndex + MASK_KEY_LENGTH;
        long bits = 0;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            final long word = buffer.getLong(data + i, ByteOrder.BIG_ENDIAN) ^ mask;
            bits |= word;
            payload.putLong(i, word, ByteOrder.BIG_ENDIAN);
        }
        for (; i < length; i++)
        {
            final int b = (buffer.getByte(data + i) ^ (maskKey >>> (Integer.SIZE - Byte.SIZE * (1 + (i & 3))))) & 0xff;
            bits |= b;
            payload.putByte(i, (byte)b);
        }
        return !text || (bits & NON_ASCII_BITS) == 0;
    }
}
