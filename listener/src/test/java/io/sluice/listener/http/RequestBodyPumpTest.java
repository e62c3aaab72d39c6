package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.listener.queue.RequestSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RequestBodyPump} on a clock the test advances, with a sink that refuses pieces at will: a refused piece stops
 * reading and is offered again, what arrives meanwhile waits and is replayed in order, a resuming sink is offered it at
 * once when it asks; the body limit refuses a chunked body mid-stream; the entity-body timer does not count time the
 * connection itself stopped reading, and the drain timer runs once a response answered the body early.
 */
@Timeout(10)
class RequestBodyPumpTest
{
    private static final long ENTITY_BODY_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long DRAIN_ENTITY_BODY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_BODY_LENGTH = 100;

    private final List<String> events = new ArrayList<>();
    private final Sink sink = new Sink();
    private ClockedChannel channel;
    private ConnectionDeadlines deadlines;
    private RequestBodyPump pump;
    private ServerExchange exchange;

    @BeforeEach
    void setUp()
    {
        channel = new ClockedChannel();
        channel.pipeline().addLast("connection", new ChannelInboundHandlerAdapter());
        deadlines = new ConnectionDeadlines(channel.clock(), (nowNs) -> events.add("timer"));
        deadlines.context(channel.pipeline().context("connection"));
        pump = new RequestBodyPump(new Connection(), deadlines, DRAIN_ENTITY_BODY_NS);
        pump.context(channel.pipeline().context("connection"));
        exchange = new ServerExchange(null, false, true, "/app/");
        exchange.admitted(null, sink);
        pump.begin(exchange, -1, MAX_BODY_LENGTH, ENTITY_BODY_NS, deadlines.nowNs());
    }

    @AfterEach
    void tearDown()
    {
        pump.releaseAll();
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldKeepARefusedPieceStopReadingAndReplayWhatWaitedOnceItIsTaken()
    {
        sink.refuse = true;
        final HttpContent first = piece(10);
        assertFalse(pump.content(first), "the pump keeps the refused piece");
        assertTrue(pump.isBlocked());
        assertFalse(channel.config().isAutoRead());

        final HttpContent second = piece(20);
        assertTrue(pump.isHolding());
        pump.hold(second);

        sink.refuse = false;
        channel.advance(TimeUnit.MICROSECONDS.toNanos(50));

        assertEquals(List.of(10), sink.taken, "the refused piece, offered again");
        assertEquals(List.of("replay 20", "unblocked"), events);
        assertFalse(pump.isHolding());
        assertEquals(0, first.refCnt(), "the pump released the piece once taken");
    }

    @Test
    void shouldOfferARefusedPieceAtOnceWhenAResumingSinkAsks()
    {
        sink.resumes = true;
        sink.refuse = true;
        assertFalse(pump.content(piece(10)));

        sink.refuse = false;
        pump.resume(exchange);
        channel.runPendingTasks();

        assertEquals(List.of(10), sink.taken);
        assertEquals(List.of("unblocked"), events);
    }

    @Test
    void shouldCompleteTheBodyWithItsLastPieceAndStartTheNextWait()
    {
        assertTrue(pump.content(piece(10)));
        assertTrue(pump.content(new DefaultLastHttpContent()));

        assertTrue(exchange.isRequestBodyComplete());
        assertNull(pump.receiving());
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("complete "), events.toString());
    }

    @Test
    void shouldRefuseAChunkedBodyOnceItPassesTheLimit()
    {
        assertTrue(pump.content(piece((int)MAX_BODY_LENGTH)));
        assertTrue(pump.content(piece(1)));

        assertEquals(List.of("refuse 413 request entity too large: chunked body over the limit: limit=" +
            MAX_BODY_LENGTH), events);
    }

    @Test
    void shouldTimeTheBodyOnlyWhileTheConnectionReads()
    {
        final long startNs = deadlines.nowNs();
        assertEquals(RequestBodyPump.IN_TIME, pump.checkDeadlines(startNs + ENTITY_BODY_NS - 1));
        assertEquals(RequestBodyPump.BODY_EXPIRED, pump.checkDeadlines(startNs + ENTITY_BODY_NS));

        sink.refuse = true;
        pump.content(piece(1));
        assertEquals(RequestBodyPump.IN_TIME, pump.checkDeadlines(startNs + 10 * ENTITY_BODY_NS),
            "blocked by the sink: not the client's silence");

        sink.refuse = false;
        channel.advance(TimeUnit.MICROSECONDS.toNanos(50));
        final long resumedNs = deadlines.nowNs();
        pump.resumedReading(resumedNs);
        assertEquals(RequestBodyPump.IN_TIME, pump.checkDeadlines(resumedNs + ENTITY_BODY_NS - 1));
        assertEquals(RequestBodyPump.BODY_EXPIRED, pump.checkDeadlines(resumedNs + ENTITY_BODY_NS));
    }

    @Test
    void shouldDrainARestAnsweredEarlyForTheDrainTimeOnly()
    {
        final long answeredNs = deadlines.nowNs();
        pump.answered(exchange, answeredNs);

        assertEquals(RequestBodyPump.IN_TIME, pump.checkDeadlines(answeredNs + DRAIN_ENTITY_BODY_NS - 1));
        assertEquals(RequestBodyPump.DRAIN_EXPIRED, pump.checkDeadlines(answeredNs + DRAIN_ENTITY_BODY_NS));
        assertSame(exchange, pump.receiving());
    }

    private static HttpContent piece(final int length)
    {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[length]));
    }

    /**
     * Takes pieces unless told to refuse them, noting their lengths.
     */
    private static final class Sink implements RequestSink
    {
        final List<Integer> taken = new ArrayList<>();
        boolean refuse;
        boolean resumes;

        public boolean body(final ByteBuf content, final boolean last)
        {
            if (refuse)
            {
                return false;
            }
            taken.add(content.readableBytes());
            return true;
        }

        public boolean resumesBody()
        {
            return resumes;
        }

        public void abort()
        {
        }
    }

    /**
     * Notes what the pump asks of its connection.
     */
    private final class Connection implements RequestBodyPump.Connection
    {
        public boolean isClosing()
        {
            return false;
        }

        public void refuse(final ServerExchange refused, final int status, final String reason)
        {
            events.add("refuse " + status + " " + reason);
        }

        public void bodyComplete(final long lastPieceNs)
        {
            events.add("complete " + lastPieceNs);
        }

        public void replay(final Object msg)
        {
            if (msg instanceof HttpContent content)
            {
                events.add("replay " + content.content().readableBytes());
            }
            ReferenceCountUtil.release(msg);
        }

        public void bodyUnblocked()
        {
            // as the connection does: reading goes on
            channel.config().setAutoRead(true);
            events.add("unblocked");
        }
    }
}
