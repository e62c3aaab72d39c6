package io.sluice.dispatch.shm;

import org.agrona.DirectBuffer;

import static io.sluice.dispatch.shm.MessageDescriptor.HEADER_ENTRY_LENGTH;

/**
 * Walks the header entries of a head message in place, without allocation:
 * <pre>
 *     cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());
 *     while (cursor.next()) { ... cursor.nameOffset(), cursor.valueLength() ... }
 * </pre>
 */
public final class HeaderCursor
{
    private DirectBuffer buffer;
    private int next;
    private int remaining;
    private int nameOffset;
    private int nameLength;
    private int valueLength;

    /**
     * @param buffer holding the entries.
     * @param offset of the first entry.
     * @param count  of entries.
     * @return this for a fluent API.
     */
    public HeaderCursor reset(final DirectBuffer buffer, final int offset, final int count)
    {
        this.buffer = buffer;
        this.next = offset;
        this.remaining = count;
        return this;
    }

    /**
     * Move to the next entry.
     *
     * @return false when there are no more.
     */
    public boolean next()
    {
        if (remaining <= 0)
        {
            return false;
        }
        remaining--;
        nameLength = buffer.getShort(next) & 0xFFFF;
        valueLength = buffer.getShort(next + 2) & 0xFFFF;
        nameOffset = next + HEADER_ENTRY_LENGTH;
        next = nameOffset + nameLength + valueLength;
        return true;
    }

    /**
     * @return offset of the current name.
     */
    public int nameOffset()
    {
        return nameOffset;
    }

    /**
     * @return length of the current name.
     */
    public int nameLength()
    {
        return nameLength;
    }

    /**
     * @return offset of the current value.
     */
    public int valueOffset()
    {
        return nameOffset + nameLength;
    }

    /**
     * @return length of the current value.
     */
    public int valueLength()
    {
        return valueLength;
    }

    /**
     * @return offset just past the last entry read.
     */
    public int end()
    {
        return next;
    }
}
