package io.sluice.listener.log;

import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.queue.QueueBinding;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listener's access and error logs, as the event loops see them: each finished request or refusal is encoded as
 * one record ({@link LogRecordDescriptor}) into a ring shared by the loops and written to its file by one writer
 * thread ({@link LogWriterAgent}). Writing a record claims room in the ring, copies the facts' texts byte by byte and
 * commits: nothing is allocated, nothing waits. A full ring drops the record and counts it
 * ({@link #droppedCount()}).
 * <p>
 * Files are declared before {@link #start()} ({@link #accessLog}, {@link #errorLog}); the same path declared twice is
 * one file. Threading: {@link #access} and {@link #error} from any thread (the event loops); the rest from the thread
 * that starts and closes the listener.
 */
public final class RequestLog implements AutoCloseable
{
    /**
     * File id of a request that is not logged.
     */
    public static final int FILE_NONE = -1;

    /**
     * Default capacity of the log ring: 4 MiB, some 10,000 records of a few hundred bytes.
     */
    public static final int RING_CAPACITY_DEFAULT = 4 * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(RequestLog.class.getName());
    // the writer parks 1 ms between batches under load, backing off to 100 ms when idle: ten wake-ups a second
    private static final long MIN_PARK_NS = 1_000_000L;
    private static final long MAX_PARK_NS = 100_000_000L;

    private final List<LogFile> files = new ArrayList<>();
    private final RingBuffer ring;
    private final EpochClock clock;
    private final AtomicLong dropped = new AtomicLong();
    private int errorFileId = FILE_NONE;
    private LogWriterAgent agent;
    private AgentRunner runner;

    /**
     * A log with the default ring capacity and the system's wall clock.
     */
    public RequestLog()
    {
        this(RING_CAPACITY_DEFAULT, SystemEpochClock.INSTANCE);
    }

    /**
     * @param ringCapacity capacity of the ring in bytes, a power of two.
     * @param clock        the wall clock the records are stamped with and files rotated by.
     */
    public RequestLog(final int ringCapacity, final EpochClock clock)
    {
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(ringCapacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.clock = clock;
    }

    /**
     * Declare an access log file.
     *
     * @param path            the file; its directory is created when missing.
     * @param rotateSizeLength rotate once the file would pass this many bytes; 0: never by size.
     * @param rotateDaily     rotate when the UTC day changes.
     * @return the file's id, for {@link #access}.
     */
    public int accessLog(final Path path, final long rotateSizeLength, final boolean rotateDaily)
    {
        return declare(path, rotateSizeLength, rotateDaily, W3cFormat.ACCESS_FIELDS);
    }

    /**
     * Declare the error log file.
     *
     * @param path            the file; its directory is created when missing.
     * @param rotateSizeLength rotate once the file would pass this many bytes; 0: never by size.
     * @param rotateDaily     rotate when the UTC day changes.
     */
    public void errorLog(final Path path, final long rotateSizeLength, final boolean rotateDaily)
    {
        errorFileId = declare(path, rotateSizeLength, rotateDaily, W3cFormat.ERROR_FIELDS);
    }

    /**
     * @return true when an error log is declared.
     */
    public boolean hasErrorLog()
    {
        return FILE_NONE != errorFileId;
    }

    /**
     * @return true when any file is declared: the writer thread runs only then.
     */
    public boolean isEnabled()
    {
        return !files.isEmpty();
    }

    /**
     * Open the files and start the writer thread, when any file is declared.
     *
     * @throws java.io.UncheckedIOException when a file cannot be opened.
     */
    public void start()
    {
        if (files.isEmpty())
        {
            return;
        }
        final long nowMs = clock.time();
        for (final LogFile file : files)
        {
            file.open(nowMs);
        }
        agent = new LogWriterAgent(ring, files, clock, dropped);
        runner = new AgentRunner(
            new BackoffIdleStrategy(1, 1, MIN_PARK_NS, MAX_PARK_NS),
            (ex) -> LOG.log(Level.WARNING, "log writer: " + ex, ex),
            (AtomicCounter)null,
            agent);
        AgentRunner.startOnThread(runner);
    }

    /**
     * Ask the writer to close and open every file again, at the same path: logrotate moved them away.
     */
    public void reopen()
    {
        final LogWriterAgent agent = this.agent;
        if (null != agent)
        {
            agent.requestReopen();
        }
    }

    /**
     * @return records dropped because the ring was full.
     */
    public long droppedCount()
    {
        return dropped.get();
    }

    /**
     * Log a finished request to an access log. Allocates nothing; never waits.
     *
     * @param fileId its file, from {@link #accessLog}; {@link #FILE_NONE} logs nothing.
     * @param facts  the request.
     * @param nowNs  the connection's clock now, for the duration.
     * @return true when written (or not logged), false when dropped.
     */
    public boolean access(final int fileId, final RequestLogFacts facts, final long nowNs)
    {
        if (FILE_NONE == fileId)
        {
            return true;
        }
        return write(LogRecordDescriptor.ACCESS_MSG_TYPE_ID, fileId, facts, facts.status(), null, nowNs);
    }

    /**
     * Log a refusal or failure to the error log, when there is one. Allocates nothing; never waits.
     *
     * @param facts  the request or connection.
     * @param status the status answered, or 0 when the connection was closed without one.
     * @param reason why.
     * @param nowNs  the connection's clock now, for the duration.
     * @return true when written (or not logged), false when dropped.
     */
    public boolean error(final RequestLogFacts facts, final int status, final ErrorReason reason, final long nowNs)
    {
        if (FILE_NONE == errorFileId)
        {
            return true;
        }
        return write(LogRecordDescriptor.ERROR_MSG_TYPE_ID, errorFileId, facts, status, reason, nowNs);
    }

    /**
     * Stop the writer once it has written what the ring holds, and close the files.
     */
    public void close()
    {
        CloseHelper.quietClose(runner);
        runner = null;
        agent = null;
    }

    private int declare(
        final Path path, final long rotateSizeLength, final boolean rotateDaily, final String fields)
    {
        final Path normalized = path.toAbsolutePath().normalize();
        for (int i = 0; i < files.size(); i++)
        {
            if (files.get(i).path().equals(normalized))
            {
                if (!files.get(i).fields().equals(fields))
                {
                    throw new IllegalArgumentException("one file for the access and the error log: path=" + path);
                }
                return i;
            }
        }
        files.add(new LogFile(normalized, rotateSizeLength, rotateDaily, fields));
        return files.size() - 1;
    }

    private boolean write(
        final int msgTypeId,
        final int fileId,
        final RequestLogFacts facts,
        final int status,
        final ErrorReason reason,
        final long nowNs)
    {
        final ConnectionLogFacts connection = facts.connectionFacts();
        final String clientAddress = connection.clientAddress();
        final String serverAddress = connection.serverAddress();
        final String method = facts.method();
        final String target = facts.target();
        final String userAgent = facts.userAgent();
        final String referer = facts.referer();
        final QueueBinding binding = facts.binding();
        final String queueName = null == binding ? null : binding.queue().name();
        final int length = LogRecordDescriptor.TEXTS_OFFSET +
            LogRecordDescriptor.textLength(clientAddress, LogRecordDescriptor.MAX_ADDRESS_LENGTH) +
            LogRecordDescriptor.textLength(serverAddress, LogRecordDescriptor.MAX_ADDRESS_LENGTH) +
            LogRecordDescriptor.textLength(method, LogRecordDescriptor.MAX_METHOD_LENGTH) +
            LogRecordDescriptor.textLength(target, LogRecordDescriptor.MAX_TARGET_LENGTH) +
            LogRecordDescriptor.textLength(userAgent, LogRecordDescriptor.MAX_FIELD_LENGTH) +
            LogRecordDescriptor.textLength(referer, LogRecordDescriptor.MAX_FIELD_LENGTH) +
            LogRecordDescriptor.textLength(queueName, LogRecordDescriptor.MAX_QUEUE_NAME_LENGTH);
        final int claimed = ring.tryClaim(msgTypeId, length);
        if (claimed <= 0)
        {
            dropped.incrementAndGet();
            return false;
        }
        final UnsafeBuffer buffer = (UnsafeBuffer)ring.buffer();
        final HostingMode hosting = null == binding ? null : binding.hosting();
        buffer.putLong(claimed + LogRecordDescriptor.TIMESTAMP_MS_OFFSET, clock.time());
        buffer.putLong(claimed + LogRecordDescriptor.DURATION_NS_OFFSET, facts.durationNs(nowNs));
        buffer.putLong(claimed + LogRecordDescriptor.SENT_LENGTH_OFFSET, facts.sentBytes());
        buffer.putLong(claimed + LogRecordDescriptor.RECEIVED_LENGTH_OFFSET, facts.receivedBytes());
        buffer.putInt(claimed + LogRecordDescriptor.STATUS_OFFSET, status);
        buffer.putInt(claimed + LogRecordDescriptor.FILE_ID_OFFSET, fileId);
        buffer.putInt(claimed + LogRecordDescriptor.CLIENT_PORT_OFFSET, connection.clientPort());
        buffer.putInt(claimed + LogRecordDescriptor.SERVER_PORT_OFFSET, connection.serverPort());
        buffer.putInt(
            claimed + LogRecordDescriptor.REASON_OFFSET, null == reason ? LogRecordDescriptor.NONE : reason.ordinal());
        buffer.putInt(
            claimed + LogRecordDescriptor.HOSTING_OFFSET,
            null == hosting ? LogRecordDescriptor.NONE : hosting.ordinal());
        buffer.putInt(claimed + LogRecordDescriptor.PROTOCOL_OFFSET, facts.protocol());
        int index = claimed + LogRecordDescriptor.TEXTS_OFFSET;
        index = putText(buffer, index, clientAddress, LogRecordDescriptor.MAX_ADDRESS_LENGTH);
        index = putText(buffer, index, serverAddress, LogRecordDescriptor.MAX_ADDRESS_LENGTH);
        index = putText(buffer, index, method, LogRecordDescriptor.MAX_METHOD_LENGTH);
        index = putText(buffer, index, target, LogRecordDescriptor.MAX_TARGET_LENGTH);
        index = putText(buffer, index, userAgent, LogRecordDescriptor.MAX_FIELD_LENGTH);
        index = putText(buffer, index, referer, LogRecordDescriptor.MAX_FIELD_LENGTH);
        putText(buffer, index, queueName, LogRecordDescriptor.MAX_QUEUE_NAME_LENGTH);
        ring.commit(claimed);
        return true;
    }

    private static int putText(final UnsafeBuffer buffer, final int index, final String text, final int limit)
    {
        final int length = null == text ? 0 : Math.min(text.length(), limit);
        buffer.putInt(index, length);
        final int start = index + BitUtil.SIZE_OF_INT;
        for (int i = 0; i < length; i++)
        {
            // the decoder reads fields as ISO-8859-1: every char is one byte
            buffer.putByte(start + i, (byte)text.charAt(i));
        }
        return start + length;
    }
}
