package io.sluice.dispatch.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.MappedByteBuffer;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;

/**
 * Layout of one worker's shared-memory file: a metadata header, then the request ring, then the response ring.
 * The listener creates the file (mode 0600, in a directory of mode 0700) and writes the header; it writes
 * {@link #LAYOUT_VERSION_OFFSET} last, so a non-zero version means the file is ready to attach.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Layout version (0 = not ready)                | 0
 *  +---------------------------------------------------------------+
 *  |                         Header length                         | 4
 *  +---------------------------------------------------------------+
 *  |                 Request ring length (with trailer)            | 8
 *  +---------------------------------------------------------------+
 *  |                Response ring length (with trailer)            | 12
 *  +---------------------------------------------------------------+
 *  |                         Listener PID                          | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Listener start time (epoch ms)              | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Listener heartbeat (epoch ms)                 | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Worker PID                           | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Worker heartbeat (epoch ms)                  | 48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     Worker features (bits 0..3: see FEATURE_*)                | 56
 *  +---------------------------------------------------------------+
 *  |     Listener features (bit 0: request ring zeroed ahead)      | 60
 *  +---------------------------------------------------------------+
 *  |          Worker sleeping flag (own cache-line pair)           | 128
 *  +---------------------------------------------------------------+
 *  |         Listener sleeping flag (own cache-line pair)          | 256
 *  +---------------------------------------------------------------+
 *  |       Worker count of request heads received (long)          | 384
 *  +---------------------------------------------------------------+
 *  |       Credit queue tail position (listener, long)             | 512
 *  +---------------------------------------------------------------+
 *  |       Credit queue head position (worker, long)               | 640
 *  +---------------------------------------------------------------+
 *  |       Credit queue: 128 entries of 16 bytes                   | 2048
 *  +---------------------------------------------------------------+
 *  |                       ... up to 4096                          |
 *  +---------------------------------------------------------------+
 *  |     Request ring: many producers (listener event loops),      | 4096
 *  |     one consumer (the worker); Agrona ManyToOneRingBuffer     |
 *  +---------------------------------------------------------------+
 *  |     Response ring: many producers (worker threads),           |
 *  |     one consumer (the listener); Agrona ManyToOneRingBuffer   |
 *  +---------------------------------------------------------------+
 * </pre>
 * The sleeping flags are the wake-up protocol: a side about to block sets its flag, then reads its ring once more;
 * a producer, after committing, fences and, if the consumer's flag is set, clears it and rings the doorbell (one byte
 * on the worker's Unix domain socket). So a busy consumer costs the producer no system call.
 */
public final class WorkerFileDescriptor
{
    /**
     * Version of this layout, written last by the listener. Version 3 added response credit
     * ({@link MessageDescriptor#RESPONSE_CREDIT_MSG_TYPE_ID}): a worker must not send more response body than its
     * window plus the credit granted.
     */
    public static final int LAYOUT_VERSION = 3;

    /**
     * Offset of the layout version.
     */
    public static final int LAYOUT_VERSION_OFFSET = 0;

    /**
     * Offset of the header length.
     */
    public static final int HEADER_LENGTH_OFFSET = 4;

    /**
     * Offset of the request ring length.
     */
    public static final int REQUEST_RING_LENGTH_OFFSET = 8;

    /**
     * Offset of the response ring length.
     */
    public static final int RESPONSE_RING_LENGTH_OFFSET = 12;

    /**
     * Offset of the listener's PID.
     */
    public static final int LISTENER_PID_OFFSET = 16;

    /**
     * Offset of the listener's start time in epoch ms.
     */
    public static final int LISTENER_START_TIME_OFFSET = 24;

    /**
     * Offset of the listener's heartbeat in epoch ms.
     */
    public static final int LISTENER_HEARTBEAT_OFFSET = 32;

    /**
     * Offset of the worker's PID, written by the worker when it attaches.
     */
    public static final int WORKER_PID_OFFSET = 40;

    /**
     * Offset of the worker's heartbeat in epoch ms.
     */
    public static final int WORKER_HEARTBEAT_OFFSET = 48;

    /**
     * Offset of the worker's features (int32): what the worker can take beyond the layout version's minimum, written
     * by the worker before it presents its token; the listener reads it when the worker attaches and zeroes it when
     * the worker exits, so a replacement that writes nothing gets none of them.
     */
    public static final int WORKER_FEATURES_OFFSET = 56;

    /**
     * Worker feature: the worker reads a request body carried inline in its {@code REQUEST_HEAD}
     * ({@link RequestHeadEncoder#INLINE_BODY_FLAG}). Without it the listener always sends bodies as
     * {@code REQUEST_BODY} messages.
     */
    public static final int FEATURE_INLINE_REQUEST_BODY = 1;

    /**
     * Worker feature: the worker sleeps reading its wake pipe ({@code SLUICE_WAKE_PIPE}), which it opened before it
     * presented its token, rather than its doorbell socket; the listener then wakes it with one byte written
     * to the pipe. A pipe costs both sides a fraction of what a socket's byte costs. Without it the listener wakes the
     * worker on the doorbell socket.
     */
    public static final int FEATURE_WAKE_PIPE = 2;

    /**
     * Worker feature: the worker takes response credit from the credit queue in the header
     * ({@link #CREDIT_QUEUE_ENTRIES_OFFSET}) as well as from {@code RESPONSE_CREDIT} messages. The listener then
     * writes its grants into the queue, which the worker reads ahead of the request ring, so that a grant does not
     * wait behind the body chunks queued before it; only when the queue is full does a grant go into the request ring.
     */
    public static final int FEATURE_CREDIT_QUEUE = 4;

    /**
     * Worker feature: the response ring is zeroed ahead. Every time the worker moves the response ring's tail position
     * (a record claimed, with or without a padding record before it, or a padding record alone), it zeroes the 8-byte
     * record header at the new tail, unless that is the record at the head, not taken yet, within the same step as
     * the move: before any other of its threads can claim there, and before the record it claimed is committed. So
     * the free part of the response ring always starts with a zero header, and the listener zeroes only the 8-byte
     * header of each record it takes, not its message. Without it the listener zeroes every byte it takes, as
     * Agrona's consumer does.
     */
    public static final int FEATURE_RESPONSE_RING_ZEROED_AHEAD = 8;

    /**
     * Offset of the listener's features (int32): what the listener does beyond the layout version's minimum, written
     * by the listener before the layout version and never changed while the file exists.
     */
    public static final int LISTENER_FEATURES_OFFSET = 60;

    /**
     * Listener feature: the request ring is zeroed ahead. Before it commits a record, the listener zeroes the 8-byte
     * record header that follows it (unless that is the record at the head, not taken yet), so the free part of the
     * request ring always starts with a zero header, and a consumer of the request ring need zero only the 8-byte
     * header of each record it takes, not its message.
     */
    public static final int FEATURE_REQUEST_RING_ZEROED_AHEAD = 1;

    /**
     * Offset of the flag the worker sets before it blocks waiting for requests.
     */
    public static final int WORKER_SLEEPING_OFFSET = 2 * CACHE_LINE_LENGTH;

    /**
     * Offset of the flag the listener sets before it waits for responses.
     */
    public static final int LISTENER_SLEEPING_OFFSET = 4 * CACHE_LINE_LENGTH;

    /**
     * Offset of the worker's count of requests received.
     */
    public static final int WORKER_REQUESTS_OFFSET = 6 * CACHE_LINE_LENGTH;

    /**
     * Offset of the credit queue's tail position (int64): the number of grants the listener has written into the
     * queue since the worker attached. Written by the listener only (a release store after the entry), never read
     * back by it.
     */
    public static final int CREDIT_QUEUE_TAIL_OFFSET = 8 * CACHE_LINE_LENGTH;

    /**
     * Offset of the credit queue's head position (int64): the number of grants the worker has taken. Written by the
     * worker only (a release store once it has read the entries before it); the listener reads it to find room and
     * stops using the queue when it is below the head it last read or past its own tail.
     */
    public static final int CREDIT_QUEUE_HEAD_OFFSET = 10 * CACHE_LINE_LENGTH;

    /**
     * Offset of the credit queue's entries: {@link #CREDIT_QUEUE_CAPACITY} entries of
     * {@link #CREDIT_QUEUE_ENTRY_LENGTH} bytes; the entry of position {@code p} is at
     * {@code CREDIT_QUEUE_ENTRIES_OFFSET + (p & (CREDIT_QUEUE_CAPACITY - 1)) * CREDIT_QUEUE_ENTRY_LENGTH}.
     */
    public static final int CREDIT_QUEUE_ENTRIES_OFFSET = 2048;

    /**
     * Entries in the credit queue, a power of two.
     */
    public static final int CREDIT_QUEUE_CAPACITY = 128;

    /**
     * Length of one credit queue entry: int64 request id at 0, int32 bytes granted (&gt; 0) at 8, int32 0 at 12.
     */
    public static final int CREDIT_QUEUE_ENTRY_LENGTH = 16;

    /**
     * Offset of the bytes granted within a credit queue entry.
     */
    public static final int CREDIT_QUEUE_GRANT_OFFSET = 8;

    /**
     * Length of the header, a page.
     */
    public static final int HEADER_LENGTH = 4096;

    /**
     * Value of a sleeping flag while that side may be blocked.
     */
    public static final int SLEEPING = 1;

    /**
     * Value of a sleeping flag while that side is awake.
     */
    public static final int AWAKE = 0;

    /**
     * Name of the worker's ring file inside its directory.
     */
    public static final String RINGS_FILE_NAME = "rings";

    /**
     * Name of the worker's doorbell socket inside its directory.
     */
    public static final String DOORBELL_FILE_NAME = "doorbell.sock";

    /**
     * Length of the token a worker sends first on the doorbell socket.
     */
    public static final int TOKEN_LENGTH = 32;

    /**
     * Most lanes a worker may be given ({@code SLUICE_LANES}): one per listener event loop, at most {@value}.
     */
    public static final int LANES_MAX = 256;

    private WorkerFileDescriptor()
    {
    }

    /**
     * The ring file of one lane: lane 0's is {@value #RINGS_FILE_NAME}, lane {@code k >= 1}'s is {@code rings.k}.
     * Every lane's file has the whole layout of this class (header, request ring, response ring).
     *
     * @param lane the lane, 0 to {@link #LANES_MAX} - 1.
     * @return the file's name inside the worker's directory.
     */
    public static String ringsFileName(final int lane)
    {
        return 0 == lane ? RINGS_FILE_NAME : RINGS_FILE_NAME + "." + lane;
    }

    /**
     * The doorbell socket of one lane: lane 0's is {@value #DOORBELL_FILE_NAME}, lane {@code k >= 1}'s is
     * {@code doorbell.k.sock}.
     *
     * @param lane the lane, 0 to {@link #LANES_MAX} - 1.
     * @return the socket's name inside the worker's directory.
     */
    public static String doorbellFileName(final int lane)
    {
        return 0 == lane ? DOORBELL_FILE_NAME : "doorbell." + lane + ".sock";
    }

    /**
     * @param name a name found in a worker's directory.
     * @return true when it is a lane's ring file or doorbell socket ({@link #ringsFileName},
     * {@link #doorbellFileName}) for a lane below {@link #LANES_MAX}.
     */
    public static boolean isLaneFileName(final String name)
    {
        if (RINGS_FILE_NAME.equals(name) || DOORBELL_FILE_NAME.equals(name))
        {
            return true;
        }
        final String ringsPrefix = RINGS_FILE_NAME + ".";
        if (name.startsWith(ringsPrefix))
        {
            return isLaneNumber(name.substring(ringsPrefix.length()));
        }
        final String doorbellPrefix = "doorbell.";
        final String doorbellSuffix = ".sock";
        if (name.startsWith(doorbellPrefix) && name.endsWith(doorbellSuffix) &&
            name.length() > doorbellPrefix.length() + doorbellSuffix.length())
        {
            return isLaneNumber(name.substring(doorbellPrefix.length(), name.length() - doorbellSuffix.length()));
        }
        return false;
    }

    private static boolean isLaneNumber(final String text)
    {
        if (text.isEmpty() || text.length() > 3 || text.charAt(0) == '0')
        {
            return false;
        }
        int lane = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
            lane = lane * 10 + (c - '0');
        }
        return lane < LANES_MAX;
    }

    /**
     * Total length of a file holding two rings of the given capacities.
     *
     * @param requestRingCapacity  capacity of the request ring, a power of two.
     * @param responseRingCapacity capacity of the response ring, a power of two.
     * @return the file length in bytes.
     */
    public static long fileLength(final int requestRingCapacity, final int responseRingCapacity)
    {
        checkCapacity("requestRingCapacity", requestRingCapacity);
        checkCapacity("responseRingCapacity", responseRingCapacity);
        return (long)HEADER_LENGTH +
            requestRingCapacity + RingBufferDescriptor.TRAILER_LENGTH +
            responseRingCapacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    /**
     * Check a ring capacity.
     *
     * @param name     of the setting.
     * @param capacity to check.
     * @throws IllegalArgumentException when not a power of two of at least 4 KiB.
     */
    public static void checkCapacity(final String name, final int capacity)
    {
        if (!BitUtil.isPowerOfTwo(capacity) || capacity < 4096)
        {
            throw new IllegalArgumentException(
                name + " must be a power of two of at least 4096: " + name + "=" + capacity);
        }
    }

    /**
     * Write the header of a newly created file; the version is written last, with release semantics.
     *
     * @param header               buffer over the header.
     * @param requestRingCapacity  capacity of the request ring.
     * @param responseRingCapacity capacity of the response ring.
     * @param listenerPid          the listener's PID.
     * @param startTimeMs          the listener's start time.
     */
    public static void initialise(
        final AtomicBuffer header,
        final int requestRingCapacity,
        final int responseRingCapacity,
        final long listenerPid,
        final long startTimeMs)
    {
        initialise(header, requestRingCapacity, responseRingCapacity, listenerPid, startTimeMs, 0);
    }

    /**
     * Write the header of a newly created file with the listener's features; the version is written last, with
     * release semantics.
     *
     * @param header               buffer over the header.
     * @param requestRingCapacity  capacity of the request ring.
     * @param responseRingCapacity capacity of the response ring.
     * @param listenerPid          the listener's PID.
     * @param startTimeMs          the listener's start time.
     * @param listenerFeatures     the listener's features ({@link #FEATURE_REQUEST_RING_ZEROED_AHEAD}).
     */
    public static void initialise(
        final AtomicBuffer header,
        final int requestRingCapacity,
        final int responseRingCapacity,
        final long listenerPid,
        final long startTimeMs,
        final int listenerFeatures)
    {
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putInt(LISTENER_FEATURES_OFFSET, listenerFeatures);
        header.putInt(REQUEST_RING_LENGTH_OFFSET, requestRingCapacity + RingBufferDescriptor.TRAILER_LENGTH);
        header.putInt(RESPONSE_RING_LENGTH_OFFSET, responseRingCapacity + RingBufferDescriptor.TRAILER_LENGTH);
        header.putLong(LISTENER_PID_OFFSET, listenerPid);
        header.putLong(LISTENER_START_TIME_OFFSET, startTimeMs);
        header.putLongVolatile(LISTENER_HEARTBEAT_OFFSET, startTimeMs);
        header.putIntRelease(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
    }

    /**
     * @param mapped the whole mapped file.
     * @return a buffer over the header.
     */
    public static UnsafeBuffer headerBuffer(final MappedByteBuffer mapped)
    {
        return new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
    }

    /**
     * @param mapped the whole mapped file, its header initialised.
     * @return a buffer over the request ring, trailer included.
     */
    public static UnsafeBuffer requestRingBuffer(final MappedByteBuffer mapped)
    {
        final UnsafeBuffer header = headerBuffer(mapped);
        return new UnsafeBuffer(mapped, HEADER_LENGTH, header.getInt(REQUEST_RING_LENGTH_OFFSET));
    }

    /**
     * @param mapped the whole mapped file, its header initialised.
     * @return a buffer over the response ring, trailer included.
     */
    public static UnsafeBuffer responseRingBuffer(final MappedByteBuffer mapped)
    {
        final UnsafeBuffer header = headerBuffer(mapped);
        final int requestRingLength = header.getInt(REQUEST_RING_LENGTH_OFFSET);
        return new UnsafeBuffer(
            mapped, HEADER_LENGTH + requestRingLength, header.getInt(RESPONSE_RING_LENGTH_OFFSET));
    }
}
