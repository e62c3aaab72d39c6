package io.sluice.listener.hosting.shm;

import io.sluice.listener.hosting.InFlightList;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.ErrorReason;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The request slots of a shared-memory queue: the pool (one slot per unit of queue length, allocated at start-up),
 * the slots' generations through request ids ({@link #lookup}), and the requests in flight, oldest first, with the
 * one way to act on several of them ({@link #forEachInFlight}): to time them out ({@link #timeOut}) or fail them
 * all when the queue stops ({@link #failAll()}).
 * <p>
 * Threading: confined to the host's event loop.
 */
final class RequestSlots
{
    /**
     * For {@link #forEachInFlight}: every request, whatever its start.
     */
    static final long ANY_START = Long.MAX_VALUE;

    private final SharedMemoryRequest[] slots;
    private final ArrayDeque<SharedMemoryRequest> free;
    private final InFlightList<SharedMemoryRequest> inFlight = new InFlightList<>();
    private final SharedMemoryRequest[] scratch;
    private final int[] scratchGenerations;
    private final Consumer<SharedMemoryRequest> timeOutAction = RequestSlots::timeOut;
    private final Consumer<SharedMemoryRequest> queueStoppedAction = RequestSlots::queueStopped;

    /**
     * @param host  the host the slots' requests account their response bytes to; null in tests of a link alone.
     * @param count the number of slots: the queue length.
     */
    RequestSlots(final LoopLanes host, final int count)
    {
        this.slots = new SharedMemoryRequest[count];
        this.free = new ArrayDeque<>(count);
        for (int i = 0; i < count; i++)
        {
            slots[i] = new SharedMemoryRequest(host, i);
            free.addLast(slots[i]);
        }
        this.scratch = new SharedMemoryRequest[count];
        this.scratchGenerations = new int[count];
    }

    /**
     * Take a free slot for a request and list it in flight as the newest.
     *
     * @param exchange the request's exchange.
     * @param startMs  the host's cached clock: the request's start.
     * @return the slot, or null when all are in use.
     */
    SharedMemoryRequest acquire(final ClientExchange exchange, final long startMs)
    {
        final SharedMemoryRequest slot = free.pollFirst();
        if (null != slot)
        {
            slot.begin(exchange);
            inFlight.add(slot, startMs);
        }
        return slot;
    }

    /**
     * The request of a slot ended ({@link SharedMemoryRequest#release()}): unlist it and return it to the pool.
     *
     * @param slot the slot.
     */
    void free(final SharedMemoryRequest slot)
    {
        inFlight.remove(slot);
        free.addLast(slot);
    }

    /**
     * @param requestId a request id read from a worker's response ring, so not trusted.
     * @param link      the link it was read from.
     * @return the request in flight that id names, sent through that link; null for an id out of range, for an
     * earlier or later generation of the slot, or for a request of another link.
     */
    SharedMemoryRequest lookup(final long requestId, final SharedMemoryLink link)
    {
        final int index = SharedMemoryRequest.slotIndex(requestId);
        if (index < 0 || index >= slots.length)
        {
            return null;
        }
        final SharedMemoryRequest request = slots[index];
        if (request.generation() != SharedMemoryRequest.generation(requestId) || null == request.exchange() ||
            request.link() != link)
        {
            return null;
        }
        return request;
    }

    /**
     * @return the request in flight that started first, or null when none is.
     */
    SharedMemoryRequest oldest()
    {
        return inFlight.oldest();
    }

    /**
     * Apply an action to requests in flight, oldest first: those of one link, or all, that started at or before a
     * time. The requests are listed before the first action runs, and one that ended meanwhile (an action may end
     * others: a connection that closes aborts its pipelined requests) is skipped.
     *
     * @param link         the link whose requests are meant, or null for every request.
     * @param startedByMs  the latest start meant (the walk stops at the first request younger), or {@link #ANY_START}.
     * @param action       what to do with each request still in flight.
     * @return the number of requests listed.
     */
    int forEachInFlight(
        final SharedMemoryLink link, final long startedByMs, final Consumer<SharedMemoryRequest> action)
    {
        return forEachInFlight(link, startedByMs, action, true);
    }

    private int forEachInFlight(
        final SharedMemoryLink link,
        final long startedByMs,
        final Consumer<SharedMemoryRequest> action,
        final boolean withTunnels)
    {
        int count = 0;
        for (SharedMemoryRequest request = inFlight.oldest();
            null != request && request.startMs() <= startedByMs;
            request = inFlight.next(request))
        {
            if ((null == link || request.link() == link) && (withTunnels || !request.tunnel.isOpen()))
            {
                scratchGenerations[count] = request.generation();
                scratch[count++] = request;
            }
        }
        for (int i = 0; i < count; i++)
        {
            final SharedMemoryRequest request = scratch[i];
            scratch[i] = null;
            if (request.generation() == scratchGenerations[i] && null != request.exchange() &&
                (null == link || request.link() == link))
            {
                action.accept(request);
            }
        }
        return count;
    }

    /**
     * Answer 504 (or close the connection, when the head was sent) for every request started at or before a time, and
     * tell its worker to abort it. A tunnel (answered {@code 101}) is not timed out here: its worker has answered, and
     * the connection's tunnel idle timeout bounds it.
     *
     * @param startedByMs the latest start timed out.
     * @return the number of requests timed out.
     */
    int timeOut(final long startedByMs)
    {
        return forEachInFlight(null, startedByMs, timeOutAction, false);
    }

    /**
     * The queue stopped: answer 503 for every request in flight, and tell the workers to abort them.
     */
    void failAll()
    {
        forEachInFlight(null, ANY_START, queueStoppedAction);
    }

    /**
     * End every request in flight without an answer: the host is closing.
     */
    void releaseAll()
    {
        SharedMemoryRequest request;
        while (null != (request = inFlight.oldest()))
        {
            request.release();
        }
    }

    private static void timeOut(final SharedMemoryRequest request)
    {
        final ClientExchange exchange = request.exchange();
        final SharedMemoryLink link = request.link();
        if (null != link)
        {
            link.abort(request);
            exchange.sendError(
                504,
                "gateway timeout: no answer from the worker within requestTimeout",
                ErrorReason.TIMER_REQUEST_TIMEOUT);
        }
    }

    private static void queueStopped(final SharedMemoryRequest request)
    {
        final ClientExchange exchange = request.exchange();
        final SharedMemoryLink link = request.link();
        if (null != link)
        {
            link.abort(request);
        }
        else
        {
            request.release();
        }
        exchange.sendError(503, "service unavailable: queue stopped", ErrorReason.APP_OFFLINE);
    }
}
