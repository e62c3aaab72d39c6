package io.sluice.dispatch.worker;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The one failure policy of every hosting model: a callback that throws is counted and its exchange told (but not for
 * {@code onAbort}); a handler that does not throw is called through unchanged; a JVM error is not swallowed.
 */
class HandlerInvokerTest
{
    private final List<String> calls = new ArrayList<>();
    private RuntimeException toThrow = new IllegalStateException("handler bug");
    private final Handler handler = new Handler()
    {
        public void onRequest(final Exchange exchange)
        {
            call("onRequest");
        }

        public void onBody(
            final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
            call("onBody " + length + (last ? " last" : ""));
        }

        public void onWritable(final Exchange exchange)
        {
            call("onWritable");
        }

        public void onAbort(final Exchange exchange)
        {
            call("onAbort");
        }
    };
    private final HandlerInvoker invoker = new HandlerInvoker(handler);
    private final FailableExchange exchange = new RecordingExchange();

    @Test
    void shouldCallTheHandlerThroughWhenItDoesNotThrow()
    {
        toThrow = null;

        invoker.onRequest(exchange);
        invoker.onBody(exchange, new UnsafeBuffer(new byte[3]), 0, 3, true);
        invoker.onWritable(exchange);
        invoker.onAbort(exchange);

        assertEquals(List.of("onRequest", "onBody 3 last", "onWritable", "onAbort"), calls);
        assertEquals(0, invoker.failureCount());
        assertSame(handler, invoker.handler());
    }

    @Test
    void shouldCountEachFailureAndTellTheExchangeExceptForAnAbort()
    {
        invoker.onRequest(exchange);
        invoker.onBody(exchange, new UnsafeBuffer(new byte[0]), 0, 0, false);
        invoker.onWritable(exchange);
        invoker.onAbort(exchange);

        assertEquals(
            List.of("onRequest", "failed", "onBody 0", "failed", "onWritable", "failed", "onAbort"), calls);
        assertEquals(4, invoker.failureCount());
    }

    @Test
    void shouldTreatAStackOverflowAsTheHandlersFailure()
    {
        toThrow = null;
        final HandlerInvoker recursing = new HandlerInvoker((exchange) -> recurse(1));

        recursing.onRequest(exchange);

        assertEquals(List.of("failed"), calls);
        assertEquals(1, recursing.failureCount());
    }

    @Test
    void shouldLetAnOutOfMemoryErrorThrough()
    {
        final OutOfMemoryError error = new OutOfMemoryError("test");
        final HandlerInvoker failing = new HandlerInvoker(
            (exchange) ->
            {
                throw error;
            });

        assertSame(error, assertThrows(OutOfMemoryError.class, () -> failing.onRequest(exchange)));
        assertEquals(List.of(), calls);
    }

    @Test
    void shouldAnswerWithTheOneFailureBody()
    {
        assertEquals(500, HandlerInvoker.FAILURE_STATUS);
        assertEquals("internal server error\n", new String(HandlerInvoker.failureBody()));
    }

    private void call(final String name)
    {
        calls.add(name);
        if (null != toThrow)
        {
            throw toThrow;
        }
    }

    private static int recurse(final int depth)
    {
        return depth + recurse(depth + 1);
    }

    private final class RecordingExchange implements FailableExchange
    {
        public void handlerFailed()
        {
            calls.add("failed");
        }

        public String method()
        {
            return "GET";
        }

        public String target()
        {
            return "/x";
        }

        public String header(final String name)
        {
            return null;
        }

        public int headerCount()
        {
            return 0;
        }

        public String headerName(final int index)
        {
            throw new IndexOutOfBoundsException();
        }

        public String headerValue(final int index)
        {
            throw new IndexOutOfBoundsException();
        }

        public long contentLength()
        {
            return 0;
        }

        public String remoteAddress()
        {
            return "127.0.0.1";
        }

        public Exchange responseHeader(final String name, final String value)
        {
            return this;
        }

        public void respond(
            final int status, final String contentType, final DirectBuffer body, final int offset, final int length)
        {
        }

        public void sendHead(final int status, final String contentType, final long contentLength)
        {
        }

        public boolean sendBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
            return true;
        }

        public boolean isWritable()
        {
            return true;
        }

        public Object attachment()
        {
            return null;
        }

        public void attachment(final Object attachment)
        {
        }
    }
}
