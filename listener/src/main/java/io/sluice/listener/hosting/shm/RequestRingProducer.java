package io.sluice.listener.hosting.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.invoke.VarHandle;

/**
 * The listener's side of a request ring: it claims and commits records as Agrona's
 * {@code ManyToOneRingBuffer.tryClaim} and {@code commit} do, with the same bytes in the ring (padding at the end of
 * the buffer included), but from its own account of the ring rather than from the ring's trailer, which the worker
 * maps read-write and so can overwrite.
 * <p>
 * The listener is the ring's only producer. It keeps the tail position (the end of what it published) and the head
 * cache position (the head as it last read and checked it) itself, and writes both into the trailer for the worker
 * to read; it never takes them back from there. The head position is the consumer's: it is read, and checked, only
 * when the space the listener already knows to be free is not enough (as Agrona reads it). Before each claim the
 * trailer must still hold what the listener wrote (two plain loads and compares); a head must be 8-byte aligned, lie
 * between the head the listener last saw and its own tail (a head only moves forward and never past the records
 * published) and be the start of a record the listener published, or the tail. Anything else was written by a worker
 * breaking the protocol: the producer is then {@link #isBroken() broken} (it claims nothing until {@link #reset}) and
 * {@link #violation()} says why, for the link to fail the worker. A hostile value therefore never makes the listener
 * claim space a worker has not released, nor claim past the end of the buffer, nor lose track of where its records
 * start.
 * <p>
 * The ring is zeroed ahead ({@link io.sluice.dispatch.shm.WorkerFileDescriptor#FEATURE_REQUEST_RING_ZEROED_AHEAD}):
 * each claim zeroes the 8-byte header that follows the record, unless that is the head record still to be taken,
 * before the record is committed. So the free part of the ring always starts with a zero header, and a consumer needs
 * to zero only the headers of the records it takes (the Java worker does), not their messages. Padding needs none:
 * the record after it starts the buffer, where every lap starts with a record whose header its consumer zeroed.
 * <p>
 * A claim is always followed by {@link #commit} or {@link #abort} before the next one: both write the record length
 * the listener chose, whatever the worker may have written over the claimed header meanwhile, and never throw.
 * <p>
 * No allocation on the claim path (a violation allocates its description, once). Threading: confined to the thread
 * that produces into the ring (the host's event loop).
 */
final class RequestRingProducer
{
    /**
     * Returned by {@link #tryClaim} when the ring's trailer was found broken: nothing was claimed.
     */
    static final int BROKEN = -3;

    private static final long NO_CLAIM = -1;

    private final AtomicBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int maxMsgLength;
    private final int tailPositionIndex;
    private final int headCachePositionIndex;
    private final int headPositionIndex;
    private final PublishedRecords records;
    private long tail;
    private long head;
    private long claimPosition = NO_CLAIM;
    private int claimIndex;
    private int claimRecordLength;
    private String violation;

    /**
     * @param buffer  the ring, trailer included; its trailer must hold the listener's own positions now (a ring the
     *                listener initialised, before any worker mapped it).
     * @param records where the records published start, kept for {@link PublishedRecords#repair}.
     */
    RequestRingProducer(final AtomicBuffer buffer, final PublishedRecords records)
    {
        this.buffer = buffer;
        this.capacity = RingBufferDescriptor.checkCapacity(buffer.capacity(), RecordDescriptor.ALIGNMENT);
        this.mask = capacity - 1;
        this.maxMsgLength = capacity >> 3;
        this.tailPositionIndex = capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET;
        this.headCachePositionIndex = capacity + RingBufferDescriptor.HEAD_CACHE_POSITION_OFFSET;
        this.headPositionIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.records = records;
        this.tail = buffer.getLongVolatile(tailPositionIndex);
        this.head = buffer.getLongVolatile(headPositionIndex);
        buffer.putLongRelease(headCachePositionIndex, head);
    }

    /**
     * @return the ring's capacity (its data part) in bytes.
     */
    int capacity()
    {
        return capacity;
    }

    /**
     * @return the largest message a record may hold: capacity / 8, as Agrona's.
     */
    int maxMsgLength()
    {
        return maxMsgLength;
    }

    /**
     * @return the tail position as the listener knows it: the end of the last record (or padding) it published.
     */
    long tail()
    {
        return tail;
    }

    /**
     * @return the head position as the listener last read and accepted it.
     */
    long knownHead()
    {
        return head;
    }

    /**
     * @return true once a worker was found to have written what only the listener writes, or a head that breaks the
     * protocol; until {@link #reset}.
     */
    boolean isBroken()
    {
        return null != violation;
    }

    /**
     * @return what was found broken, or null.
     */
    String violation()
    {
        return violation;
    }

    /**
     * Claim room for a record, as Agrona's {@code tryClaim}: the record's header is written with its length negated
     * (still being written) and its type, and the tail position moved past it (and past a padding record, when it does
     * not fit before the end of the buffer). Nothing is claimed while the trailer is broken.
     *
     * @param msgTypeId the message type, at least 1.
     * @param length    the message length, 0 to {@link #maxMsgLength()}.
     * @return the index of the message in the buffer; {@link RingBuffer#INSUFFICIENT_CAPACITY} when the ring is full;
     * {@link #BROKEN} when the trailer is broken (see {@link #violation()}).
     */
    int tryClaim(final int msgTypeId, final int length)
    {
        if (msgTypeId < 1 || length < 0 || length > maxMsgLength)
        {
            throw new IllegalArgumentException("claim of type " + msgTypeId + ", length " + length);
        }
        // a claim left open (the code between claim and commit threw) becomes padding, never a stuck record
        abortOpenClaim();
        if (null != violation || !trailerIntact())
        {
            return BROKEN;
        }
        final int recordLength = length + RecordDescriptor.HEADER_LENGTH;
        final int required = BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
        if (required > capacity - (int)(tail - head) && (!readHead() || required > capacity - (int)(tail - head)))
        {
            return null == violation ? RingBuffer.INSUFFICIENT_CAPACITY : BROKEN;
        }
        final int tailIndex = (int)tail & mask;
        final int toEnd = capacity - tailIndex;
        int writeIndex = tailIndex;
        if (required > toEnd)
        {
            // the record does not fit before the end of the buffer: pad to the end, then claim at its start if free
            if (required > ((int)head & mask) && (!readHead() || required > ((int)head & mask)))
            {
                if (null != violation)
                {
                    return BROKEN;
                }
                pad(tailIndex, toEnd);
                return RingBuffer.INSUFFICIENT_CAPACITY;
            }
            pad(tailIndex, toEnd);
            writeIndex = 0;
        }
        claimPosition = tail;
        claimIndex = writeIndex;
        claimRecordLength = recordLength;
        tail += required;
        if (tail - head < capacity)
        {
            // zeroed ahead: the header after this record is free space and must read "nothing yet" once this record
            // is committed, whatever an earlier lap left there (the consumer zeroes only the headers it takes)
            buffer.putLong((int)tail & mask, 0L);
        }
        buffer.putLongRelease(tailPositionIndex, tail);
        buffer.putIntRelease(RecordDescriptor.lengthOffset(writeIndex), -recordLength);
        VarHandle.releaseFence();
        buffer.putInt(RecordDescriptor.typeOffset(writeIndex), msgTypeId);
        return RecordDescriptor.encodedMsgOffset(writeIndex);
    }

    /**
     * Publish the record claimed last: its length word, the one the listener chose, is stored with release semantics.
     *
     * @param index the message index {@link #tryClaim} returned.
     * @return the record's ring position.
     */
    long commit(final int index)
    {
        return close(index, 0);
    }

    /**
     * Give up the record claimed last: it becomes padding, which the consumer skips.
     *
     * @param index the message index {@link #tryClaim} returned.
     * @return the record's ring position.
     */
    long abort(final int index)
    {
        return close(index, RingBuffer.PADDING_MSG_TYPE_ID);
    }

    /**
     * Whether a record of {@code length} bytes of message would fit now, reading the consumer's head (and checking
     * it) when the room the listener already knows of is not enough. Claims nothing.
     *
     * @param length the message length.
     * @return true when there is room for it (as a whole, wherever it would go); false when not, or when broken.
     */
    boolean hasRoom(final int length)
    {
        if (null != violation)
        {
            return false;
        }
        final int required = BitUtil.align(length + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        return required <= capacity - (int)(tail - head) ||
            (readHead() && required <= capacity - (int)(tail - head));
    }

    /**
     * The bytes free in the ring now, reading the consumer's head (and checking it) as {@link #hasRoom} does. A record
     * that does not fit before the end of the buffer needs the room after its padding too, so a record of this length
     * may still not fit. Claims nothing.
     *
     * @return the bytes between the tail and the consumer's head; 0 when broken.
     */
    int freeRoom()
    {
        if (null != violation || !readHead())
        {
            return 0;
        }
        return capacity - (int)(tail - head);
    }

    /**
     * @return true between {@link #tryClaim} and {@link #commit} or {@link #abort}.
     */
    boolean isClaimOpen()
    {
        return NO_CLAIM != claimPosition;
    }

    /**
     * Abort the claim still open, if any (for a {@code finally} after the code that writes a record).
     */
    void abortOpenClaim()
    {
        if (NO_CLAIM != claimPosition)
        {
            abort(RecordDescriptor.encodedMsgOffset(claimIndex));
        }
    }

    /**
     * Check the trailer without claiming: the tail and head cache positions are still the listener's and the head
     * position is acceptable ({@link #checkHead}). The host's timer calls this, so a broken trailer is found even
     * when no request comes.
     *
     * @return true when all is well; false when broken (see {@link #violation()}).
     */
    boolean check()
    {
        return null == violation && trailerIntact() && readHead();
    }

    /**
     * Whether a head position read from the ring is one a consumer following the protocol may have stored: 8-byte
     * aligned, not behind the head last seen, not past the tail, and the start of a record published or the tail.
     *
     * @param position the head position read.
     * @return true when acceptable.
     */
    boolean checkHead(final long position)
    {
        return (position & (RecordDescriptor.ALIGNMENT - 1)) == 0 && position >= head && position <= tail &&
            (position == tail || records.isStart(position));
    }

    /**
     * The consumer is gone and the ring has been repaired (or discarded): store the listener's positions in the
     * trailer again, zero the free part of the buffer (whatever a worker wrote there), and claim again.
     *
     * @param headPosition the head position the next consumer starts from: a record start or the tail.
     */
    void reset(final long headPosition)
    {
        head = headPosition;
        violation = null;
        claimPosition = NO_CLAIM;
        final int tailIndex = (int)tail & mask;
        final int free = capacity - (int)(tail - headPosition);
        final int first = Math.min(free, capacity - tailIndex);
        buffer.setMemory(tailIndex, first, (byte)0);
        buffer.setMemory(0, free - first, (byte)0);
        buffer.putLongRelease(tailPositionIndex, tail);
        buffer.putLongRelease(headCachePositionIndex, headPosition);
        buffer.putLongRelease(headPositionIndex, headPosition);
    }

    private long close(final int index, final int typeIfAborted)
    {
        final long position = claimPosition;
        final int recordIndex = claimIndex;
        if (NO_CLAIM == position || RecordDescriptor.encodedMsgOffset(recordIndex) != index)
        {
            throw new IllegalStateException("no claim at index " + index);
        }
        claimPosition = NO_CLAIM;
        if (0 != typeIfAborted)
        {
            buffer.putInt(RecordDescriptor.typeOffset(recordIndex), typeIfAborted);
        }
        buffer.putIntRelease(RecordDescriptor.lengthOffset(recordIndex), claimRecordLength);
        records.published(position, claimRecordLength);
        return position;
    }

    /**
     * One padding record from the tail to the end of the buffer, published at once.
     */
    private void pad(final int tailIndex, final int length)
    {
        final long position = tail;
        tail += length;
        buffer.putLongRelease(tailPositionIndex, tail);
        buffer.putIntRelease(RecordDescriptor.lengthOffset(tailIndex), -length);
        VarHandle.releaseFence();
        buffer.putInt(RecordDescriptor.typeOffset(tailIndex), RingBuffer.PADDING_MSG_TYPE_ID);
        buffer.putIntRelease(RecordDescriptor.lengthOffset(tailIndex), length);
        records.published(position, length);
    }

    /**
     * @return true when the tail and head cache positions in the trailer are the ones the listener stored.
     */
    private boolean trailerIntact()
    {
        final long sharedTail = buffer.getLong(tailPositionIndex);
        if (sharedTail != tail)
        {
            violation = "wrote the request ring's tail position: " + sharedTail + ", not " + tail;
            return false;
        }
        final long sharedHeadCache = buffer.getLong(headCachePositionIndex);
        if (sharedHeadCache != head)
        {
            violation = "wrote the request ring's head cache position: " + sharedHeadCache + ", not " + head;
            return false;
        }
        return true;
    }

    /**
     * Read the consumer's head position, check it, and keep it (also as the trailer's head cache).
     *
     * @return false when it breaks the protocol (see {@link #violation()}).
     */
    private boolean readHead()
    {
        final long position = buffer.getLongVolatile(headPositionIndex);
        if (position == head)
        {
            return true;
        }
        if (!checkHead(position))
        {
            violation = "stored a request ring head position of " + position + ", not a record start between " +
                head + " and " + tail;
            return false;
        }
        head = position;
        buffer.putLongRelease(headCachePositionIndex, position);
        return true;
    }
}
