package io.sluice.dispatch.websocket;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw RFC 6455 frames for tests: built byte by byte (masked as a client must, or not), and parsed from what a server
 * sent.
 */
final class Frames
{
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final byte[] MASK = {0x37, (byte)0xfa, 0x21, 0x3d};

    private Frames()
    {
    }

    static byte[] frame(final boolean fin, final int opcode, final boolean masked, final byte[] payload)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        final int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126)
        {
            out.write(maskBit | payload.length);
        }
        else if (payload.length <= 0xffff)
        {
            out.write(maskBit | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        }
        else
        {
            out.write(maskBit | 127);
            out.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        if (masked)
        {
            out.writeBytes(MASK);
            for (int i = 0; i < payload.length; i++)
            {
                out.write(payload[i] ^ MASK[i & 3]);
            }
        }
        else
        {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    static byte[] client(final int opcode, final byte[] payload)
    {
        return frame(true, opcode, true, payload);
    }

    static byte[] close(final int code, final String reason)
    {
        final byte[] text = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final byte[] payload = new byte[2 + text.length];
        payload[0] = (byte)(code >>> 8);
        payload[1] = (byte)code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return client(CLOSE, payload);
    }

    /**
     * One frame a server sent.
     */
    record Frame(boolean fin, int opcode, byte[] payload)
    {
        int closeCode()
        {
            return payload.length < 2 ? -1 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    static List<Frame> parse(final byte[] bytes)
    {
        final List<Frame> frames = new ArrayList<>();
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        while (in.hasRemaining())
        {
            final int b0 = in.get() & 0xff;
            final int b1 = in.get() & 0xff;
            if ((b1 & 0x80) != 0)
            {
                throw new IllegalStateException("server frame is masked");
            }
            long length = b1 & 0x7f;
            if (length == 126)
            {
                length = in.getShort() & 0xffff;
            }
            else if (length == 127)
            {
                length = in.getLong();
            }
            final byte[] payload = new byte[(int)length];
            in.get(payload);
            frames.add(new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload));
        }
        return frames;
    }
}
