package io.sluice.dispatch.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The worker's producer of a response ring, zeroing ahead
 * ({@link WorkerFileDescriptor#FEATURE_RESPONSE_RING_ZEROED_AHEAD}): it claims, commits and aborts records as
 * Agrona's {@code ManyToOneRingBuffer.tryClaim}, {@code commit} and {@code abort} do, with the same bytes in the
 * ring (padding at the end of the buffer included) and the same positions in its trailer, and in the same step as
 * it moves the tail it zeroes the 8-byte record header at the new tail, unless that is the record at the head, not
 * taken yet. So the free part of the ring always starts with a zero header, and the listener, its consumer, zeroes
 * only the headers of the records it takes, not their messages.
 * <p>
 * Any thread may claim. Agrona moves the tail with a compare-and-set; zeroing after that would race with another
 * thread's claim at the new tail (its header zeroed after it was written). Here a claim instead holds a claim lock
 * in this process (a compare-and-set of a field, then a release store) while it reads the positions, writes the
 * claimed record's header, zeroes the header after it, stores the tail and only then publishes the padding before
 * it, if any (as Agrona does, every record is published after the tail moved past it: the listener fails a worker
 * whose record ends past its tail): claims are serialised, and the zeroing happens before the next claim at that
 * header. The commit, which stores the record's length with
 * release semantics, stays outside the lock. A claim that finds the lock taken spins briefly, then yields: the lock
 * is held for a few stores, never across a call out.
 * <p>
 * No allocation, no system call; uncontended, a claim costs one compare-and-set. Threading: any thread.
 */
public final class ResponseRingProducer
{
    private static final VarHandle CLAIM_LOCK;
    private static final int SPINS_BEFORE_YIELD = 64;

    static
    {
        try
        {
            CLAIM_LOCK = MethodHandles.lookup().findVarHandle(ResponseRingProducer.class, "claimLock", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final AtomicBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int maxMsgLength;
    private final int tailPositionIndex;
    private final int headCachePositionIndex;
    private final int headPositionIndex;
    @SuppressWarnings("unused")
    private volatile int claimLock;

    /**
     * @param buffer the response ring, trailer included.
     */
    public ResponseRingProducer(final AtomicBuffer buffer)
    {
        this.buffer = buffer;
        this.capacity = RingBufferDescriptor.checkCapacity(buffer.capacity(), RecordDescriptor.ALIGNMENT);
        this.mask = capacity - 1;
        this.maxMsgLength = capacity >> 3;
        this.tailPositionIndex = capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET;
        this.headCachePositionIndex = capacity + RingBufferDescriptor.HEAD_CACHE_POSITION_OFFSET;
        this.headPositionIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
    }

    /**
     * @return the ring's buffer, trailer included.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the ring's capacity (its data part) in bytes.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return the largest message a record may hold: capacity / 8, as Agrona's.
     */
    public int maxMsgLength()
    {
        return maxMsgLength;
    }

    /**
     * Claim room for a record, as Agrona's {@code tryClaim}: the record's header is written with its length negated
     * (still being written) and its type, the tail position moved past it (and past a padding record, when it does not
     * fit before the end of the buffer), and the header at the new tail zeroed unless the ring is now full. When the
     * record fits neither before the end of the buffer nor at its start, the end is padded and nothing claimed, as
     * Agrona does.
     *
     * @param msgTypeId the message type, at least 1.
     * @param length    the message length, 0 to {@link #maxMsgLength()}.
     * @return the index of the message in the buffer, or {@link RingBuffer#INSUFFICIENT_CAPACITY}.
     */
    public int tryClaim(final int msgTypeId, final int length)
    {
        if (msgTypeId < 1 || length < 0 || length > maxMsgLength)
        {
            throw new IllegalArgumentException("claim of type " + msgTypeId + ", length " + length);
        }
        final int recordLength = length + RecordDescriptor.HEADER_LENGTH;
        final int required = BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
        lock();
        try
        {
            return claim(msgTypeId, recordLength, required);
        }
        finally
        {
            CLAIM_LOCK.setRelease(this, 0);
        }
    }

    /**
     * Publish a claimed record: its length is stored with release semantics. Any thread, outside the claim lock.
     *
     * @param index the message index {@link #tryClaim} returned.
     */
    public void commit(final int index)
    {
        final int recordIndex = claimedRecordIndex(index);
        buffer.putIntRelease(RecordDescriptor.lengthOffset(recordIndex), -buffer.getInt(
            RecordDescriptor.lengthOffset(recordIndex)));
    }

    /**
     * Give up a claimed record: it becomes padding, which the consumer skips.
     *
     * @param index the message index {@link #tryClaim} returned.
     */
    public void abort(final int index)
    {
        final int recordIndex = claimedRecordIndex(index);
        final int negatedLength = buffer.getInt(RecordDescriptor.lengthOffset(recordIndex));
        buffer.putInt(RecordDescriptor.typeOffset(recordIndex), RingBuffer.PADDING_MSG_TYPE_ID);
        buffer.putIntRelease(RecordDescriptor.lengthOffset(recordIndex), -negatedLength);
    }

    /**
     * Under the claim lock: the positions are this process's to move (the tail and head cache are read plainly, as the
     * lock orders every store to them), the head position the listener's.
     */
    private int claim(final int msgTypeId, final int recordLength, final int required)
    {
        final AtomicBuffer buffer = this.buffer;
        final long tail = buffer.getLong(tailPositionIndex);
        long head = buffer.getLong(headCachePositionIndex);
        if (required > capacity - (int)(tail - head))
        {
            head = buffer.getLongVolatile(headPositionIndex);
            if (required > capacity - (int)(tail - head))
            {
                return RingBuffer.INSUFFICIENT_CAPACITY;
            }
            buffer.putLongRelease(headCachePositionIndex, head);
        }
        final int tailIndex = (int)tail & mask;
        final int toEnd = capacity - tailIndex;
        int writeIndex = tailIndex;
        long newTail = tail + required;
        boolean padded = false;
        if (required > toEnd)
        {
            // pad to the end of the buffer, then claim at its start if the listener has taken that far
            writeIndex = 0;
            if (required > ((int)head & mask))
            {
                head = buffer.getLongVolatile(headPositionIndex);
                if (required > ((int)head & mask))
                {
                    writeIndex = RingBuffer.INSUFFICIENT_CAPACITY;
                    newTail = tail;
                }
                buffer.putLongRelease(headCachePositionIndex, head);
            }
            newTail += toEnd;
            padded = true;
        }
        if (RingBuffer.INSUFFICIENT_CAPACITY != writeIndex)
        {
            buffer.putIntRelease(RecordDescriptor.lengthOffset(writeIndex), -recordLength);
            VarHandle.releaseFence();
            buffer.putInt(RecordDescriptor.typeOffset(writeIndex), msgTypeId);
        }
        if (newTail - head < capacity)
        {
            // zeroed ahead: the header at the new tail is free space and must read "nothing yet" once what precedes
            // it is committed, whatever an earlier lap left there; at a full ring it is the head record's, untouched
            buffer.putLong((int)newTail & mask, 0L);
        }
        buffer.putLongRelease(tailPositionIndex, newTail);
        if (padded)
        {
            // the padding is published only once the tail is past it, as Agrona does: the listener fails a worker
            // whose published record ends past its tail (old bytes read as a record where the header was not zeroed)
            buffer.putIntRelease(RecordDescriptor.lengthOffset(tailIndex), -toEnd);
            VarHandle.releaseFence();
            buffer.putInt(RecordDescriptor.typeOffset(tailIndex), RingBuffer.PADDING_MSG_TYPE_ID);
            buffer.putIntRelease(RecordDescriptor.lengthOffset(tailIndex), toEnd);
        }
        return RingBuffer.INSUFFICIENT_CAPACITY == writeIndex ?
            RingBuffer.INSUFFICIENT_CAPACITY : RecordDescriptor.encodedMsgOffset(writeIndex);
    }

    private void lock()
    {
        if (!CLAIM_LOCK.compareAndSet(this, 0, 1))
        {
            lockContended();
        }
    }

    private void lockContended()
    {
        int spins = 0;
        while (!CLAIM_LOCK.compareAndSet(this, 0, 1))
        {
            if (++spins < SPINS_BEFORE_YIELD)
            {
                Thread.onSpinWait();
            }
            else
            {
                // the holder may have lost its core: let it run (a 2-core machine is never starved by a spin)
                Thread.yield();
            }
        }
    }

    private int claimedRecordIndex(final int index)
    {
        final int recordIndex = index - RecordDescriptor.HEADER_LENGTH;
        if (recordIndex < 0 || recordIndex > capacity - RecordDescriptor.HEADER_LENGTH ||
            buffer.getInt(RecordDescriptor.lengthOffset(recordIndex)) >= 0)
        {
            throw new IllegalStateException("no claimed record at index " + index);
        }
        return recordIndex;
    }
}
