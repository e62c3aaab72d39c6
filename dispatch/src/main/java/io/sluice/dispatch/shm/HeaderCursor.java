package io.sluice.dispatch.shm;

import org.agrona.DirectBuffer;

import static io.sluice.dispatch.shm.MessageDescriptor.HEADER_ENTRY_LENGTH;

/**
 * Walks the header entries of a head message in place, without allocation:
 * <pre>
 *     cursor.reset(buffer, decoder.headersOffset(), decoder.headerCount());
 *     while (cursor.next()) { ... cursor.nameOffset(), cursor.valueLength() ... }
 * </pre>
 * Bytes from a less trusted producer are walked with a limit ({@link #reset(DirectBuffer, int, int, int)}): an entry
 * that does not lie wholly before it, or a negative count, stops the walk and marks the message
 * {@link #isMalformed() malformed}. Each entry's lengths are read once, so a producer that changes them meanwhile
 * cannot move the walk past the limit.
 */
public final class HeaderCursor
{
    private DirectBuffer buffer;
    private int next;
    private int remaining;
    private int nameOffset;
    private int nameLength;
    private int valueLength;
    private int limit;
    private boolean malformed;

    /**
     * @param buffer holding the entries.
     * @param offset of the first entry.
     * @param count  of entries.
     * @return this for a fluent API.
     */
    public HeaderCursor reset(final DirectBuffer buffer, final int offset, final int count)
    {
        return reset(buffer, offset, count, buffer.capacity());
    }

    /**
     * Walk entries that must all end at or before a limit (the end of the message holding them).
     *
     * @param buffer holding the entries.
     * @param offset of the first entry.
     * @param count  of entries.
     * @param limit  offset just past the last byte the entries may use.
     * @return this for a fluent API.
     */
    public HeaderCursor reset(final DirectBuffer buffer, final int offset, final int count, final int limit)
    {
        this.buffer = buffer;
        this.next = offset;
        this.remaining = count;
        this.limit = limit;
        this.malformed = count < 0 || offset > limit;
        return this;
    }

    /**
     * @return true when the walk stopped at an entry, or a count, that does not fit before the limit.
     */
    public boolean isMalformed()
    {
        return malformed;
    }

    /**
     * Move to the next entry.
     *
     * @return false when there are no more.
     */
    public boolean next()
    {
        if (remaining <= 0 || malformed)
        {
            return false;
        }
        if (limit - next < HEADER_ENTRY_LENGTH)
        {
            malformed = true;
            return false;
        }
        final int names = buffer.getShort(next) & 0xFFFF;
        final int values = buffer.getShort(next + 2) & 0xFFFF;
        final int entryEnd = next + HEADER_ENTRY_LENGTH + names + values;
        if (entryEnd > limit || entryEnd < next)
        {
            malformed = true;
            return false;
        }
        remaining--;
        nameLength = names;
        valueLength = values;
        nameOffset = next + HEADER_ENTRY_LENGTH;
        next = entryEnd;
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
     * Walk the remaining entries without looking at them.
     *
     * @return offset just past the last entry ({@link #end()}); check {@link #isMalformed()}.
     */
    public int skipAll()
    {
        boolean more = true;
        while (more)
        {
            more = next();
        }
        return next;
    }

    /**
     * @return offset just past the last entry read.
     */
    public int end()
    {
        return next;
    }
}
