package io.sluice.listener;

import io.sluice.listener.hosting.loopback.LoopbackHost;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.http.LoopConnectionCounts;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestQueue;

import java.util.Map;

/**
 * The text of the admin port's {@code /metrics}: plain-text gauges and counters of the client connections (and those
 * each event loop was given), the admin connections, and each queue (length, bound, requests refused, workers, and a
 * shared-memory queue's counters).
 * Made when asked; allocates freely.
 */
final class AdminMetrics
{
    private final ConnectionLimiter connections;
    private final LoopConnectionCounts loopCounts;
    private final EventLoopAllocations allocations;
    private final Map<String, RequestQueue> queues;
    private final Map<String, Host> hosts;
    private final AdminCounters counters;

    /**
     * @param connections the client connections' count, bound and outbound bytes.
     * @param loopCounts  the connections each event loop has been given.
     * @param allocations the bytes each event loop's thread has allocated.
     * @param queues      the queues by name.
     * @param hosts       the queues' hosts by queue name.
     * @param counters    the admin port's own counters.
     */
    AdminMetrics(
        final ConnectionLimiter connections,
        final LoopConnectionCounts loopCounts,
        final EventLoopAllocations allocations,
        final Map<String, RequestQueue> queues,
        final Map<String, Host> hosts,
        final AdminCounters counters)
    {
        this.connections = connections;
        this.loopCounts = loopCounts;
        this.allocations = allocations;
        this.queues = queues;
        this.hosts = hosts;
        this.counters = counters;
    }

    /**
     * @return the metrics as they are now, one per line.
     */
    String text()
    {
        final StringBuilder out = new StringBuilder();
        out.append("sluice_connections ").append(connections.openCount()).append('\n');
        out.append("sluice_connections_refused_total ").append(connections.refusedCount()).append('\n');
        for (int i = 0; i < loopCounts.loopCount(); i++)
        {
            out.append("sluice_connections_accepted_total{loop=\"").append(i).append("\"} ")
                .append(loopCounts.accepted(i)).append('\n');
        }
        for (int i = 0; i < allocations.loopCount(); i++)
        {
            final long allocatedBytes = allocations.allocatedBytes(i);
            if (allocatedBytes >= 0)
            {
                out.append("sluice_event_loop_allocated_bytes_total{loop=\"").append(i).append("\"} ")
                    .append(allocatedBytes).append('\n');
            }
        }
        out.append("sluice_admin_connections ").append(counters.openConnections()).append('\n');
        out.append("sluice_admin_connections_refused_total ").append(counters.refusedConnections()).append('\n');
        final ConnectionLimiter.OutboundBytes outbound = connections.outboundBytes();
        out.append("sluice_outbound_pending_bytes ").append(outbound.totalLength()).append('\n');
        out.append("sluice_outbound_pending_bytes_max ").append(outbound.largestLength()).append('\n');
        for (final Map.Entry<String, RequestQueue> entry : queues.entrySet())
        {
            final String name = entry.getKey();
            final RequestQueue queue = entry.getValue();
            out.append("sluice_queue_length{queue=\"").append(name).append("\"} ").append(queue.length()).append('\n');
            out.append("sluice_queue_capacity{queue=\"").append(name).append("\"} ")
                .append(queue.capacity()).append('\n');
            out.append("sluice_queue_rejected_total{queue=\"").append(name).append("\"} ")
                .append(queue.rejectedCount()).append('\n');
            final Host host = hosts.get(name);
            WorkerSupervisor supervisor = null;
            if (host instanceof SharedMemoryHost shm)
            {
                supervisor = shm.supervisor();
                sharedMemoryMetrics(out, name, shm);
            }
            else if (host instanceof LoopbackHost loopback)
            {
                supervisor = loopback.supervisor();
            }
            if (null != supervisor)
            {
                out.append("sluice_queue_workers{queue=\"").append(name).append("\"} ")
                    .append(supervisor.pids().size()).append('\n');
                out.append("sluice_queue_stopped{queue=\"").append(name).append("\"} ")
                    .append(supervisor.isQueueStopped() ? 1 : 0).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * The counters of a shared-memory queue: read without waiting for its event loop (each is kept on the loop and
     * published with an ordered write).
     */
    private static void sharedMemoryMetrics(final StringBuilder out, final String name, final SharedMemoryHost host)
    {
        metric(out, "sluice_queue_failed_workers_total", name, host.failedWorkerCount());
        metric(out, "sluice_queue_ring_repairs_total", name, host.ringRepairCount());
        metric(out, "sluice_queue_worker_exit_failed_total", name, host.failedOnWorkerExitCount());
        metric(out, "sluice_queue_worker_exit_retried_total", name, host.retriedOnWorkerExitCount());
        metric(out, "sluice_queue_worker_exit_left_total", name, host.leftForReplacementCount());
        metric(out, "sluice_queue_timed_out_total", name, host.timedOutCount());
        metric(out, "sluice_queue_response_bytes_outstanding", name, host.responseBytesOutstanding());
        metric(out, "sluice_queue_response_bytes_outstanding_max", name, host.maxResponseBytesOutstanding());
    }

    private static void metric(final StringBuilder out, final String metric, final String queue, final long value)
    {
        out.append(metric).append("{queue=\"").append(queue).append("\"} ").append(value).append('\n');
    }
}
