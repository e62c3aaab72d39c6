package io.sluice.listener;

import io.sluice.listener.counters.CounterType;
import io.sluice.listener.counters.CountersSnapshot;
import io.sluice.listener.counters.ListenerCounters;
import io.sluice.listener.counters.PrometheusText;
import io.sluice.listener.counters.QueueCounters;
import io.sluice.listener.hosting.loopback.LoopbackHost;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestQueue;

import java.util.Map;

/**
 * The listener's sampled counters and the text of the admin port's {@code /metrics}. The values the listener keeps
 * elsewhere (open connections, queue lengths, admin connections, each event loop's allocated bytes, a shared-memory
 * host's lane counters, worker counts) are copied into the counters file by {@link #sample()}, about once a second
 * and whenever {@code /metrics} is read; {@code /metrics} then renders every counter of the file
 * ({@link PrometheusText}). Neither takes a lock an event loop takes, nor waits for one. Allocates freely; never on
 * an event loop of the client connections.
 */
final class AdminMetrics
{
    private final ListenerCounters counters;
    private final ConnectionLimiter connections;
    private final EventLoopAllocations allocations;
    private final Map<String, RequestQueue> queues;
    private final Map<String, Host> hosts;
    private final AdminCounters adminCounters;

    /**
     * @param counters      the listener's counters.
     * @param connections   the client connections' count, bound and outbound bytes.
     * @param allocations   the bytes each event loop's thread has allocated.
     * @param queues        the queues by name.
     * @param hosts         the queues' hosts by queue name.
     * @param adminCounters the admin port's own counters.
     */
    AdminMetrics(
        final ListenerCounters counters,
        final ConnectionLimiter connections,
        final EventLoopAllocations allocations,
        final Map<String, RequestQueue> queues,
        final Map<String, Host> hosts,
        final AdminCounters adminCounters)
    {
        this.counters = counters;
        this.connections = connections;
        this.allocations = allocations;
        this.queues = queues;
        this.hosts = hosts;
        this.adminCounters = adminCounters;
    }

    /**
     * @return the counters as they are now, in the Prometheus text format.
     */
    String text()
    {
        sample();
        return PrometheusText.render(CountersSnapshot.read(counters.reader()));
    }

    /**
     * Copy the values kept elsewhere into the counters file.
     */
    synchronized void sample()
    {
        counters.sample(CounterType.CONNECTIONS, connections.openCount());
        counters.sample(CounterType.ADMIN_CONNECTIONS, adminCounters.openConnections());
        counters.sample(CounterType.ADMIN_CONNECTIONS_REFUSED, adminCounters.refusedConnections());
        final ConnectionLimiter.OutboundBytes outbound = connections.outboundBytes();
        counters.sample(CounterType.OUTBOUND_PENDING_BYTES, outbound.totalLength());
        counters.sample(CounterType.OUTBOUND_PENDING_BYTES_MAX, outbound.largestLength());
        for (int i = 0; i < Math.min(allocations.loopCount(), counters.loopCount()); i++)
        {
            counters.sampleAllocatedBytes(i, Math.max(0, allocations.allocatedBytes(i)));
        }
        for (final Map.Entry<String, RequestQueue> entry : queues.entrySet())
        {
            final RequestQueue queue = entry.getValue();
            final QueueCounters queueCounters = queue.counters();
            if (null == queueCounters)
            {
                continue;
            }
            queueCounters.sample(CounterType.QUEUE_LENGTH, queue.length());
            queueCounters.sample(CounterType.QUEUE_CAPACITY, queue.capacity());
            queueCounters.sample(CounterType.QUEUE_REJECTED, queue.rejectedCount());
            final Host host = hosts.get(entry.getKey());
            WorkerSupervisor supervisor = null;
            if (host instanceof SharedMemoryHost shm)
            {
                supervisor = shm.supervisor();
                sampleSharedMemory(queueCounters, shm);
            }
            else if (host instanceof LoopbackHost loopback)
            {
                supervisor = loopback.supervisor();
            }
            if (null != supervisor)
            {
                queueCounters.sample(CounterType.QUEUE_WORKERS, supervisor.pids().size());
                queueCounters.sample(CounterType.QUEUE_STOPPED, supervisor.isQueueStopped() ? 1 : 0);
            }
        }
    }

    /**
     * The counters of a shared-memory queue: read without waiting for its event loops (each is kept on its loop and
     * published with an ordered write).
     */
    private static void sampleSharedMemory(final QueueCounters counters, final SharedMemoryHost host)
    {
        counters.sample(CounterType.FAILED_WORKERS, host.failedWorkerCount());
        counters.sample(CounterType.RING_REPAIRS, host.ringRepairCount());
        counters.sample(CounterType.WORKER_EXIT_FAILED, host.failedOnWorkerExitCount());
        counters.sample(CounterType.WORKER_EXIT_RETRIED, host.retriedOnWorkerExitCount());
        counters.sample(CounterType.RETRIES, host.retriedOnWorkerExitCount());
        counters.sample(CounterType.WORKER_EXIT_LEFT, host.leftForReplacementCount());
        counters.sample(CounterType.TIMED_OUT, host.timedOutCount());
        counters.sample(CounterType.RESPONSE_BYTES_OUTSTANDING, host.responseBytesOutstanding());
        counters.sample(CounterType.RESPONSE_BYTES_OUTSTANDING_MAX, host.maxResponseBytesOutstanding());
    }
}
