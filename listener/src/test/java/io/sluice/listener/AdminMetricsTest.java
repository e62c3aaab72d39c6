package io.sluice.listener;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.http.LoopConnectionCounts;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminMetricsTest
{
    @Test
    void writesConnectionAdminAndQueueMetrics()
    {
        final ConnectionLimiter connections = new ConnectionLimiter(1);
        connections.tryAcquire();
        connections.tryAcquire();
        final RequestQueue queue = new RequestQueue("inproc", 2);
        queue.tryAcquire();
        queue.tryAcquire();
        queue.tryAcquire();
        final Map<String, RequestQueue> queues = new LinkedHashMap<>();
        queues.put("inproc", queue);
        final AdminCounters counters = new AdminCounters();
        counters.tryOpen(1);
        counters.tryOpen(1);

        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        final LoopConnectionCounts loopCounts = new LoopConnectionCounts(group);
        final EventLoopAllocations allocations = new EventLoopAllocations(group);
        try
        {
            loopCounts.record(group.next());
            loopCounts.record(group.next());
            loopCounts.record(group.next());
        }
        finally
        {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }

        final String text = new AdminMetrics(
            connections, loopCounts, allocations, queues, Map.<String, Host>of(), counters).text();
        // a loop's allocated bytes are shown while its thread is alive, which an ending loop's may still be
        final String allocated = "sluice_event_loop_allocated_bytes_total";
        text.lines().filter((line) -> line.startsWith(allocated)).forEach(
            (line) -> assertTrue(line.matches(allocated + "\\{loop=\"[01]\"} [0-9]+"), line));
        assertEquals(
            "sluice_connections 1\n" +
            "sluice_connections_refused_total 1\n" +
            "sluice_connections_accepted_total{loop=\"0\"} 2\n" +
            "sluice_connections_accepted_total{loop=\"1\"} 1\n" +
            "sluice_admin_connections 1\n" +
            "sluice_admin_connections_refused_total 1\n" +
            "sluice_outbound_pending_bytes 0\n" +
            "sluice_outbound_pending_bytes_max 0\n" +
            "sluice_queue_length{queue=\"inproc\"} 2\n" +
            "sluice_queue_capacity{queue=\"inproc\"} 2\n" +
            "sluice_queue_rejected_total{queue=\"inproc\"} 1\n",
            text.lines().filter((line) -> !line.startsWith(allocated)).map((line) -> line + "\n")
                .collect(Collectors.joining()));
    }
}
