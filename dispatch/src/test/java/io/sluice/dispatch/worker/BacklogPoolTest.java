package io.sluice.dispatch.worker;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link BacklogPool} keeps a bounded number of buffers of a bounded size and hands them out again.
 */
class BacklogPoolTest
{
    @Test
    void shouldHandBackAKeptBufferAndMakeANewOneWhenNoneIsKept()
    {
        final BacklogPool pool = new BacklogPool();
        final ExpandableArrayBuffer first = pool.take(100);
        pool.give(first);

        assertSame(first, pool.take(100));
        assertNotSame(first, pool.take(100));
    }

    @Test
    void shouldKeepNoMoreThanItsBoundsAllow()
    {
        final BacklogPool pool = new BacklogPool();
        pool.give(new ExpandableArrayBuffer(BacklogPool.MAX_RETAINED_CAPACITY + 1));
        assertEquals(0, pool.pooled());

        for (int i = 0; i < BacklogPool.MAX_POOLED + 3; i++)
        {
            pool.give(new ExpandableArrayBuffer(64));
        }
        assertEquals(BacklogPool.MAX_POOLED, pool.pooled());
    }
}
