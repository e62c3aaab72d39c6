package io.sluice.listener.hosting.shm;

import io.sluice.listener.queue.ClientExchange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slot pool, request ids across a slot's generations, and the one walk over the requests in flight: oldest first,
 * stopping at the first one younger than asked, skipping one that an earlier action ended; a tunnel is never timed
 * out. A slot holds a head in native memory, as the ring does, so that the head encoder's compiled code serves both.
 */
class RequestSlotsTest
{
    private static final int SLOTS = 4;

    private final RequestSlots slots = new RequestSlots(null, SLOTS);
    private final List<String> errors = new ArrayList<>();

    @Test
    void shouldGiveOutEverySlotOnceUntilOneIsFree()
    {
        final Set<Integer> indexes = new HashSet<>();
        final List<SharedMemoryRequest> taken = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++)
        {
            final SharedMemoryRequest request = slots.acquire(exchange("r" + i), i);
            indexes.add(request.index);
            taken.add(request);
        }

        assertEquals(SLOTS, indexes.size());
        assertNull(slots.acquire(exchange("late"), SLOTS), "all in use");

        release(taken.get(2));
        assertSame(taken.get(2), slots.acquire(exchange("again"), SLOTS), "the freed slot");
    }

    @Test
    void shouldHoldAHeadInNativeMemoryLikeTheRingAlsoOnceItGrows()
    {
        final SharedMemoryRequest request = slots.acquire(exchange("r"), 0);
        final int longHead = request.pendingHead().capacity() * 3;

        assertNull(request.holdHead(16).byteArray(), "no heap array under the held head");
        final UnsafeBuffer grown = request.holdHead(longHead);

        assertNull(grown.byteArray(), "no heap array once it grew");
        assertTrue(grown.capacity() >= longHead);
        assertEquals(longHead, request.pendingHeadLength());
    }

    @Test
    void shouldFindARequestByIdOnlyInItsGeneration()
    {
        final SharedMemoryRequest request = slots.acquire(exchange("r"), 0);
        final long requestId = request.requestId();

        assertSame(request, slots.lookup(requestId, null));
        assertNull(slots.lookup((long)request.generation() << 32 | SLOTS, null), "a slot out of range");
        assertNull(slots.lookup(requestId | 0xFFFF_FFFFL, null), "a negative slot");

        release(request);
        assertNull(slots.lookup(requestId, null), "its slot is free");

        SharedMemoryRequest next;
        do
        {
            next = slots.acquire(exchange("next"), 1);
        }
        while (next != request);
        assertNotEquals(requestId, next.requestId());
        assertNull(slots.lookup(requestId, null), "an earlier generation of the slot");
        assertSame(next, slots.lookup(next.requestId(), null));
    }

    @Test
    void shouldWalkOldestFirstAndStopAtTheFirstYoungerRequest()
    {
        final SharedMemoryRequest first = slots.acquire(exchange("first"), 10);
        final SharedMemoryRequest second = slots.acquire(exchange("second"), 20);
        slots.acquire(exchange("third"), 30);
        final List<SharedMemoryRequest> seen = new ArrayList<>();

        final int listed = slots.forEachInFlight(null, 20, seen::add);

        assertEquals(2, listed);
        assertEquals(List.of(first, second), seen);
        assertSame(first, slots.oldest());
    }

    @Test
    void shouldSkipARequestThatAnEarlierActionEnded()
    {
        final SharedMemoryRequest first = slots.acquire(exchange("first"), 1);
        final SharedMemoryRequest second = slots.acquire(exchange("second"), 2);
        final List<SharedMemoryRequest> seen = new ArrayList<>();

        final int listed = slots.forEachInFlight(
            null,
            RequestSlots.ANY_START,
            (request) ->
            {
                seen.add(request);
                // a connection that closes aborts its pipelined requests
                release(second);
                // and the slot may already hold a new request, of a later generation
                slots.acquire(exchange("newer"), 3);
            });

        assertEquals(2, listed);
        assertEquals(List.of(first), seen);
    }

    @Test
    void shouldAnswerEveryRequestInFlightWhenTheQueueStops()
    {
        slots.acquire(exchange("first"), 1);
        slots.acquire(exchange("second"), 2);

        slots.failAll();

        assertEquals(List.of("first 503", "second 503"), errors);
    }

    @Test
    void shouldNotTimeOutATunnel()
    {
        final SharedMemoryRequest tunnel = slots.acquire(exchange("tunnel"), 1);
        slots.acquire(exchange("waiting"), 2);
        tunnel.tunnel.open(1024);

        assertEquals(1, slots.timeOut(100), "only the request still waiting for its answer");
        final List<SharedMemoryRequest> seen = new ArrayList<>();
        assertEquals(2, slots.forEachInFlight(null, 100, seen::add), "the tunnel is still in flight");
    }

    private void release(final SharedMemoryRequest request)
    {
        request.release();
        slots.free(request);
    }

    /**
     * An exchange that records the errors sent through it; its other methods are never called here.
     */
    private ClientExchange exchange(final String name)
    {
        return (ClientExchange)Proxy.newProxyInstance(
            ClientExchange.class.getClassLoader(),
            new Class<?>[]{ ClientExchange.class },
            (proxy, method, args) ->
            {
                if ("sendError".equals(method.getName()))
                {
                    errors.add(name + " " + args[0]);
                    return null;
                }
                if ("toString".equals(method.getName()))
                {
                    return name;
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }
}
