package io.sluice.listener;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.listener.counters.ListenerCounters;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.http.LoopConnectionCounts;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminMetricsTest
{
    @Test
    void writesConnectionAdminAndQueueMetrics()
    {
        final ConnectionLimiter connections = new ConnectionLimiter(1);
        connections.tryAcquire();
        final ListenerCounters counters = ListenerCounters.inMemory(List.of("inproc"), 2);
        final RequestQueue queue = new RequestQueue("inproc", 2, counters.queue("inproc"));
        queue.tryAcquire();
        queue.tryAcquire();
        queue.tryAcquire();
        final Map<String, RequestQueue> queues = new LinkedHashMap<>();
        queues.put("inproc", queue);
        final AdminCounters adminCounters = new AdminCounters();
        adminCounters.tryOpen(1);
        adminCounters.tryOpen(1);

        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        final LoopConnectionCounts loopCounts = new LoopConnectionCounts(group);
        loopCounts.attach(counters);
        final EventLoopAllocations allocations = new EventLoopAllocations(group);
        try
        {
            loopCounts.record(group.next());
            loopCounts.record(group.next());
            loopCounts.record(group.next()).refused();
        }
        finally
        {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }

        final String text = new AdminMetrics(
            counters, connections, allocations, queues, Map.<String, Host>of(), adminCounters).text();
        for (final String line : List.of(
            "# TYPE sluice_connections gauge",
            "sluice_connections 1",
            "# TYPE sluice_connections_refused_total counter",
            "sluice_connections_refused_total 1",
            "sluice_connections_accepted_total{loop=\"0\"} 2",
            "sluice_connections_accepted_total{loop=\"1\"} 1",
            "sluice_admin_connections 1",
            "sluice_admin_connections_refused_total 1",
            "sluice_outbound_pending_bytes 0",
            "sluice_outbound_pending_bytes_max 0",
            "sluice_queue_length{queue=\"inproc\"} 2",
            "sluice_queue_capacity{queue=\"inproc\"} 2",
            "sluice_queue_rejected_total{queue=\"inproc\"} 1",
            "# TYPE sluice_queue_request_duration_seconds histogram",
            "sluice_queue_request_duration_seconds_count{queue=\"inproc\"} 0"))
        {
            assertTrue(text.lines().anyMatch(line::equals), line + " in:\n" + text);
        }
        final String allocated = "sluice_event_loop_allocated_bytes_total";
        text.lines().filter((line) -> line.startsWith(allocated)).forEach(
            (line) -> assertTrue(line.matches(allocated + "\\{loop=\"[01]\"} [0-9]+"), line));
    }
}
