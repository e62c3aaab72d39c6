package io.sluice.listener.log;

import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.HostingMode;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The log writer's duty cycle: drain the log ring, format each record as a W3C line into its file's buffer
 * ({@link W3cFormat}), and write the buffers once the ring is drained or a buffer is full, so that writes are batched.
 * A reopen asked for ({@link #requestReopen()}) is done at the start of a cycle. Records dropped on a full ring are
 * reported in the listener's log, at most once per {@value #DROP_REPORT_INTERVAL_MS} ms.
 */
final class LogWriterAgent implements Agent, MessageHandler
{
    private static final Logger LOG = Logger.getLogger(LogWriterAgent.class.getName());
    private static final int MESSAGE_LIMIT = 1024;
    private static final long DROP_REPORT_INTERVAL_MS = 10_000;
    private static final byte[][] REASONS = new byte[ErrorReason.values().length][];
    private static final byte[][] HOSTING = new byte[HostingMode.values().length][];
    private static final byte[] HTTP_1_0 = "HTTP/1.0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_2 = "HTTP/2".getBytes(StandardCharsets.US_ASCII);
    private static final byte NEWLINE = '\n';
    private static final byte QUERY = '?';
    private static final long NO_NUMBER = -1;

    static
    {
        for (final ErrorReason reason : ErrorReason.values())
        {
            REASONS[reason.ordinal()] = reason.logName().getBytes(StandardCharsets.US_ASCII);
        }
        for (final HostingMode mode : HostingMode.values())
        {
            HOSTING[mode.ordinal()] = mode.configName().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final RingBuffer ring;
    private final LogFile[] files;
    private final EpochClock clock;
    private final AtomicLong dropped;
    private final AtomicBoolean reopen = new AtomicBoolean();
    private final W3cFormat format = new W3cFormat();
    private final int[] textOffsets = new int[7];
    private final int[] textLengths = new int[7];
    private long droppedReported;
    private long dropReportMs;

    /**
     * @param ring    the log ring.
     * @param files   the files, by id; opened.
     * @param clock   the wall clock.
     * @param dropped the count of records dropped on a full ring.
     */
    LogWriterAgent(final RingBuffer ring, final List<LogFile> files, final EpochClock clock, final AtomicLong dropped)
    {
        this.ring = ring;
        this.files = files.toArray(new LogFile[0]);
        this.clock = clock;
        this.dropped = dropped;
    }

    /**
     * Close and open every file again at the start of the next cycle; any thread.
     */
    void requestReopen()
    {
        reopen.set(true);
    }

    /**
     * {@inheritDoc}
     */
    public int doWork() throws IOException
    {
        if (reopen.compareAndSet(true, false))
        {
            final long nowMs = clock.time();
            for (final LogFile file : files)
            {
                file.reopen(nowMs);
            }
            LOG.info("log files reopened");
        }
        final int count = ring.read(this, MESSAGE_LIMIT);
        if (count < MESSAGE_LIMIT)
        {
            flushAll();
        }
        reportDrops();
        return count;
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        try
        {
            while (ring.read(this, MESSAGE_LIMIT) > 0)
            {
                flushAll();
            }
            flushAll();
        }
        catch (final UncheckedIOException ex)
        {
            LOG.warning(() -> "log writer: " + ex.getMessage());
        }
        for (final LogFile file : files)
        {
            try
            {
                file.close();
            }
            catch (final IOException ex)
            {
                LOG.warning(() -> "cannot close log file " + file.path() + ": " + ex.getMessage());
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-log-writer";
    }

    /**
     * {@inheritDoc}
     */
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int fileId = buffer.getInt(index + LogRecordDescriptor.FILE_ID_OFFSET);
        if (fileId < 0 || fileId >= files.length)
        {
            return;
        }
        final LogFile file = files[fileId];
        int offset = index + LogRecordDescriptor.TEXTS_OFFSET;
        for (int i = 0; i < textOffsets.length; i++)
        {
            textLengths[i] = buffer.getInt(offset);
            textOffsets[i] = offset + BitUtil.SIZE_OF_INT;
            offset = textOffsets[i] + textLengths[i];
        }
        final long timeMs = buffer.getLong(index + LogRecordDescriptor.TIMESTAMP_MS_OFFSET);
        try
        {
            file.makeRoom(W3cFormat.maxLineLength(length), timeMs);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write log file " + file.path() + ": " + ex.getMessage(), ex);
        }
        final ByteBuffer out = file.buffer();
        format.dateTime(out, timeMs);
        if (LogRecordDescriptor.ACCESS_MSG_TYPE_ID == msgTypeId)
        {
            accessLine(out, buffer, index);
        }
        else
        {
            errorLine(out, buffer, index);
        }
        out.put(NEWLINE);
    }

    private void accessLine(final ByteBuffer out, final DirectBuffer buffer, final int index)
    {
        final int targetOffset = textOffsets[3];
        final int targetLength = textLengths[3];
        int stemLength = targetLength;
        for (int i = 0; i < targetLength; i++)
        {
            if (QUERY == buffer.getByte(targetOffset + i))
            {
                stemLength = i;
                break;
            }
        }
        final int queryLength = stemLength < targetLength ? targetLength - stemLength - 1 : 0;
        final int hosting = buffer.getInt(index + LogRecordDescriptor.HOSTING_OFFSET);

        W3cFormat.field(out, buffer, textOffsets[1], textLengths[1]);
        W3cFormat.field(out, buffer, textOffsets[2], textLengths[2]);
        W3cFormat.field(out, buffer, targetOffset, stemLength);
        W3cFormat.field(out, buffer, targetOffset + stemLength + 1, queryLength);
        W3cFormat.number(out, buffer.getInt(index + LogRecordDescriptor.SERVER_PORT_OFFSET));
        W3cFormat.field(out, buffer, textOffsets[0], textLengths[0]);
        W3cFormat.field(out, buffer, textOffsets[4], textLengths[4]);
        W3cFormat.field(out, buffer, textOffsets[5], textLengths[5]);
        final int status = buffer.getInt(index + LogRecordDescriptor.STATUS_OFFSET);
        W3cFormat.number(out, 0 == status ? NO_NUMBER : status);
        W3cFormat.number(out, buffer.getLong(index + LogRecordDescriptor.SENT_LENGTH_OFFSET));
        W3cFormat.number(out, buffer.getLong(index + LogRecordDescriptor.RECEIVED_LENGTH_OFFSET));
        W3cFormat.number(out, buffer.getLong(index + LogRecordDescriptor.DURATION_NS_OFFSET) / 1_000_000L);
        W3cFormat.field(out, buffer, textOffsets[6], textLengths[6]);
        W3cFormat.word(out, hosting >= 0 && hosting < HOSTING.length ? HOSTING[hosting] : null);
        W3cFormat.word(out, version(buffer.getInt(index + LogRecordDescriptor.PROTOCOL_OFFSET)));
    }

    private static byte[] version(final int protocol)
    {
        return switch (protocol)
        {
            case RequestLogFacts.PROTOCOL_HTTP_1_1 -> HTTP_1_1;
            case RequestLogFacts.PROTOCOL_HTTP_1_0 -> HTTP_1_0;
            case RequestLogFacts.PROTOCOL_HTTP_2 -> HTTP_2;
            default -> null;
        };
    }

    private void errorLine(final ByteBuffer out, final DirectBuffer buffer, final int index)
    {
        final int protocol = buffer.getInt(index + LogRecordDescriptor.PROTOCOL_OFFSET);
        final int reason = buffer.getInt(index + LogRecordDescriptor.REASON_OFFSET);
        final int status = buffer.getInt(index + LogRecordDescriptor.STATUS_OFFSET);

        W3cFormat.field(out, buffer, textOffsets[0], textLengths[0]);
        W3cFormat.number(out, buffer.getInt(index + LogRecordDescriptor.CLIENT_PORT_OFFSET));
        W3cFormat.field(out, buffer, textOffsets[1], textLengths[1]);
        W3cFormat.number(out, buffer.getInt(index + LogRecordDescriptor.SERVER_PORT_OFFSET));
        W3cFormat.word(out, version(protocol));
        W3cFormat.field(out, buffer, textOffsets[2], textLengths[2]);
        W3cFormat.field(out, buffer, textOffsets[3], textLengths[3]);
        W3cFormat.number(out, 0 == status ? NO_NUMBER : status);
        W3cFormat.word(out, reason >= 0 && reason < REASONS.length ? REASONS[reason] : null);
        W3cFormat.field(out, buffer, textOffsets[6], textLengths[6]);
    }

    private void flushAll()
    {
        for (int i = 0; i < files.length; i++)
        {
            try
            {
                files[i].flush();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(
                    "cannot write log file " + files[i].path() + ": " + ex.getMessage(), ex);
            }
        }
    }

    private void reportDrops()
    {
        final long count = dropped.get();
        if (count != droppedReported)
        {
            final long nowMs = clock.time();
            if (nowMs - dropReportMs >= DROP_REPORT_INTERVAL_MS)
            {
                final long since = count - droppedReported;
                droppedReported = count;
                dropReportMs = nowMs;
                LOG.warning(() -> "log ring full: " + since + " log record(s) dropped (" + count + " in all)");
            }
        }
    }
}
