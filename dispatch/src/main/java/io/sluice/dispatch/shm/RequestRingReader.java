package io.sluice.dispatch.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The worker's consumer of a request ring: Agrona's {@code ManyToOneRingBuffer.controlledRead}, with the same
 * actions, order and head position, except that on a ring the listener zeroes ahead
 * ({@link WorkerFileDescriptor#FEATURE_REQUEST_RING_ZEROED_AHEAD}) it zeroes only the 8-byte header of each record it
 * takes, lowest address first, before it stores the head position: the message bytes stay in the ring, and the
 * listener's own zeroing of the next header keeps the free part of the ring reading as "nothing yet". A body chunk
 * therefore costs the worker no pass over its bytes beyond the handler's own. On any other ring it is Agrona's
 * {@code controlledRead} itself.
 * <p>
 * Threading: confined to the ring's one consumer thread.
 */
public final class RequestRingReader
{
    private final ManyToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final int capacity;
    private final int headPositionIndex;
    private final boolean zeroHeadersOnly;

    /**
     * @param ring            the request ring.
     * @param zeroHeadersOnly true when the producer zeroes ahead ({@link #isZeroedAhead}): zero only record headers.
     */
    public RequestRingReader(final ManyToOneRingBuffer ring, final boolean zeroHeadersOnly)
    {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.capacity = ring.capacity();
        this.headPositionIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.zeroHeadersOnly = zeroHeadersOnly;
    }

    /**
     * @param header a worker file's header.
     * @return true when the listener that wrote it zeroes its request ring ahead.
     */
    public static boolean isZeroedAhead(final AtomicBuffer header)
    {
        return (header.getIntVolatile(WorkerFileDescriptor.LISTENER_FEATURES_OFFSET) &
            WorkerFileDescriptor.FEATURE_REQUEST_RING_ZEROED_AHEAD) != 0;
    }

    /**
     * @return true when this reader zeroes only the headers of the records it takes.
     */
    public boolean zeroesHeadersOnly()
    {
        return zeroHeadersOnly;
    }

    /**
     * Read up to {@code messageCountLimit} messages, as {@code ManyToOneRingBuffer.controlledRead}: {@code COMMIT}
     * and {@code BREAK} take what was read so far off the ring (and {@code BREAK} ends the read), {@code ABORT} leaves
     * the message in the ring and ends the read, {@code CONTINUE} goes on; what was read when the read ends is taken.
     *
     * @param handler           called for each message.
     * @param messageCountLimit most messages to read.
     * @return the number of messages read.
     */
    public int read(final ControlledMessageHandler handler, final int messageCountLimit)
    {
        if (!zeroHeadersOnly)
        {
            return ring.controlledRead(handler, messageCountLimit);
        }
        final AtomicBuffer buffer = this.buffer;
        long head = buffer.getLong(headPositionIndex);
        int headIndex = (int)head & (capacity - 1);
        int maxBlockLength = capacity - headIndex;
        int bytesRead = 0;
        int messagesRead = 0;
        try
        {
            while (bytesRead < maxBlockLength && messagesRead < messageCountLimit)
            {
                final int recordIndex = headIndex + bytesRead;
                final int recordLength = buffer.getIntVolatile(RecordDescriptor.lengthOffset(recordIndex));
                if (recordLength <= 0)
                {
                    break;
                }
                final int alignedLength = BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
                bytesRead += alignedLength;
                final int msgTypeId = buffer.getInt(RecordDescriptor.typeOffset(recordIndex));
                if (RingBuffer.PADDING_MSG_TYPE_ID == msgTypeId)
                {
                    continue;
                }
                final ControlledMessageHandler.Action action = handler.onMessage(
                    msgTypeId, buffer, RecordDescriptor.encodedMsgOffset(recordIndex),
                    recordLength - RecordDescriptor.HEADER_LENGTH);
                if (ControlledMessageHandler.Action.ABORT == action)
                {
                    bytesRead -= alignedLength;
                    break;
                }
                messagesRead++;
                if (ControlledMessageHandler.Action.BREAK == action)
                {
                    break;
                }
                if (ControlledMessageHandler.Action.COMMIT == action)
                {
                    take(headIndex, bytesRead);
                    head += bytesRead;
                    buffer.putLongRelease(headPositionIndex, head);
                    headIndex += bytesRead;
                    maxBlockLength -= bytesRead;
                    bytesRead = 0;
                }
            }
        }
        finally
        {
            if (bytesRead > 0)
            {
                take(headIndex, bytesRead);
                buffer.putLongRelease(headPositionIndex, head + bytesRead);
            }
        }
        return messagesRead;
    }

    /**
     * Zero the header of every record in {@code [index, index + length)}, lowest first: its length word, then its
     * type; the messages are left as they are.
     */
    private void take(final int index, final int length)
    {
        final AtomicBuffer buffer = this.buffer;
        final int end = index + length;
        int recordIndex = index;
        while (recordIndex < end)
        {
            final int recordLength = buffer.getInt(RecordDescriptor.lengthOffset(recordIndex));
            buffer.putLong(recordIndex, 0L);
            // never less than a header: a length the reader did not read as positive cannot stall the walk
            recordIndex += BitUtil.align(
                Math.max(recordLength, RecordDescriptor.HEADER_LENGTH), RecordDescriptor.ALIGNMENT);
        }
    }
}
