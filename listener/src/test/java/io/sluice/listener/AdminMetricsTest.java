package io.sluice.listener;

import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

        final String text = new AdminMetrics(connections, queues, Map.<String, Host>of(), counters).text();
        assertEquals(
            "sluice_connections 1\n" +
            "sluice_connections_refused_total 1\n" +
            "sluice_admin_connections 1\n" +
            "sluice_admin_connections_refused_total 1\n" +
            "sluice_outbound_pending_bytes 0\n" +
            "sluice_outbound_pending_bytes_max 0\n" +
            "sluice_queue_length{queue=\"inproc\"} 2\n" +
            "sluice_queue_capacity{queue=\"inproc\"} 2\n" +
            "sluice_queue_rejected_total{queue=\"inproc\"} 1\n",
            text);
    }
}
