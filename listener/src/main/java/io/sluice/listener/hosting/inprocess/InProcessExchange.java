package io.sluice.listener.hosting.inprocess;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.dispatch.worker.FailableExchange;
import io.sluice.dispatch.worker.Handler;
import io.sluice.dispatch.worker.HandlerInvoker;
import io.sluice.dispatch.worker.HttpRequestExchange;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link Exchange} an in-process handler sees: request facts read from the decoded request, responses written
 * straight into the connection's {@link ClientExchange}. Calls from a thread other than the event loop hop to it,
 * copying the body first.
 * <p>
 * Back-pressure: {@link #sendBody} answers false once the client connection is over its write-buffer high water mark
 * (or this response waits behind an earlier pipelined one), and the handler's {@link Handler#onWritable} follows on
 * the event loop when the connection drained below its low water mark, so a slow client holds at most about the high
 * water mark of response bytes in the connection, plus the chunk that crossed it.
 * <p>
 * A chunk sent from another thread is copied and hops to the event loop, where it waits, still counted, until the
 * connection can take this response: the listener holds a handler thread's bytes only until the connection takes
 * them, never past its high water mark. {@link #sendBody} answers false past {@link #HOP_HIGH_WATER_MARK_LENGTH}
 * counted bytes; a thread that sends on regardless past {@link #HOP_WAIT_LENGTH} waits (parked, woken by the event
 * loop as the connection takes bytes, or when the exchange ends), so a connection costs at most about
 * {@link #HOP_WAIT_LENGTH} plus the high water mark. A handler running on the event loop never waits.
 * <p>
 * The handler is trusted no more than a worker: a status that is not final (below 200 or above 599) or a header whose
 * name is not a token or whose value holds CR, LF, NUL or another control character gets 502 instead of its
 * response; framing headers ({@code Content-Length}, {@code Transfer-Encoding}, {@code Connection}, ...) it sets are
 * dropped, the listener writes its own; its body is held to the length it declared.
 * <p>
 * Upgrades: a {@code 101} to a request that asked to upgrade ({@link ClientExchange#isUpgradeRequested()}) makes the
 * exchange a tunnel: the client's bytes come through {@link Handler#onBody} (the last chunk when the client ends its
 * input), the handler's go out through {@link #sendBody} with the same back-pressure, and its last chunk ends the
 * tunnel; a {@code 101} to any other request is a 502.
 */
final class InProcessExchange extends HttpRequestExchange implements RequestSink, FailableExchange
{
    /**
     * Body bytes a handler thread may have handed over that the client connection has not taken yet before
     * {@link #sendBody} answers false: {@value}.
     */
    static final long HOP_HIGH_WATER_MARK_LENGTH = 256 * 1024;

    /**
     * Body bytes a handler thread may have handed over that the client connection has not taken yet before a thread
     * that sends on regardless waits: {@value}.
     */
    static final long HOP_WAIT_LENGTH = 4 * HOP_HIGH_WATER_MARK_LENGTH;

    private static final UnsafeBuffer FAILURE_BODY_BUFFER = new UnsafeBuffer(HandlerInvoker.failureBody());

    private final ClientExchange exchange;
    private final HandlerInvoker invoker;
    private final SendBound hop;
    private final AtomicBoolean writableOwed = new AtomicBoolean();
    private volatile boolean unwritable;
    private Chunk firstWaiting;
    private Chunk lastWaiting;
    private boolean failed;

    InProcessExchange(
        final ClientExchange exchange,
        final HandlerInvoker invoker,
        final HttpRequest request,
        final long contentLength)
    {
        super(request, contentLength);
        this.exchange = exchange;
        this.invoker = invoker;
        // a loop that shut down (the listener stopped) can no longer let a waiting handler thread go
        this.hop = new SendBound(HOP_WAIT_LENGTH, exchange.eventLoop());
    }

    public String remoteAddress()
    {
        return exchange.remoteAddress();
    }

    public TlsInfo tls()
    {
        return exchange.tls();
    }

    public void respond(
        final int status, final String contentType, final DirectBuffer body, final int offset, final int length)
    {
        final EventLoop loop = exchange.eventLoop();
        if (loop.inEventLoop())
        {
            writeHead(status, contentType, length, body, offset, length, true);
        }
        else
        {
            final UnsafeBuffer copy = copyOf(body, offset, length);
            loop.execute(() -> writeHead(status, contentType, length, copy, 0, length, true));
        }
    }

    public void sendHead(final int status, final String contentType, final long contentLength)
    {
        final EventLoop loop = exchange.eventLoop();
        if (loop.inEventLoop())
        {
            writeHead(status, contentType, contentLength, null, 0, 0, false);
        }
        else
        {
            loop.execute(() -> writeHead(status, contentType, contentLength, null, 0, 0, false));
        }
    }

    /**
     * On the event loop the chunk goes straight into the client connection's outbound buffer, and the answer is the
     * connection's writability for this response ({@link ClientExchange#isWritable()}). From another thread (or on the
     * event loop behind chunks from another thread still on their way) the chunk is copied and hops to the event loop;
     * the answer is false while too many bytes wait to be taken or the connection is full. A thread other than the
     * event loop that has more than {@link #HOP_WAIT_LENGTH} bytes waiting waits here until the connection takes some
     * or the exchange ends. Once the exchange has ended the chunk is dropped at once.
     */
    public boolean sendBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        final EventLoop loop = exchange.eventLoop();
        final boolean onLoop = loop.inEventLoop();
        if (onLoop && 0 == hop.heldLength())
        {
            exchange.body(buffer, offset, length, last);
            if (last || exchange.notifyWhenWritable())
            {
                return true;
            }
            owe();
            return false;
        }
        if (hop.isClosed())
        {
            return true;
        }
        final long held = onLoop ? hop.add(length) : hop.acquire(length);
        if (hop.isClosed())
        {
            hop.release(length);
            return true;
        }
        final boolean writable = last || (held <= HOP_HIGH_WATER_MARK_LENGTH && !unwritable);
        if (!writable)
        {
            // owed before the chunk is posted: its landing, or a later one, looks at the debt
            owe();
        }
        try
        {
            loop.execute(new Chunk(this, copyOf(buffer, offset, length), last));
        }
        catch (final RejectedExecutionException ex)
        {
            // the listener stopped, and the exchange ended with it
            hop.close();
            hop.release(length);
            return true;
        }
        return writable;
    }

    public boolean isWritable()
    {
        if (exchange.eventLoop().inEventLoop() && 0 == hop.heldLength())
        {
            return exchange.isWritable();
        }
        return hop.isClosed() || (hop.heldLength() <= HOP_HIGH_WATER_MARK_LENGTH && !unwritable);
    }

    public boolean body(final ByteBuf content, final boolean last)
    {
        return true;
    }

    /**
     * The client connection can take this response again: waiting chunks go on, and the handler is owed its
     * {@link Handler#onWritable}.
     */
    public void writable()
    {
        drain();
    }

    public void abort()
    {
        ended();
    }

    /**
     * {@inheritDoc}
     * <p>
     * Here: the 500 is written as a handler's own complete response would be (without the headers the handler
     * added); a response already begun is ended as the listener ends one it answers in a host's place
     * ({@link ClientExchange#sendError}: the connection closes after what was sent). What still hops or waits from
     * the handler's threads is dropped. On the event loop.
     */
    public void handlerFailed()
    {
        if (failed || hop.isClosed() || exchange.isDone())
        {
            return;
        }
        failed = true;
        if (!exchange.isHeadSent())
        {
            clearResponseHeaders();
            writeHead(
                HandlerInvoker.FAILURE_STATUS, HandlerInvoker.FAILURE_CONTENT_TYPE, FAILURE_BODY_BUFFER.capacity(),
                FAILURE_BODY_BUFFER, 0, FAILURE_BODY_BUFFER.capacity(), true);
        }
        else
        {
            exchange.sendError(HandlerInvoker.FAILURE_STATUS, "internal server error");
        }
        ended();
    }

    /**
     * @return true once the handler failed for this exchange: it hears of nothing more, not even an abort.
     */
    boolean isFailed()
    {
        return failed;
    }

    /**
     * @return the invoker the exchange's callbacks go through.
     */
    HandlerInvoker invoker()
    {
        return invoker;
    }

    private void writeHead(
        final int status,
        final String contentType,
        final long contentLength,
        final DirectBuffer body,
        final int offset,
        final int length,
        final boolean last)
    {
        if (hop.isClosed())
        {
            return;
        }
        if (!ResponseHeads.isFinalStatus(status) && ResponseHeads.SWITCHING_PROTOCOLS != status)
        {
            exchange.sendError(502, "bad gateway: invalid status from the handler");
            return;
        }
        final ByteBuf head = exchange.beginHead(status);
        boolean valid = null == contentType || ResponseHeads.checkedHeader(head, "content-type", contentType);
        final List<String> extra = responseHeaders();
        if (null != extra)
        {
            for (int i = 0; valid && i < extra.size(); i += 2)
            {
                valid = ResponseHeads.checkedHeader(head, extra.get(i), extra.get(i + 1));
            }
        }
        if (!valid)
        {
            head.release();
            exchange.sendError(502, "bad gateway: invalid response header from the handler");
            return;
        }
        exchange.finishHead(head, status, contentLength, body, offset, length, last);
    }

    /**
     * On the event loop: a chunk from a handler thread arrived; it waits behind the ones already waiting.
     */
    private void land(final Chunk chunk)
    {
        if (null == lastWaiting)
        {
            firstWaiting = chunk;
        }
        else
        {
            lastWaiting.next = chunk;
        }
        lastWaiting = chunk;
        drain();
    }

    /**
     * On the event loop: hand waiting chunks to the connection while it can take this response, counting them off
     * (which wakes a handler thread waiting for room); past that, ask to be told when it can again.
     */
    private void drain()
    {
        Chunk chunk;
        while (null != (chunk = firstWaiting))
        {
            if (exchange.isDone())
            {
                ended();
                return;
            }
            if (!exchange.notifyWhenWritable())
            {
                // the connection holds enough of this response: the rest waits here until writable()
                unwritable = true;
                return;
            }
            firstWaiting = chunk.next;
            if (null == firstWaiting)
            {
                lastWaiting = null;
            }
            final int length = chunk.bytes.capacity();
            hop.release(length);
            exchange.body(chunk.bytes, 0, length, chunk.last);
        }
        if (exchange.isDone())
        {
            ended();
            return;
        }
        unwritable = !exchange.isWritable();
        if (writableOwed.get() && hop.heldLength() <= HOP_HIGH_WATER_MARK_LENGTH)
        {
            checkWritable();
        }
    }

    /**
     * On the event loop: the exchange ended (complete, or abandoned): drop what waits and let a waiting thread go.
     */
    private void ended()
    {
        hop.close();
        Chunk chunk;
        while (null != (chunk = firstWaiting))
        {
            firstWaiting = chunk.next;
            hop.release(chunk.bytes.capacity());
        }
        lastWaiting = null;
    }

    private void owe()
    {
        writableOwed.set(true);
    }

    /**
     * On the event loop: if the handler is owed {@link Handler#onWritable} and the response may go on, make the call;
     * else make sure the connection tells this exchange when it may.
     */
    private void checkWritable()
    {
        if (!writableOwed.get() || hop.isClosed() || exchange.isDone())
        {
            return;
        }
        if (hop.heldLength() > HOP_HIGH_WATER_MARK_LENGTH)
        {
            // bytes are still landing or waiting: the drain that brings them under the mark looks again
            return;
        }
        if (exchange.notifyWhenWritable() && writableOwed.compareAndSet(true, false))
        {
            unwritable = false;
            invoker.onWritable(this);
        }
    }

    private static UnsafeBuffer copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new UnsafeBuffer(bytes);
    }

    /**
     * A body chunk copied from a handler thread, on its way to the event loop and then waiting there for the
     * connection.
     */
    private static final class Chunk implements Runnable
    {
        private final InProcessExchange owner;
        private final UnsafeBuffer bytes;
        private final boolean last;
        private Chunk next;

        Chunk(final InProcessExchange owner, final UnsafeBuffer bytes, final boolean last)
        {
            this.owner = owner;
            this.bytes = bytes;
            this.last = last;
        }

        public void run()
        {
            owner.land(this);
        }
    }
}
