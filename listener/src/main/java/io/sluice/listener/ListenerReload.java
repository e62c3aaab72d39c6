package io.sluice.listener;

import io.sluice.dispatch.worker.Handler;
import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.ReloadPlan;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.http.HttpConnectionConfig;
import io.sluice.listener.http.HttpServerInitializer;
import io.sluice.listener.http.TlsServerSetup;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.routing.PrefixRouter;
import io.sluice.listener.routing.UrlPrefix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How {@link Listener#reload} applies a configuration: first everything that can fail ({@link ReloadStart}: checks,
 * certificates, new ports bound, new hosts started and their workers ready), undone whole on a failure; then the
 * commit, which cannot fail: the new routing table and connection settings put in force, the listener's maps of
 * queues and hosts updated, the ports no prefix names closed, and each host no longer routed to retired
 * ({@link HostRetirement}: it drains, then stops). Works on the listener's own state, under its reload lock. Stateless.
 */
final class ListenerReload
{
    private ListenerReload()
    {
    }

    /**
     * @param listener   the started listener, whose reload lock the caller holds.
     * @param generation the reload's number.
     * @param sourceName names the source in messages that would not name it.
     * @param source     reads and concludes the configuration.
     * @return what was done.
     */
    static ReloadOutcome reload(
        final Listener listener,
        final long generation, final String sourceName, final Supplier<ListenerConfiguration> source)
    {
        final ListenerConfiguration file;
        try
        {
            file = source.get();
        }
        catch (final ConfigException ex)
        {
            return refused(generation, ex.getMessage());
        }
        final ListenerConfiguration running = listener.config;
        final ReloadPlan plan = ReloadPlan.of(running, file);
        final ListenerConfiguration next = plan.running();
        final ReloadStart started = new ReloadStart();
        final TlsServerSetup tls;
        try
        {
            final Map<String, Handler> handlers = ReloadStart.checkQueues(plan, next);
            tls = null == next.tls() ? null : Listener.tlsSetup(next);
            started.bindNewPorts(listener.serverChannels, next, file, listener.initializer, listener.tlsInitializer,
                () -> new HttpServerInitializer(
                    listener.router, next.decoderConfig(), listener.connectionConfig(next), listener.connections,
                    listener.loopCounts, tls));
            started.startHosts(plan, next, listener.queues, handlers, listener::allocateQueueCounters,
                listener::createHost,
                () ->
                {
                    listener.createShmDir();
                    return running.shmDir();
                },
                (name) -> freshDirectoryName(listener, name, running, next));
            started.awaitReady(next, () -> listener.stopping);
        }
        catch (final StartupException ex)
        {
            started.undo(listener.serverChannels, listener::freeQueueCounters);
            return refused(generation, sourceName + ": " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            started.undo(listener.serverChannels, listener::freeQueueCounters);
            return refused(generation, null == ex.getMessage() ? ex.toString() : ex.getMessage());
        }
        return commit(listener, generation, plan, next, tls, started);
    }

    private static ReloadOutcome refused(final long generation, final String reason)
    {
        return new ReloadOutcome(generation, false,
            "reload " + generation + " refused, running configuration kept: " +
            reason.replaceAll("\\s*\\R\\s*", " "));
    }

    /**
     * @return a worker directory name for a host started by a reload: the queue's name and a generation, unlike any
     * queue's name (whose workers' directories would have the same names).
     */
    private static String freshDirectoryName(
        final Listener listener,
        final String queueName, final ListenerConfiguration running, final ListenerConfiguration next)
    {
        while (true)
        {
            final String name = queueName + "-r" + (++listener.hostGeneration);
            boolean taken = false;
            for (final QueueConfiguration queue : running.queues())
            {
                taken |= queue.name().equals(name);
            }
            for (final QueueConfiguration queue : next.queues())
            {
                taken |= queue.name().equals(name);
            }
            if (!taken)
            {
                return name;
            }
        }
    }

    private static ReloadOutcome commit(
        final Listener listener,
        final long generation,
        final ReloadPlan plan,
        final ListenerConfiguration next,
        final TlsServerSetup tls,
        final ReloadStart started)
    {
        final List<HostRetirement> retirements = new ArrayList<>();
        final Map<String, RequestQueue> nextQueues = new LinkedHashMap<>();
        final Map<String, Host> nextHosts = new LinkedHashMap<>();
        final PrefixRouter.Builder<QueueBinding> table = PrefixRouter.builder();
        for (final QueueConfiguration queue : next.queues())
        {
            final ReloadStart.Started start = started.hosts().get(queue.name());
            RequestQueue requestQueue = listener.queues.get(queue.name());
            Host host = listener.hosts.get(queue.name());
            if (null != start)
            {
                if (null != host)
                {
                    // the queue's counters go on with its new host
                    retirements.add(retirement(queue.name(), host, requestQueue, listener.config, null));
                }
                requestQueue = start.queue();
                host = start.host();
            }
            else if (requestQueue.capacity() != queue.queueLength())
            {
                // an in-process queue's new length: requests admitted before release the queue they took
                final RequestQueue before = requestQueue;
                requestQueue = queue.requestQueue();
                requestQueue.counters(before.counters());
                requestQueue.offline(before.isOffline());
            }
            else
            {
                queue.applyOfflinePage(requestQueue);
            }
            nextQueues.put(queue.name(), requestQueue);
            nextHosts.put(queue.name(), host);
            for (final String prefix : queue.prefixes())
            {
                final UrlPrefix parsed = UrlPrefix.parse(prefix);
                table.add(parsed, queue.binding(
                    requestQueue, host, parsed.path(), listener.accessLogFileId(queue.name())));
            }
        }
        for (final String name : plan.removedQueues())
        {
            // its counters leave the file once its requests are answered and its host stopped
            final RequestQueue removed = listener.queues.get(name);
            retirements.add(retirement(name, listener.hosts.get(name), removed, listener.config,
                () -> listener.freeQueueCounters(removed.counters())));
        }

        // in force from here: each request routes by the new table, each new connection reads the new settings
        listener.router.table(table.build());
        if (null != started.tlsInitializer())
        {
            listener.tlsInitializer = started.tlsInitializer();
        }
        final HttpConnectionConfig connectionConfig = listener.connectionConfig(next);
        listener.initializer.settings(next.decoderConfig(), connectionConfig, null);
        if (null != listener.tlsInitializer && null != tls)
        {
            listener.tlsInitializer.settings(next.decoderConfig(), connectionConfig, tls);
        }
        listener.connections.maxConnections(next.maxConnections());
        listener.serverChannels.startAccepting();
        listener.queues.putAll(nextQueues);
        listener.hosts.putAll(nextHosts);
        listener.queues.keySet().retainAll(nextQueues.keySet());
        listener.hosts.keySet().retainAll(nextHosts.keySet());
        listener.config = next;

        final Set<Integer> wanted = ReloadPlan.portSchemes(next).keySet();
        final List<Integer> closed = new ArrayList<>();
        for (final int port : listener.serverChannels.ports())
        {
            if (!wanted.contains(port))
            {
                listener.serverChannels.close(port);
                closed.add(port);
            }
        }
        for (final QueueConfiguration queue : next.queues())
        {
            if (ReloadPlan.QueueChange.WORKERS == plan.queues().get(queue.name()))
            {
                ReloadStart.supervisorOf(listener.hosts.get(queue.name()))
                    .recycle("configuration reloaded", queue.worker());
            }
        }
        for (final HostRetirement retirement : retirements)
        {
            listener.retiring.add(retirement);
            retirement.start(() -> listener.retiring.remove(retirement));
        }
        return new ReloadOutcome(generation, true, ReloadSummary.line(generation, plan, started.ports(), closed));
    }

    private static HostRetirement retirement(
        final String name,
        final Host host,
        final RequestQueue queue,
        final ListenerConfiguration running,
        final Runnable afterClose)
    {
        QueueConfiguration before = null;
        for (final QueueConfiguration candidate : running.queues())
        {
            if (candidate.name().equals(name))
            {
                before = candidate;
            }
        }
        final WorkerConfiguration worker = null == before ? null : before.worker();
        // its requests end by the request timeout (504) at the latest; then its workers get their shutdown time
        final long drainLimitMs = null == worker ? WorkerConfiguration.SHUTDOWN_TIME_LIMIT_MS_DEFAULT :
            worker.requestTimeoutMs() + worker.shutdownTimeLimitMs();
        final List<Path> directories = host instanceof SharedMemoryHost shm && null != before ?
            ReloadStart.workerDirectories(running.shmDir(), before, shm.directoryName()) : List.of();
        return new HostRetirement(name, host, queue, drainLimitMs, directories, afterClose);
    }
}
