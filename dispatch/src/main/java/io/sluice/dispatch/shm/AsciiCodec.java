package io.sluice.dispatch.shm;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Text to and from ring bytes, one byte per character (ISO-8859-1), without intermediate arrays.
 */
public final class AsciiCodec
{
    private AsciiCodec()
    {
    }

    /**
     * Write the low byte of each character.
     *
     * @param buffer to write to.
     * @param index  at which to write.
     * @param value  to write.
     * @return the number of bytes written.
     */
    public static int put(final MutableDirectBuffer buffer, final int index, final CharSequence value)
    {
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(index + i, (byte)value.charAt(i));
        }
        return length;
    }

    /**
     * @param buffer holding the text.
     * @param index  of the first byte.
     * @param length in bytes.
     * @return the text as a String, one character per byte.
     */
    public static String get(final DirectBuffer buffer, final int index, final int length)
    {
        final char[] chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)(buffer.getByte(index + i) & 0xFF);
        }
        return new String(chars);
    }

    /**
     * Compare bytes in a buffer with text, ignoring ASCII case.
     *
     * @param buffer holding the bytes.
     * @param index  of the first byte.
     * @param length in bytes.
     * @param value  to compare with.
     * @return true when equal ignoring ASCII case.
     */
    public static boolean equalsIgnoreCase(
        final DirectBuffer buffer, final int index, final int length, final CharSequence value)
    {
        if (length != value.length())
        {
            return false;
        }

        for (int i = 0; i < length; i++)
        {
            if (toLower(buffer.getByte(index + i)) != toLower((byte)value.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Compare bytes in a buffer with text exactly.
     *
     * @param buffer holding the bytes.
     * @param index  of the first byte.
     * @param length in bytes.
     * @param value  to compare with.
     * @return true when byte-for-character equal.
     */
    public static boolean equals(
        final DirectBuffer buffer, final int index, final int length, final CharSequence value)
    {
        if (length != value.length())
        {
            return false;
        }

        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(index + i) != (byte)value.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static int toLower(final byte b)
    {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }
}
