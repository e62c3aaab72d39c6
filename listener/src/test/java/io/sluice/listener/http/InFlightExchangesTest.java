package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.routing.PrefixRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link InFlightExchanges}: the first request in is the one written, the queue is full at its pipelining limit, done
 * responses leave in request order up to the first one not done, a response without keep-alive stops the queue with
 * nothing activated behind it (unless the connection already closes), and aborting lets every request go. Whether an
 * exchange is the one written shows in {@link ServerExchange#isWritable()} on a writable connection.
 */
@Timeout(10)
class InFlightExchangesTest
{
    private static final int MAX_PIPELINED_REQUESTS = 3;

    private final List<String> aborted = new ArrayList<>();
    private final InFlightExchanges inFlight = new InFlightExchanges(MAX_PIPELINED_REQUESTS);
    private EmbeddedChannel channel;
    private HttpConnectionHandler connection;

    @BeforeEach
    void setUp()
    {
        final StrictRequestDecoder decoder = new StrictRequestDecoder(new StrictDecoderConfig());
        connection = new HttpConnectionHandler(
            PrefixRouter.<QueueBinding>builder().build(), new HttpConnectionConfig(), decoder);
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(decoder, connection);
    }

    @AfterEach
    void tearDown()
    {
        inFlight.abortAll();
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldWriteTheFirstRequestInAndBeFullAtThePipeliningLimit()
    {
        final ServerExchange first = add("first", true);
        assertSame(first, inFlight.writing());
        assertTrue(first.isWritable());
        assertFalse(inFlight.isFull());

        final ServerExchange second = add("second", true);
        assertSame(first, inFlight.writing());
        assertFalse(second.isWritable(), "a response behind another waits for its turn");
        assertFalse(inFlight.isFull());

        add("third", true);
        assertTrue(inFlight.isFull());
    }

    @Test
    void shouldRetireDoneResponsesInRequestOrderUpToTheFirstNotDone()
    {
        final ServerExchange first = add("first", true);
        final ServerExchange second = add("second", true);
        final ServerExchange third = add("third", true);

        second.abort();
        assertNull(inFlight.retireDone(false));
        assertSame(first, inFlight.writing(), "a done response behind one not done stays in line");

        first.abort();
        assertNull(inFlight.retireDone(false));
        assertSame(third, inFlight.writing());
        assertTrue(third.isWritable());
        assertFalse(inFlight.isFull());

        third.abort();
        assertNull(inFlight.retireDone(false));
        assertTrue(inFlight.isEmpty());
        assertNull(inFlight.writing());
    }

    @Test
    void shouldStopAtAResponseThatEndsTheConnectionWithNothingActivatedBehindIt()
    {
        final ServerExchange last = add("last", false);
        final ServerExchange behind = add("behind", true);

        last.abort();
        assertSame(last, inFlight.retireDone(false));
        assertSame(behind, inFlight.writing());
        assertFalse(behind.isWritable(), "nothing is written after the response that ends the connection");
    }

    @Test
    void shouldPassOverAResponseWithoutKeepAliveOnceTheConnectionClosesAnyway()
    {
        final ServerExchange closing = add("closing", false);
        final ServerExchange next = add("next", true);

        closing.abort();
        assertNull(inFlight.retireDone(true));
        assertSame(next, inFlight.writing());
        assertTrue(next.isWritable());
    }

    @Test
    void shouldAbortEveryRequestInFlightInOrder()
    {
        add("first", true);
        add("second", true);

        inFlight.abortAll();

        assertEquals(List.of("first", "second"), aborted);
        assertTrue(inFlight.isEmpty());
        assertNull(inFlight.writing());
    }

    private ServerExchange add(final String name, final boolean keepAlive)
    {
        final ServerExchange exchange = new ServerExchange(connection, false, keepAlive, "/app/");
        exchange.admitted(null, new Sink(name));
        inFlight.add(exchange);
        return exchange;
    }

    /**
     * Notes when its request is aborted.
     */
    private final class Sink implements RequestSink
    {
        private final String name;

        Sink(final String name)
        {
            this.name = name;
        }

        public boolean body(final ByteBuf content, final boolean last)
        {
            return true;
        }

        public void abort()
        {
            aborted.add(name);
        }
    }
}
