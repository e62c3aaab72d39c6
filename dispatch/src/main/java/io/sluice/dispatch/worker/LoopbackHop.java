package io.sluice.dispatch.worker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The response bytes on their way to one loopback worker connection: those handler threads handed to its event loop
 * and it has not written yet (counted, so that {@code sendBody} answers false, and a thread that sends on regardless
 * waits, past {@link #HOP_HIGH_WATER_MARK_LENGTH}), and the copies made of a handler's bytes, on the event loop into
 * the connection's allocator, off it onto the heap.
 */
final class LoopbackHop
{
    /**
     * Bytes handed over from other threads and not yet written, past which {@code sendBody} waits: {@value}.
     */
    static final long HOP_HIGH_WATER_MARK_LENGTH = 256 * 1024;

    private static final long BACK_PRESSURE_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final byte[] EMPTY = new byte[0];

    private final Channel channel;
    private final AtomicLong hopLength = new AtomicLong();
    private final UnsafeBuffer copyView = new UnsafeBuffer(EMPTY);

    /**
     * @param channel the connection.
     */
    LoopbackHop(final Channel channel)
    {
        this.channel = channel;
    }

    /**
     * A handler thread handed bytes to the event loop.
     *
     * @param length of the bytes.
     */
    void hopped(final int length)
    {
        hopLength.addAndGet(length);
    }

    /**
     * Bytes handed over by a handler thread reached the event loop.
     *
     * @param length of the bytes.
     */
    void landed(final int length)
    {
        hopLength.addAndGet(-length);
    }

    /**
     * @return true while the connection is under its write-buffer high water mark and handler threads have at most
     * {@link #HOP_HIGH_WATER_MARK_LENGTH} bytes on their way to it. Any thread.
     */
    boolean isWritable()
    {
        return hopLength.get() <= HOP_HIGH_WATER_MARK_LENGTH && channel.isWritable();
    }

    /**
     * Back-pressure for handler threads that send on after {@code sendBody} answered false: wait while the connection
     * holds more than it may.
     *
     * @param exchange the exchange sending; its abort ends the wait.
     */
    void awaitWritable(final LoopbackExchange exchange)
    {
        while ((hopLength.get() > HOP_HIGH_WATER_MARK_LENGTH || !channel.isWritable()) &&
            channel.isActive() && !exchange.isAborted())
        {
            LockSupport.parkNanos(BACK_PRESSURE_PARK_NS);
        }
    }

    /**
     * Copy bytes into a buffer from the connection's allocator. Event loop only.
     *
     * @param src    holding the bytes.
     * @param offset of the bytes in it.
     * @param length of the bytes.
     * @return the copy, owned by the caller.
     */
    ByteBuf copy(final DirectBuffer src, final int offset, final int length)
    {
        if (length == 0)
        {
            return Unpooled.EMPTY_BUFFER;
        }
        final ByteBuf buf = channel.alloc().directBuffer(length);
        if (buf.hasMemoryAddress())
        {
            copyView.wrap(buf.memoryAddress() + buf.writerIndex(), length);
            src.getBytes(offset, copyView, 0, length);
            copyView.wrap(EMPTY);
        }
        else
        {
            src.getBytes(offset, buf.nioBuffer(buf.writerIndex(), length), 0, length);
        }
        buf.writerIndex(buf.writerIndex() + length);
        return buf;
    }

    /**
     * Copy bytes onto the heap, off the event loop: the copy travels to it with the task that writes it.
     *
     * @param buffer holding the bytes.
     * @param offset of the bytes in it.
     * @param length of the bytes.
     * @return the copy, owned by the caller.
     */
    static ByteBuf copyOffLoop(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == 0)
        {
            return Unpooled.EMPTY_BUFFER;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return Unpooled.wrappedBuffer(bytes);
    }
}
