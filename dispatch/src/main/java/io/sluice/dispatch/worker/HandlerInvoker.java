package io.sluice.dispatch.worker;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Calls a {@link Handler} for a host, the same way in every hosting model (in-process, shared memory, loopback), and
 * applies the one failure policy: a callback that throws is logged once (the callback, the request's method and
 * target, and the exception with its stack), counted ({@link #failureCount()}), and its request is answered
 * {@value #FAILURE_STATUS} with {@link #FAILURE_BODY} as {@code text/plain}, or, when the response head has already
 * been sent, its response is ended unfinished, so the client sees it cut off rather than complete
 * ({@link FailableExchange#handlerFailed()}). The host, its process and its other requests go on.
 * <p>
 * A throw from {@link Handler#onAbort(Exchange)} is logged and counted only: the request has already ended.
 * <p>
 * What is caught: any {@link Throwable} but a {@link VirtualMachineError} other than {@link StackOverflowError} (an
 * out-of-memory or internal JVM error leaves nothing to trust; those propagate to the host's own error handling).
 * <p>
 * Threading: called on the thread that makes the exchange's callbacks; {@link #failureCount()} from any thread.
 */
public final class HandlerInvoker
{
    /**
     * Status of the answer to a request whose handler threw before the response head was sent: {@value}.
     */
    public static final int FAILURE_STATUS = 500;

    /**
     * Body of the answer to a request whose handler threw before the response head was sent.
     */
    public static final String FAILURE_BODY = "internal server error\n";

    /**
     * Content type of {@link #FAILURE_BODY}: {@value}.
     */
    public static final String FAILURE_CONTENT_TYPE = "text/plain";

    private static final byte[] FAILURE_BODY_BYTES = FAILURE_BODY.getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG = Logger.getLogger(HandlerInvoker.class.getName());

    private final Handler handler;
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param handler the application.
     */
    public HandlerInvoker(final Handler handler)
    {
        this.handler = handler;
    }

    /**
     * @return the application.
     */
    public Handler handler()
    {
        return handler;
    }

    /**
     * @return callbacks that threw so far.
     */
    public long failureCount()
    {
        return failures.get();
    }

    /**
     * @return a copy of {@link #FAILURE_BODY} as bytes.
     */
    public static byte[] failureBody()
    {
        return FAILURE_BODY_BYTES.clone();
    }

    /**
     * {@link Handler#onRequest(Exchange)}, under the failure policy.
     *
     * @param exchange the request.
     */
    public void onRequest(final FailableExchange exchange)
    {
        try
        {
            handler.onRequest(exchange);
        }
        catch (final Throwable ex)
        {
            failed("onRequest", exchange, ex, true);
        }
    }

    /**
     * {@link Handler#onBody}, under the failure policy.
     *
     * @param exchange the request.
     * @param buffer   holding the chunk.
     * @param offset   of the chunk in the buffer.
     * @param length   of the chunk in bytes.
     * @param last     true for the final chunk of the body.
     */
    public void onBody(
        final FailableExchange exchange,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final boolean last)
    {
        try
        {
            handler.onBody(exchange, buffer, offset, length, last);
        }
        catch (final Throwable ex)
        {
            failed("onBody", exchange, ex, true);
        }
    }

    /**
     * {@link Handler#onWritable(Exchange)}, under the failure policy.
     *
     * @param exchange the request.
     */
    public void onWritable(final FailableExchange exchange)
    {
        try
        {
            handler.onWritable(exchange);
        }
        catch (final Throwable ex)
        {
            failed("onWritable", exchange, ex, true);
        }
    }

    /**
     * {@link Handler#onAbort(Exchange)}: a throw is logged and counted; the request has ended already.
     *
     * @param exchange the abandoned request.
     */
    public void onAbort(final FailableExchange exchange)
    {
        try
        {
            handler.onAbort(exchange);
        }
        catch (final Throwable ex)
        {
            failed("onAbort", exchange, ex, false);
        }
    }

    private void failed(
        final String callback, final FailableExchange exchange, final Throwable ex, final boolean answer)
    {
        if (ex instanceof VirtualMachineError && !(ex instanceof StackOverflowError))
        {
            throw (VirtualMachineError)ex;
        }
        final long count = failures.incrementAndGet();
        LOG.log(
            Level.WARNING,
            "handler failed in " + callback + ": " + exchange.method() + " " + exchange.target() + " (failure " +
            count + ")",
            ex);
        if (answer)
        {
            exchange.handlerFailed();
        }
    }
}
