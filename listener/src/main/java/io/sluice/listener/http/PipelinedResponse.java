package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.listener.queue.FlushListener;
import io.sluice.listener.queue.RequestSink;
import org.agrona.DirectBuffer;

import java.util.ArrayDeque;

/**
 * The connection facts of an exchange and its response's place in the connection's pipelining order: the client's
 * address, the event loop and allocator; and, as responses are written as bytes in request order, an
 * exchange that is not first in line holds its bytes, its flush notice and its host's wait for room until the ones
 * before it complete and it is {@link #activate() activated}. Back-pressure towards the host
 * ({@link #isWritable()}) follows from it: only the response being written may go on. The base of
 * {@link ServerExchange}, so that an exchange stays one object per request. Event-loop confined.
 */
abstract class PipelinedResponse
{
    final HttpConnectionHandler connection;
    long sentBytes;
    private boolean active;
    private ArrayDeque<ByteBuf> held;
    private boolean writeBlocked;
    private FlushListener heldFlushListener;
    private long heldFlushToken;

    /**
     * @param connection the connection the response is written to.
     */
    PipelinedResponse(final HttpConnectionHandler connection)
    {
        this.connection = connection;
    }

    /**
     * @return the event loop every call must be made on: the connection's.
     */
    public EventLoop eventLoop()
    {
        return connection.eventLoop();
    }

    /**
     * @return the allocator for response buffers: the connection's.
     */
    public ByteBufAllocator alloc()
    {
        return connection.alloc();
    }

    /**
     * @return the connection: every exchange of it answers in its request order.
     */
    public Object orderKey()
    {
        return connection;
    }

    /**
     * @return the client's IP address as text.
     */
    public String remoteAddress()
    {
        return connection.addresses().clientAddress();
    }

    /**
     * @return the client's port.
     */
    public int remotePort()
    {
        return connection.addresses().clientPort();
    }

    /**
     * @return the TLS facts of the connection, or null for a cleartext one.
     */
    public TlsInfo tls()
    {
        return connection.tls();
    }

    /**
     * @return true once the response is complete or the request abandoned.
     */
    public abstract boolean isDone();

    /**
     * @return the host's sink for the request, or null once it no longer hears of it.
     */
    abstract RequestSink sink();

    /**
     * Back-pressure towards the host: whether the client connection can take more of this response now. It can when
     * this exchange is the one being written (the first in pipelining order) and the connection is under its
     * write-buffer high water mark; once the response is complete or abandoned nothing waits for it, so true.
     *
     * @return true when more response bytes may be sent now.
     */
    public boolean isWritable()
    {
        return isDone() || (active && connection.isWritable());
    }

    /**
     * Ask to be told when the client connection can take more of this response: when {@link #isWritable()} is false,
     * the sink's {@link RequestSink#writable()} is called once it becomes true (on the event loop, never from within
     * this call).
     *
     * @return true when writable now (nothing is registered); false when the sink will be told later.
     */
    public boolean notifyWhenWritable()
    {
        if (isWritable())
        {
            return true;
        }
        writeBlocked = true;
        return false;
    }

    /**
     * Ask to hear when every response byte sent so far through this exchange has been taken by the client's socket
     * (flow control: a host grants its worker more credit then). A response waiting behind an earlier one on the
     * connection is noticed once it has been written and drained. At most one request may be pending per exchange; a
     * second replaces the first while the response waits behind another. Nothing is heard for an exchange already
     * done, nor when the connection closes first.
     *
     * @param listener told on the event loop, with the token; may serve many exchanges (nothing is allocated).
     * @param token    given back to the listener: it tells a notice for this exchange from one for an earlier.
     */
    public void notifyWhenFlushed(final FlushListener listener, final long token)
    {
        if (isDone())
        {
            return;
        }
        if (active)
        {
            connection.notifyWhenFlushed(listener, token);
        }
        else
        {
            heldFlushListener = listener;
            heldFlushToken = token;
        }
    }

    /**
     * This response is now the one being written: what it held goes out, a flush notice asked for meanwhile is passed
     * on, and a host waiting for its turn is told.
     */
    void activate()
    {
        active = true;
        if (null != held)
        {
            ByteBuf buf;
            while (null != (buf = held.poll()))
            {
                connection.write(buf);
            }
            held = null;
        }
        final FlushListener listener = heldFlushListener;
        if (null != listener)
        {
            heldFlushListener = null;
            connection.notifyWhenFlushed(listener, heldFlushToken);
        }
        if (writeBlocked)
        {
            // the host waits for this response's turn: tell it after the caller's bookkeeping, not from within it
            connection.eventLoop().execute(this::writabilityChanged);
        }
    }

    /**
     * The connection became writable, or this exchange became the one being written: tell a waiting host.
     */
    void writabilityChanged()
    {
        if (writeBlocked && !isDone() && isWritable())
        {
            writeBlocked = false;
            final RequestSink sink = sink();
            if (null != sink)
            {
                sink.writable();
            }
        }
    }

    /**
     * Write response bytes now when this response is the one being written, else hold them until its turn.
     *
     * @param buf the bytes; the connection's, or held until then.
     */
    final void emit(final ByteBuf buf)
    {
        sentBytes += buf.readableBytes();
        if (active)
        {
            connection.write(buf);
        }
        else
        {
            if (null == held)
            {
                held = new ArrayDeque<>(4);
            }
            held.add(buf);
        }
    }

    /**
     * Write body bytes from off-heap memory straight to the socket when this response is the one being written and
     * the socket takes them now ({@link ConnectionOutput#writeDirect}); the caller emits the rest.
     *
     * @param src    the bytes.
     * @param offset of the bytes in {@code src}.
     * @param length of the bytes.
     * @return how many were written, 0 to {@code length}.
     */
    final int emitDirect(final DirectBuffer src, final int offset, final int length)
    {
        if (!active)
        {
            return 0;
        }
        final int written = connection.writeDirect(src, offset, length);
        sentBytes += written;
        return written;
    }

    /**
     * @return the response bytes emitted so far (written, or held for their turn).
     */
    final long emittedLength()
    {
        return sentBytes;
    }

    /**
     * The response is abandoned: the bytes held for its turn are released, and no flush notice is kept.
     */
    final void releaseHeld()
    {
        heldFlushListener = null;
        if (null != held)
        {
            ByteBuf buf;
            while (null != (buf = held.poll()))
            {
                buf.release();
            }
            held = null;
        }
    }
}
