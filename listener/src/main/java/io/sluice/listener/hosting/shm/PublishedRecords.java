package io.sluice.listener.hosting.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

/**
 * Where every record the listener published into a request ring starts, kept by the listener (the ring's only
 * producer) so that it can repair the ring after its consumer died, from what it wrote rather than from what the ring
 * now holds.
 * <p>
 * Agrona's consumer zeroes the bytes of the records it has read and only then moves the ring's head position. A worker
 * killed in between leaves a record at the head whose first bytes (its header first) are zeroed and whose remaining
 * bytes are not: read from the ring alone, the next record cannot be found, and a scan for the next non-zero word lands
 * inside the record's body. The repair rule ({@link #repair}): from the head position, a record whose length word is
 * not the one the listener committed (zero, or partly zeroed) was taken by the dead worker; the first record whose
 * length word is intact is where the next worker resumes. The bytes in between are zeroed, as the consumer would have.
 * <p>
 * Layout: one bit per {@link RecordDescriptor#ALIGNMENT}-byte slot of the ring (capacity / 512 longs, e.g. 16 KiB for
 * a 1 MiB ring), set where a record starts. Publishing a record sets its first slot and clears the rest of its slots,
 * so between the head and the tail positions the bits are exactly the starts of the records still in the ring; the
 * padding record Agrona inserts at the end of the buffer (when a record does not fit before it) is recorded the same
 * way, found as the gap between the end of the last record and the next one, or the tail. No allocation after
 * construction; the cost of publishing is one bit per 512 bytes of record.
 * <p>
 * Threading: confined to the thread that produces into the ring (the host's event loop).
 */
final class PublishedRecords
{
    private static final int SLOT_SHIFT = Integer.numberOfTrailingZeros(RecordDescriptor.ALIGNMENT);
    private static final int WORD_SHIFT = 6;
    private static final int WORD_MASK = Long.SIZE - 1;

    private final int capacity;
    private final int mask;
    private final long[] starts;
    private long end;

    /**
     * @param capacity the ring's capacity: a power of two, at least {@code 512} bytes.
     * @param position the ring's producer position now (nothing published before it is known).
     */
    PublishedRecords(final int capacity, final long position)
    {
        if (!BitUtil.isPowerOfTwo(capacity) || capacity < (Long.SIZE << SLOT_SHIFT))
        {
            throw new IllegalArgumentException("capacity must be a power of two of 512 or more: " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.starts = new long[capacity >>> (SLOT_SHIFT + WORD_SHIFT)];
        this.end = position;
    }

    /**
     * A record was committed.
     *
     * @param position     the ring position of its header.
     * @param recordLength its length word: message length plus {@link RecordDescriptor#HEADER_LENGTH}.
     */
    void published(final long position, final int recordLength)
    {
        if (position != end)
        {
            padTo(position);
        }
        final int alignedLength = BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
        mark((int)position & mask, alignedLength);
        end = position + alignedLength;
    }

    /**
     * The ring's consumer died: find where its successor must resume, and zero the bytes of the records it took and
     * did not finish zeroing. Only while no consumer is attached.
     *
     * @param buffer the ring's buffer (trailer excluded or not: only the data part is touched).
     * @param head   the ring's consumer position as the dead consumer left it.
     * @param tail   the ring's producer position.
     * @return the consumer position to store: the first record from {@code head} on whose length word is intact, or
     * {@code tail} when there is none.
     */
    long repair(final AtomicBuffer buffer, final long head, final long tail)
    {
        if (tail != end)
        {
            // a claim that found no room at the end of the buffer nor at its start left a padding record alone
            padTo(tail);
        }
        // a head outside the ring's window or off a record start is written only by a consumer breaking the protocol
        final long from = Math.min(tail, Math.max(head, tail - capacity));
        long resume = from < tail && !isStart(from) ? nextStart(from, tail) : from;
        while (resume < tail)
        {
            final long next = nextStart(resume, tail);
            final int lengthWord = buffer.getIntVolatile(RecordDescriptor.lengthOffset((int)resume & mask));
            if (lengthWord > 0 && BitUtil.align(lengthWord, RecordDescriptor.ALIGNMENT) == next - resume)
            {
                break;
            }
            resume = next;
        }
        for (long position = from; position < resume; )
        {
            final int index = (int)position & mask;
            final int length = (int)Math.min(resume - position, capacity - index);
            buffer.setMemory(index, length, (byte)0);
            position += length;
        }
        return resume;
    }

    /**
     * Agrona pads from the end of the last record to the end of the buffer when the next record does not fit there:
     * the gap between the last record noted and the next one is that padding record. (A gap that went on past the end
     * of the buffer would mean a record committed without being noted; it is then noted as one more record, so that
     * the bits stay exact for the records that follow.)
     */
    private void padTo(final long position)
    {
        while (end < position)
        {
            final int index = (int)end & mask;
            final int length = (int)Math.min(position - end, capacity - index);
            mark(index, length);
            end += length;
        }
    }

    /**
     * Whether a record (or padding) the listener published starts at a position. Exact for a position within one
     * capacity below the end of what was published; alignment is not checked (the slot of an 8-byte-aligned position
     * is asked).
     *
     * @param position a ring position, at most one capacity below the end of what was published.
     * @return true when a record starts in its slot.
     */
    boolean isStart(final long position)
    {
        final int slot = ((int)position & mask) >>> SLOT_SHIFT;
        return (starts[slot >>> WORD_SHIFT] & (1L << slot)) != 0;
    }

    /**
     * @return the start of the record after the one at {@code position}, or {@code limit} when it is the last one.
     */
    private long nextStart(final long position, final long limit)
    {
        long candidate = position + RecordDescriptor.ALIGNMENT;
        while (candidate < limit)
        {
            final int slot = ((int)candidate & mask) >>> SLOT_SHIFT;
            final long word = starts[slot >>> WORD_SHIFT] >>> (slot & WORD_MASK);
            if (word != 0)
            {
                return Math.min(limit, candidate + ((long)Long.numberOfTrailingZeros(word) << SLOT_SHIFT));
            }
            // a word never spans the end of the buffer: the capacity is a multiple of 64 slots
            candidate += (long)(Long.SIZE - (slot & WORD_MASK)) << SLOT_SHIFT;
        }
        return limit;
    }

    /**
     * Set the bit of a record's first slot and clear those of its other slots.
     */
    private void mark(final int index, final int alignedLength)
    {
        final int first = index >>> SLOT_SHIFT;
        final int last = first + (alignedLength >>> SLOT_SHIFT) - 1;
        final int firstWord = first >>> WORD_SHIFT;
        final int lastWord = last >>> WORD_SHIFT;
        final long fromFirst = -1L << (first & WORD_MASK);
        final long toLast = -1L >>> (WORD_MASK - (last & WORD_MASK));
        if (firstWord == lastWord)
        {
            starts[firstWord] = (starts[firstWord] & ~(fromFirst & toLast)) | (1L << first);
            return;
        }
        starts[firstWord] = (starts[firstWord] & ~fromFirst) | (1L << first);
        for (int word = firstWord + 1; word < lastWord; word++)
        {
            starts[word] = 0;
        }
        starts[lastWord] &= ~toLast;
    }
}
