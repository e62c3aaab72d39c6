package io.sluice.listener;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLoopAllocationsTest
{
    private static final int ARRAY_LENGTH = 1024 * 1024;

    private static volatile byte[] kept;

    @Test
    void shouldCountWhatEachLoopsThreadAllocates() throws Exception
    {
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        final EventLoopAllocations allocations = new EventLoopAllocations(group);
        try
        {
            assertEquals(2, allocations.loopCount());
            // a task run after the one that tells the thread's id
            group.submit(() -> null).get(10, TimeUnit.SECONDS);
            final var first = group.iterator().next();
            first.submit(() -> null).get(10, TimeUnit.SECONDS);
            final long before = allocations.allocatedBytes(0);
            assertTrue(before >= 0, "known once the loop ran: " + before);

            first.submit(() -> kept = new byte[ARRAY_LENGTH]).get(10, TimeUnit.SECONDS);

            final long allocated = allocations.allocatedBytes(0) - before;
            assertTrue(allocated >= ARRAY_LENGTH, "allocated " + allocated);
            assertEquals(ARRAY_LENGTH, kept.length);
        }
        finally
        {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
