package io.sluice.dispatch.websocket;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The common case of a {@link WebSocket}'s output framed without the codec: a text or binary message of up to
 * {@value WebSocketFrameReader#MAX_PAYLOAD_LENGTH} bytes as one unfragmented, unmasked server frame (RFC 6455 5.2),
 * built in one buffer kept for the connection, so that it reaches the exchange in one piece.
 */
final class WebSocketFrameWriter
{
    private static final int INITIAL_CAPACITY = 256;
    private static final int SHORT_HEADER_LENGTH = 2;

    private ExpandableArrayBuffer frame;

    /**
     * @param length of a message.
     * @return true when this writer frames it (else the codec does).
     */
    static boolean fits(final int length)
    {
        return length <= WebSocketFrameReader.MAX_PAYLOAD_LENGTH;
    }

    /**
     * Frame a message.
     *
     * @param opcode {@link WebSocketFrameReader#TEXT_OPCODE} or {@link WebSocketFrameReader#BINARY_OPCODE}.
     * @param buffer holding the message; only read during the call.
     * @param offset of the message.
     * @param length of the message, at most {@value WebSocketFrameReader#MAX_PAYLOAD_LENGTH} bytes.
     * @return the frame's length in {@link #frame()}, from index 0.
     */
    int encode(final int opcode, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == frame)
        {
            frame = new ExpandableArrayBuffer(Math.max(INITIAL_CAPACITY, SHORT_HEADER_LENGTH + Short.BYTES + length));
        }
        frame.putByte(0, (byte)(WebSocketFrameReader.FIN_BIT | opcode));
        int headerLength = SHORT_HEADER_LENGTH;
        if (length <= WebSocketFrameReader.MAX_7_BIT_LENGTH)
        {
            frame.putByte(1, (byte)length);
        }
        else
        {
            frame.putByte(1, (byte)WebSocketFrameReader.LENGTH_16_BIT);
            frame.putShort(SHORT_HEADER_LENGTH, (short)length, ByteOrder.BIG_ENDIAN);
            headerLength += Short.BYTES;
        }
        frame.putBytes(headerLength, buffer, offset, length);
        return headerLength + length;
    }

    /**
     * @return the buffer {@link #encode} framed into.
     */
    MutableDirectBuffer frame()
    {
        return frame;
    }
}
