package io.sluice.listener.hosting.inprocess;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.buffer.ByteBufViews;
import io.sluice.dispatch.worker.Handler;
import io.sluice.dispatch.worker.HandlerInvoker;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestSink;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process hosting model: the queue's {@link Handler} is loaded into the listener JVM and called on the
 * connection's event loop, with no copy of the request and no hop between threads. This is the ceiling the
 * out-of-process models are measured against; a handler that blocks stalls every connection of its event loop, so
 * blocking work belongs in an executor the handler answers from. Every callback goes through a
 * {@link HandlerInvoker}: a handler that throws gets the failure answer of every hosting model.
 */
public final class InProcessHost implements Host
{
    private static final String HANDLER_KEY = "handler";
    private static final AtomicLong BODY_REFUSALS = new AtomicLong();

    private final String handlerClassName;
    private HandlerInvoker invoker;

    /**
     * @param handlerClassName fully qualified class name of the handler, created by {@link #start()}.
     */
    public InProcessHost(final String handlerClassName)
    {
        this.handlerClassName = handlerClassName;
    }

    /**
     * @param handler the handler, already created (see {@link HandlerLoader#create(String, String)}).
     */
    public InProcessHost(final Handler handler)
    {
        this.handlerClassName = handler.getClass().getName();
        this.invoker = new HandlerInvoker(handler);
    }

    /**
     * {@inheritDoc}
     */
    public void start()
    {
        if (null == invoker)
        {
            invoker = new HandlerInvoker(HandlerLoader.create(handlerClassName, HANDLER_KEY));
        }
    }

    /**
     * {@inheritDoc}
     */
    public RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
    {
        final InProcessExchange inProcess = new InProcessExchange(exchange, invoker, request, contentLength);
        // an upgrade request's tunnel input, if the handler switches protocols, comes as body chunks
        final RequestSink sink =
            inProcess.hasBody() || exchange.isUpgradeRequested() ? new Sink(inProcess, exchange) : inProcess;
        invoker.onRequest(inProcess);
        return sink;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }

    /**
     * Request body chunks refused so far because the response could not take more (see {@link Sink#body}); a
     * statistic, and what shows a stalled upload is not polled.
     */
    static long bodyRefusals()
    {
        return BODY_REFUSALS.get();
    }

    /**
     * Streams the body to the handler. Back-pressure as a proxy applies it: once the response has begun and the client
     * connection cannot take more of it (over its high water mark, or not yet its turn), the next chunk is refused
     * before the handler sees it, so the connection stops reading the client instead of the handler's answer piling
     * up in the outbound buffer; the connection offers it again when the response becomes writable.
     */
    private static final class Sink implements RequestSink
    {
        private final InProcessExchange exchange;
        private final ClientExchange serverExchange;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private boolean bodyRefused;

        Sink(final InProcessExchange exchange, final ClientExchange serverExchange)
        {
            this.exchange = exchange;
            this.serverExchange = serverExchange;
        }

        public boolean body(final ByteBuf content, final boolean last)
        {
            if (serverExchange.isHeadSent() && !serverExchange.notifyWhenWritable())
            {
                bodyRefused = true;
                BODY_REFUSALS.incrementAndGet();
                return false;
            }
            final int length = content.readableBytes();
            ByteBufViews.wrap(view, content, length);
            if (!exchange.isFailed())
            {
                exchange.invoker().onBody(exchange, view, 0, length, last);
            }
            return true;
        }

        public boolean resumesBody()
        {
            return true;
        }

        public void writable()
        {
            exchange.writable();
            if (bodyRefused)
            {
                bodyRefused = false;
                serverExchange.resumeBody();
            }
        }

        public void abort()
        {
            exchange.abort();
            if (!exchange.isFailed())
            {
                exchange.invoker().onAbort(exchange);
            }
        }
    }
}
