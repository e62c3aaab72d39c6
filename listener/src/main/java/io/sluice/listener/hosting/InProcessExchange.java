package io.sluice.listener.hosting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.worker.Handler;
import io.sluice.dispatch.worker.HttpRequestExchange;
import io.sluice.listener.http.ResponseHeads;
import io.sluice.listener.http.ServerExchange;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link Exchange} an in-process handler sees: request facts read from the decoded request, responses written
 * straight into the connection's {@link ServerExchange}. Calls from a thread other than the event loop hop to it,
 * copying the body first.
 * <p>
 * Back-pressure: {@link #sendBody} answers false once the client connection is over its write-buffer high water mark
 * (or this response waits behind an earlier pipelined one), and the handler's {@link Handler#onWritable} follows on
 * the event loop when the connection drained below its low water mark, so a slow client holds at most about the high
 * water mark of response bytes in the listener, plus the chunk that crossed it.
 * <p>
 * The handler is trusted no more than a worker: a status that is not final (below 200 or above 599) or a header whose
 * name is not a token or whose value holds CR, LF, NUL or another control character gets 502 instead of its
 * response; framing headers ({@code Content-Length}, {@code Transfer-Encoding}, {@code Connection}, ...) it sets are
 * dropped, the listener writes its own; its body is held to the length it declared.
 */
final class InProcessExchange extends HttpRequestExchange implements RequestSink
{
    /**
     * Body bytes a handler thread may have on their way to the event loop before {@link #sendBody} answers false:
     * {@value}. Past four times as much, a handler thread that sends on regardless waits.
     */
    static final long HOP_HIGH_WATER_MARK_LENGTH = 256 * 1024;

    private static final long HOP_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final ServerExchange exchange;
    private final Handler handler;
    private final AtomicLong hopLength = new AtomicLong();
    private final AtomicBoolean writableOwed = new AtomicBoolean();
    private volatile boolean unwritable;
    private volatile boolean aborted;

    InProcessExchange(
        final ServerExchange exchange, final Handler handler, final HttpRequest request, final long contentLength)
    {
        super(request, contentLength);
        this.exchange = exchange;
        this.handler = handler;
    }

    public String remoteAddress()
    {
        return exchange.remoteAddress();
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
     * connection's writability for this response ({@link ServerExchange#isWritable()}). From another thread the chunk
     * is copied and hops to the event loop; the answer is false while too many bytes are on their way or the last
     * chunk that landed found the connection full.
     */
    public boolean sendBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        final EventLoop loop = exchange.eventLoop();
        if (loop.inEventLoop())
        {
            exchange.body(buffer, offset, length, last);
            if (last || exchange.notifyWhenWritable())
            {
                return true;
            }
            owe();
            return false;
        }
        if (aborted)
        {
            return true;
        }
        while (hopLength.get() > 4 * HOP_HIGH_WATER_MARK_LENGTH && !aborted && !exchange.isDone())
        {
            // the handler ignores back-pressure: make its thread wait rather than buffer without bound
            LockSupport.parkNanos(HOP_PARK_NS);
        }
        final UnsafeBuffer copy = copyOf(buffer, offset, length);
        hopLength.addAndGet(length);
        loop.execute(() -> landBody(copy, length, last));
        if (last || (hopLength.get() <= HOP_HIGH_WATER_MARK_LENGTH && !unwritable))
        {
            return true;
        }
        owe();
        loop.execute(this::checkWritable);
        return false;
    }

    public boolean isWritable()
    {
        if (exchange.eventLoop().inEventLoop())
        {
            return exchange.isWritable();
        }
        return aborted || (hopLength.get() <= HOP_HIGH_WATER_MARK_LENGTH && !unwritable);
    }

    public boolean body(final ByteBuf content, final boolean last)
    {
        return true;
    }

    /**
     * The client connection can take this response again: the handler is owed its {@link Handler#onWritable}.
     */
    public void writable()
    {
        unwritable = false;
        checkWritable();
    }

    public void abort()
    {
        aborted = true;
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
        if (aborted)
        {
            return;
        }
        if (!ResponseHeads.isFinalStatus(status))
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

    private void landBody(final DirectBuffer copy, final int length, final boolean last)
    {
        final long inTransit = hopLength.addAndGet(-length);
        exchange.body(copy, 0, length, last);
        unwritable = !exchange.isWritable();
        if (inTransit <= HOP_HIGH_WATER_MARK_LENGTH && writableOwed.get())
        {
            checkWritable();
        }
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
        if (!writableOwed.get() || aborted || exchange.isDone())
        {
            return;
        }
        if (hopLength.get() > HOP_HIGH_WATER_MARK_LENGTH)
        {
            // bytes are still landing: the landing that brings them under the mark looks again
            return;
        }
        if (exchange.notifyWhenWritable() && writableOwed.compareAndSet(true, false))
        {
            unwritable = false;
            handler.onWritable(this);
        }
    }

    private static UnsafeBuffer copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new UnsafeBuffer(bytes);
    }
}
