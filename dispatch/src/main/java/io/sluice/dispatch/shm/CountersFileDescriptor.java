package io.sluice.dispatch.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;

/**
 * Layout of the listener's counters file, {@value #COUNTERS_FILE_NAME} in its shared-memory directory (mode 0600 in
 * a directory of mode 0700), as Aeron's CnC file holds its counters: a header, then the counters' metadata buffer,
 * then their values buffer, both those of an Agrona {@link org.agrona.concurrent.status.CountersManager}. Any process
 * of the listener's user may map it read-only and read the counters with a plain
 * {@link CountersReader} over {@link #createMetaDataBuffer} and {@link #createValuesBuffer}, without touching the
 * listener. The listener writes {@link #VERSION_OFFSET} last (an ordered write), so a non-zero version means the rest of
 * the header is written and every counter is allocated.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Layout version (0 = not ready)                | 0
 *  +---------------------------------------------------------------+
 *  |                         Header length                         | 4
 *  +---------------------------------------------------------------+
 *  |                  Counters metadata buffer length              | 8
 *  +---------------------------------------------------------------+
 *  |                  Counters values buffer length                | 12
 *  +---------------------------------------------------------------+
 *  |                         Listener PID                          | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Listener start time (epoch ms)              | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       ... up to 128                           |
 *  +---------------------------------------------------------------+
 *  |  Counters metadata (CountersReader.METADATA_LENGTH per counter)| 128
 *  +---------------------------------------------------------------+
 *  |  Counters values (CountersReader.COUNTER_LENGTH per counter)  |
 *  +---------------------------------------------------------------+
 * </pre>
 * Every counter's key (in its metadata record) is laid out so that a reader can sum and label the counters without
 * parsing labels (little-endian ints):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |           Queue number (-1: a counter of the listener)        | 0
 *  +---------------------------------------------------------------+
 *  |        Event loop number (-1: not kept per event loop)        | 4
 *  +---------------------------------------------------------------+
 *  |     Qualifier (status class, status, bucket, protocol; -1)    | 8
 *  +---------------------------------------------------------------+
 *  |                    Queue name length (bytes)                  | 12
 *  +---------------------------------------------------------------+
 *  |                   Queue name (ASCII, up to 96 bytes)          | 16
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class CountersFileDescriptor
{
    /**
     * Name of the counters file in the listener's shared-memory directory.
     */
    public static final String COUNTERS_FILE_NAME = "counters.dat";

    /**
     * Version of this layout, written last by the listener.
     */
    public static final int LAYOUT_VERSION = 1;

    /**
     * Offset of the layout version.
     */
    public static final int VERSION_OFFSET = 0;

    /**
     * Offset of the header length.
     */
    public static final int HEADER_LENGTH_OFFSET = 4;

    /**
     * Offset of the metadata buffer's length.
     */
    public static final int METADATA_LENGTH_OFFSET = 8;

    /**
     * Offset of the values buffer's length.
     */
    public static final int VALUES_LENGTH_OFFSET = 12;

    /**
     * Offset of the listener's process id.
     */
    public static final int PID_OFFSET = 16;

    /**
     * Offset of the listener's start time, in ms since the epoch.
     */
    public static final int START_TIME_MS_OFFSET = 24;

    /**
     * Length of the header: {@value}.
     */
    public static final int HEADER_LENGTH = 2 * BitUtil.CACHE_LINE_LENGTH;

    /**
     * Offset of the queue number in a counter's key.
     */
    public static final int KEY_QUEUE_INDEX_OFFSET = 0;

    /**
     * Offset of the event loop number in a counter's key.
     */
    public static final int KEY_LOOP_INDEX_OFFSET = 4;

    /**
     * Offset of the qualifier in a counter's key.
     */
    public static final int KEY_QUALIFIER_OFFSET = 8;

    /**
     * Offset of the queue name's length in a counter's key.
     */
    public static final int KEY_QUEUE_NAME_LENGTH_OFFSET = 12;

    /**
     * Offset of the queue name in a counter's key.
     */
    public static final int KEY_QUEUE_NAME_OFFSET = 16;

    /**
     * Longest queue name kept in a key: {@value}.
     */
    public static final int KEY_QUEUE_NAME_MAX_LENGTH = CountersReader.MAX_KEY_LENGTH - KEY_QUEUE_NAME_OFFSET;

    /**
     * The key field's value when it does not apply.
     */
    public static final int NONE = -1;

    private CountersFileDescriptor()
    {
    }

    /**
     * @param counterCount the most counters the file holds.
     * @return the length of the values buffer for that many.
     */
    public static int valuesLength(final int counterCount)
    {
        return counterCount * CountersReader.COUNTER_LENGTH;
    }

    /**
     * @param counterCount the most counters the file holds.
     * @return the length of the metadata buffer for that many.
     */
    public static int metaDataLength(final int counterCount)
    {
        return counterCount * CountersReader.METADATA_LENGTH;
    }

    /**
     * @param counterCount the most counters the file holds.
     * @return the file's length.
     */
    public static int fileLength(final int counterCount)
    {
        return HEADER_LENGTH + metaDataLength(counterCount) + valuesLength(counterCount);
    }

    /**
     * Write the header, all but the version (see {@link #signalReady}).
     *
     * @param header         over the start of the file.
     * @param counterCount   the most counters the file holds.
     * @param pid            the listener's process id.
     * @param startTimeMs    when the listener started, ms since the epoch.
     */
    public static void fillHeader(
        final AtomicBuffer header, final int counterCount, final long pid, final long startTimeMs)
    {
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putInt(METADATA_LENGTH_OFFSET, metaDataLength(counterCount));
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength(counterCount));
        header.putLong(PID_OFFSET, pid);
        header.putLong(START_TIME_MS_OFFSET, startTimeMs);
    }

    /**
     * Mark the file ready: every counter is allocated.
     *
     * @param header over the start of the file.
     */
    public static void signalReady(final AtomicBuffer header)
    {
        header.putIntRelease(VERSION_OFFSET, LAYOUT_VERSION);
    }

    /**
     * @param file the mapped file.
     * @return the header's view.
     */
    public static UnsafeBuffer createHeaderBuffer(final ByteBuffer file)
    {
        return new UnsafeBuffer(file, 0, HEADER_LENGTH);
    }

    /**
     * @param file   the mapped file.
     * @param header its header, filled.
     * @return the metadata buffer's view.
     */
    public static UnsafeBuffer createMetaDataBuffer(final ByteBuffer file, final AtomicBuffer header)
    {
        return new UnsafeBuffer(file, header.getInt(HEADER_LENGTH_OFFSET), header.getInt(METADATA_LENGTH_OFFSET));
    }

    /**
     * @param file   the mapped file.
     * @param header its header, filled.
     * @return the values buffer's view.
     */
    public static UnsafeBuffer createValuesBuffer(final ByteBuffer file, final AtomicBuffer header)
    {
        return new UnsafeBuffer(
            file,
            header.getInt(HEADER_LENGTH_OFFSET) + header.getInt(METADATA_LENGTH_OFFSET),
            header.getInt(VALUES_LENGTH_OFFSET));
    }

    /**
     * Check that a mapped file is a ready counters file of this layout and as long as its header says.
     *
     * @param file   the mapped file.
     * @param header its header.
     * @return null when it is, else the reason it is not, in a few words.
     */
    public static String check(final ByteBuffer file, final AtomicBuffer header)
    {
        if (file.capacity() < HEADER_LENGTH)
        {
            return "shorter than its header";
        }
        final int version = header.getIntAcquire(VERSION_OFFSET);
        if (0 == version)
        {
            return "not ready yet";
        }
        if (LAYOUT_VERSION != version)
        {
            return "layout version " + version + ", this reader knows " + LAYOUT_VERSION;
        }
        final long length = (long)header.getInt(HEADER_LENGTH_OFFSET) + header.getInt(METADATA_LENGTH_OFFSET) +
            header.getInt(VALUES_LENGTH_OFFSET);
        if (header.getInt(HEADER_LENGTH_OFFSET) < HEADER_LENGTH || length > file.capacity() ||
            header.getInt(METADATA_LENGTH_OFFSET) < 0 || header.getInt(VALUES_LENGTH_OFFSET) < 0)
        {
            return "lengths do not fit the file";
        }
        return null;
    }
}
