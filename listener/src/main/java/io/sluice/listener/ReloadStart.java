package io.sluice.listener;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.worker.Handler;
import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.ReloadPlan;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.counters.QueueCounters;
import io.sluice.listener.hosting.loopback.LoopbackHost;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.http.HttpServerInitializer;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.routing.UrlPrefix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The first half of a reload: everything that can fail, done before anything the clients see changes. The queues
 * added or recycled are checked (handler classes, worker commands) and their hosts started, and the reload waits until
 * every new worker is ready; the ports the file names and the listener does not listen on yet are bound (not
 * accepting). If any step fails, {@link #undo} stops what was started and closes what was bound, and the running
 * configuration stays as it was. Used by the reloading thread only.
 */
final class ReloadStart
{
    private static final long READY_POLL_MS = 10;

    /**
     * Makes a queue's host.
     */
    @FunctionalInterface
    interface HostFactory
    {
        /**
         * @param queue           the queue's settings.
         * @param applicationPath the path of its first prefix.
         * @param handler         an in-process queue's handler, created; null for the other models.
         * @param directoryName   names a shared-memory queue's worker directories.
         * @return the host, not started.
         */
        Host create(QueueConfiguration queue, String applicationPath, Handler handler, String directoryName);
    }

    /**
     * A host started by the reload, with the request queue it will serve and its worker directories.
     *
     * @param host        the host, started.
     * @param queue       its request queue, new.
     * @param directories its shared-memory worker directories, removed if it stops.
     * @param allocated   the counters allocated for it by this reload (an added queue's), freed if the reload is
     *                    undone; null when it kept the running queue's (or has none).
     */
    record Started(Host host, RequestQueue queue, List<Path> directories, QueueCounters allocated)
    {
    }

    private final List<Integer> ports = new ArrayList<>();
    private final Map<String, Started> hosts = new LinkedHashMap<>();
    private HttpServerInitializer tlsInitializer;

    /**
     * @return the ports bound, not yet accepting.
     */
    List<Integer> ports()
    {
        return ports;
    }

    /**
     * @return the hosts started, by queue name.
     */
    Map<String, Started> hosts()
    {
        return hosts;
    }

    /**
     * @return the initializer made for the first https port, or null when none was needed.
     */
    HttpServerInitializer tlsInitializer()
    {
        return tlsInitializer;
    }

    /**
     * Check the queues added or recycled: their handler classes (in-process ones created) and worker commands.
     *
     * @param plan the reload's plan.
     * @param next the configuration to run.
     * @return the in-process handlers created, by queue name.
     * @throws StartupException naming the key of what cannot be used.
     */
    static Map<String, Handler> checkQueues(final ReloadPlan plan, final ListenerConfiguration next)
    {
        final Map<String, Handler> handlers = new LinkedHashMap<>();
        final List<QueueConfiguration> queueConfigs = next.queues();
        for (int i = 0; i < queueConfigs.size(); i++)
        {
            final QueueConfiguration queue = queueConfigs.get(i);
            if (isStarted(plan.queues().get(queue.name())))
            {
                final Handler handler = StartupChecks.checkQueue(queue, i);
                if (null != handler)
                {
                    handlers.put(queue.name(), handler);
                }
            }
        }
        return handlers;
    }

    /**
     * Bind each port the configuration names that is not listened on yet, not accepting.
     *
     * @param channels       the listener's server channels.
     * @param next           the configuration to run.
     * @param file           the file's configuration, whose prefix keys a failure names.
     * @param initializer    the cleartext ports' initializer.
     * @param tlsInitializer the https ports' initializer, or null when there is none yet.
     * @param newTlsPort     makes an initializer for the first https port.
     * @throws StartupException naming the prefix of a port that cannot be bound.
     */
    void bindNewPorts(
        final ServerChannels channels,
        final ListenerConfiguration next,
        final ListenerConfiguration file,
        final HttpServerInitializer initializer,
        final HttpServerInitializer tlsInitializer,
        final Supplier<HttpServerInitializer> newTlsPort)
    {
        final List<Integer> listening = channels.ports();
        for (final Map.Entry<Integer, Boolean> port : ReloadPlan.portSchemes(next).entrySet())
        {
            if (listening.contains(port.getKey()))
            {
                continue;
            }
            HttpServerInitializer childHandler = initializer;
            if (port.getValue())
            {
                if (null == tlsInitializer && null == this.tlsInitializer)
                {
                    this.tlsInitializer = newTlsPort.get();
                }
                childHandler = null != tlsInitializer ? tlsInitializer : this.tlsInitializer;
            }
            channels.bind(port.getKey(), childHandler, file);
            ports.add(port.getKey());
        }
    }

    /**
     * Make and start the hosts of the queues added or recycled, each with a new request queue.
     *
     * @param plan          the reload's plan.
     * @param next          the configuration to run.
     * @param handlers      the in-process handlers created by {@link #checkQueues}.
     * @param factory       makes a host.
     * @param shmDirectory  the listener's shared-memory directory, created when the first shared-memory host needs it.
     * @param directoryName the directory name of a recycled queue's new workers, fresh each call.
     * @param running       the running request queues, by name: a recycled queue's new one keeps its counters.
     * @param counters      allocates an added queue's counters (null when the counters file is full), before its host
     *                      starts (which finds them by the queue's name).
     */
    void startHosts(
        final ReloadPlan plan,
        final ListenerConfiguration next,
        final Map<String, RequestQueue> running,
        final Map<String, Handler> handlers,
        final Function<String, QueueCounters> counters,
        final HostFactory factory,
        final Supplier<Path> shmDirectory,
        final Function<String, String> directoryName)
    {
        for (final QueueConfiguration queue : next.queues())
        {
            final ReloadPlan.QueueChange change = plan.queues().get(queue.name());
            if (!isStarted(change))
            {
                continue;
            }
            // directories of its own: a recycled queue's running workers, or a removed queue's of the same name still
            // draining, keep theirs
            final String directory = directoryName.apply(queue.name());
            final RequestQueue before = running.get(queue.name());
            final Host host = factory.create(
                queue, UrlPrefix.parse(queue.prefixes().get(0)).path(), handlers.get(queue.name()), directory);
            final List<Path> directories = queue.hosting() == HostingMode.SHARED_MEMORY ?
                workerDirectories(shmDirectory.get(), queue, directory) : List.of();
            // an added queue's counters are new, in the file's spare room; a recycled queue's new host counts on
            final QueueCounters allocated = null == before ? counters.apply(queue.name()) : null;
            final RequestQueue requestQueue = queue.requestQueue();
            requestQueue.counters(null == before ? allocated : before.counters());
            // a queue taken offline stays offline across a reload
            requestQueue.offline(null != before && before.isOffline());
            hosts.put(queue.name(), new Started(host, requestQueue, directories, allocated));
            host.start();
        }
    }

    /**
     * Wait until every worker of every host started is ready, within its start-up limits.
     *
     * @param next     the configuration to run.
     * @param stopping true once the listener is stopping: the wait ends.
     * @throws StartupException naming a queue's {@code worker} whose new workers were not ready in time, or failed.
     */
    void awaitReady(final ListenerConfiguration next, final BooleanSupplier stopping)
    {
        final List<QueueConfiguration> queueConfigs = next.queues();
        for (int i = 0; i < queueConfigs.size(); i++)
        {
            final QueueConfiguration queue = queueConfigs.get(i);
            final Started start = hosts.get(queue.name());
            final WorkerSupervisor supervisor = null == start ? null : supervisorOf(start.host());
            if (null == supervisor)
            {
                continue;
            }
            final WorkerConfiguration worker = queue.worker();
            final long limitMs = worker.startupTimeLimitMs() * (worker.startupRetryCount() + 1L);
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
            while (supervisor.readyCount() < supervisor.processes())
            {
                if (stopping.getAsBoolean())
                {
                    throw new IllegalStateException("the listener is stopping");
                }
                if (supervisor.isQueueStopped() || System.nanoTime() - deadlineNs > 0)
                {
                    throw new StartupException(ConfigKeys.queueWorker(i), "queue " + queue.name() + ": " +
                        supervisor.readyCount() + " of " + supervisor.processes() + " new worker(s) ready within " +
                        "startupTimeLimit x (startupRetryCount + 1) = " + limitMs + " ms");
                }
                try
                {
                    Thread.sleep(READY_POLL_MS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for new workers", ex);
                }
            }
        }
    }

    /**
     * The reload failed: stop every host started, free the counters allocated, and close every port bound. Blocks.
     *
     * @param channels the listener's server channels.
     * @param free     frees a queue's counters.
     */
    void undo(final ServerChannels channels, final Consumer<QueueCounters> free)
    {
        for (final int port : ports)
        {
            channels.close(port);
        }
        for (final Map.Entry<String, Started> entry : hosts.entrySet())
        {
            final Started start = entry.getValue();
            new HostRetirement(entry.getKey(), start.host(), start.queue(), 0, start.directories(),
                () ->
                {
                    if (null != start.allocated())
                    {
                        free.accept(start.allocated());
                    }
                }).close();
        }
    }

    /**
     * @param shmDir        the listener's shared-memory directory.
     * @param queue         a shared-memory queue.
     * @param directoryName the name its workers' directories are made from.
     * @return the paths of its workers' directories.
     */
    static List<Path> workerDirectories(final Path shmDir, final QueueConfiguration queue, final String directoryName)
    {
        final List<Path> directories = new ArrayList<>();
        for (int i = 0; i < queue.worker().slots(); i++)
        {
            directories.add(shmDir.resolve(SharedMemoryFiles.workerDirectoryName(directoryName, i)));
        }
        return directories;
    }

    /**
     * @param host a host.
     * @return its worker supervisor, or null for an in-process host (or one not started).
     */
    static WorkerSupervisor supervisorOf(final Host host)
    {
        if (host instanceof SharedMemoryHost shm)
        {
            return shm.supervisor();
        }
        if (host instanceof LoopbackHost loopback)
        {
            return loopback.supervisor();
        }
        return null;
    }

    private static boolean isStarted(final ReloadPlan.QueueChange change)
    {
        return ReloadPlan.QueueChange.ADDED == change || ReloadPlan.QueueChange.RECYCLED == change;
    }
}
