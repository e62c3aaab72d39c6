package io.sluice.listener.hosting;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The intrusive in-flight list: oldest first, removal from anywhere, and an entry in no list left alone.
 */
class InFlightListTest
{
    private final InFlightList<Request> list = new InFlightList<>();
    private final Request first = new Request("first");
    private final Request second = new Request("second");
    private final Request third = new Request("third");

    @Test
    void shouldListRequestsOldestFirstWithTheirStarts()
    {
        list.add(first, 10);
        list.add(second, 20);
        list.add(third, 20);

        assertEquals(List.of(first, second, third), walk());
        assertEquals(10, first.startMs());
        assertEquals(20, third.startMs());
    }

    @Test
    void shouldRemoveFromTheMiddleAndBothEnds()
    {
        list.add(first, 1);
        list.add(second, 2);
        list.add(third, 3);

        list.remove(second);
        assertEquals(List.of(first, third), walk());
        list.remove(first);
        assertEquals(List.of(third), walk());
        list.remove(third);
        assertTrue(list.isEmpty());
        assertNull(list.oldest());

        list.add(second, 4);
        assertEquals(List.of(second), walk(), "the list is whole again after it emptied");
    }

    @Test
    void shouldLeaveTheListAsItIsWhenRemovingAnEntryInNoList()
    {
        list.add(first, 1);
        list.add(second, 2);

        list.remove(third);
        list.remove(third);
        list.remove(second);
        list.remove(second);

        assertEquals(List.of(first), walk());
        assertSame(first, list.oldest());
    }

    private List<Request> walk()
    {
        final List<Request> requests = new ArrayList<>();
        for (Request request = list.oldest(); null != request; request = list.next(request))
        {
            requests.add(request);
        }
        return requests;
    }

    private static final class Request extends InFlightList.Entry
    {
        private final String name;

        Request(final String name)
        {
            this.name = name;
        }

        public String toString()
        {
            return name;
        }
    }
}
