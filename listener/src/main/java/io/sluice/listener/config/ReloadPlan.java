package io.sluice.listener.config;

import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.routing.UrlPrefix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reload changes: the running configuration compared with the file's, key by key. Settings that bind
 * resources for the listener's life (its id, bind address, event loops, shared-memory directory, admin endpoint, and
 * the scheme of a port already listened on) need a restart: the plan keeps their running values and lists them; the
 * rest is applied. Each queue of the file is {@link QueueChange#ADDED}, {@link QueueChange#UNCHANGED},
 * {@link QueueChange#LIMITS} (prefixes, body limit, timers, or an in-process queue's length: same host),
 * {@link QueueChange#WORKERS} (worker settings its supervisor applies: same host, workers recycled overlapped) or
 * {@link QueueChange#RECYCLED} (hosting model, handler, rings, worker count, or what the host itself was started
 * with: new host, started and ready before the old one stops taking requests); a queue of the running configuration
 * that the file no longer has is removed. Immutable; made by {@link #of}.
 */
public final class ReloadPlan
{
    /**
     * What happens to one queue of the file.
     */
    public enum QueueChange
    {
        /**
         * A queue the running configuration did not have: started before it is routed to.
         */
        ADDED,

        /**
         * The same settings: the queue, its host and workers are kept as they are.
         */
        UNCHANGED,

        /**
         * Only what the listener applies per request changed (prefixes, body limit, entity-body and queue-wait
         * timers, an in-process queue's length): its host and workers are kept; requests routed after the reload
         * get the new limits.
         */
        LIMITS,

        /**
         * Only worker settings its supervisor applies at a start changed (command, environment, lifetime, restart
         * budget, shutdown limit, log): the host is kept and its supervisor recycles the workers overlapped with the
         * new settings ({@link io.sluice.listener.process.WorkerSupervisor#recycle(String, WorkerConfiguration)}):
         * each replacement takes over once ready, and the old worker drains and exits.
         */
        WORKERS,

        /**
         * What its host was started with changed (hosting model, handler, rings, worker count, the timers the host
         * keeps, an out-of-process queue's length or application path): a new host with new workers is started and
         * made ready, then routed to; the old one drains and stops (overlapped recycle of the whole host).
         */
        RECYCLED
    }

    private final ListenerConfiguration running;
    private final List<String> needsRestart;
    private final Map<String, QueueChange> queues;
    private final List<String> removedQueues;
    private final List<String> listenerChanges;

    private ReloadPlan(
        final ListenerConfiguration running,
        final List<String> needsRestart,
        final Map<String, QueueChange> queues,
        final List<String> removedQueues,
        final List<String> listenerChanges)
    {
        this.listenerChanges = Collections.unmodifiableList(listenerChanges);
        this.running = running;
        this.needsRestart = Collections.unmodifiableList(needsRestart);
        this.queues = Collections.unmodifiableMap(queues);
        this.removedQueues = Collections.unmodifiableList(removedQueues);
    }

    /**
     * @param current the configuration running now.
     * @param file    the configuration just read from the file, concluded.
     * @return the plan.
     */
    public static ReloadPlan of(final ListenerConfiguration current, final ListenerConfiguration file)
    {
        final List<String> needsRestart = new ArrayList<>();
        restartOnly(needsRestart, YamlKeys.LISTENER + "." + YamlKeys.ID, current.id(), file.id());
        restartOnly(needsRestart, ConfigKeys.LISTENER_BIND, current.bindAddress(), file.bindAddress());
        restartOnly(needsRestart, YamlKeys.LISTENER + "." + YamlKeys.EVENT_LOOPS,
            current.eventLoops(), file.eventLoops());
        restartOnly(needsRestart, ConfigKeys.LISTENER_SHM_DIR, current.shmDir(), file.shmDir());
        restartOnly(needsRestart, ConfigKeys.LISTENER_ADMIN_PORT, current.adminPort(), file.adminPort());
        restartOnly(needsRestart, ConfigKeys.LISTENER_ADMIN_BIND,
            current.admin().bindAddress(), file.admin().bindAddress());
        restartOnly(needsRestart, YamlKeys.LISTENER + "." + YamlKeys.ADMIN_MAX_CONNECTIONS,
            current.admin().maxConnections(), file.admin().maxConnections());
        restartOnly(needsRestart, YamlKeys.LISTENER + "." + YamlKeys.ADMIN_HEADER_WAIT,
            ConfigValues.formatDurationMs(current.admin().headerWaitMs()),
            ConfigValues.formatDurationMs(file.admin().headerWaitMs()));
        restartOnly(needsRestart, YamlKeys.LISTENER + "." + YamlKeys.ADMIN_IDLE_CONNECTION,
            ConfigValues.formatDurationMs(current.admin().idleConnectionMs()),
            ConfigValues.formatDurationMs(file.admin().idleConnectionMs()));
        schemeChanges(needsRestart, current, file);
        // log files are declared when the listener starts
        logFile(needsRestart, YamlKeys.LISTENER + "." + YamlKeys.ACCESS_LOG, current.accessLog(), file.accessLog());
        logFile(needsRestart, YamlKeys.LISTENER + "." + YamlKeys.ERROR_LOG, current.errorLog(), file.errorLog());

        final Map<String, QueueConfiguration> before = new HashMap<>();
        for (final QueueConfiguration queue : current.queues())
        {
            before.put(queue.name(), queue);
        }
        final Map<String, QueueChange> queues = new LinkedHashMap<>();
        final List<QueueConfiguration> fileQueues = file.queues();
        for (int i = 0; i < fileQueues.size(); i++)
        {
            final QueueConfiguration queue = fileQueues.get(i);
            final QueueConfiguration running = before.remove(queue.name());
            logFile(needsRestart, ConfigKeys.queueAccessLog(i),
                null == running ? null : running.accessLog(), queue.accessLog());
            queues.put(queue.name(), change(running, queue));
        }
        final List<String> removed = new ArrayList<>();
        for (final QueueConfiguration queue : current.queues())
        {
            if (before.containsKey(queue.name()))
            {
                removed.add(queue.name());
            }
        }

        final ListenerConfiguration running = new ListenerConfiguration(
            current.id(),
            current.bindAddress(),
            current.eventLoops(),
            current.shmDir(),
            current.adminPort(),
            file.maxInitialLineLength(),
            file.maxRequestBytes(),
            file.maxFieldLength(),
            file.maxUrlLength(),
            file.maxSegmentLength(),
            file.maxSegmentCount(),
            file.maxRequestBodySize(),
            file.maxConnections(),
            file.maxPipelinedRequests(),
            file.timeouts(),
            file.queues(),
            current.admin(),
            file.tls(),
            current.accessLog(),
            current.errorLog(),
            file.http2());
        return new ReloadPlan(running, needsRestart, queues, removed, listenerChanges(current, file));
    }

    /**
     * @return the keys of the listener's settings the reload changes and applies (limits, timers, TLS), as the file
     * names them; {@code tls} too when the file has certificates, since their files are read again.
     */
    public List<String> listenerChanges()
    {
        return listenerChanges;
    }

    private static List<String> listenerChanges(final ListenerConfiguration current, final ListenerConfiguration file)
    {
        final List<String> changed = new ArrayList<>();
        changedKey(changed, YamlKeys.MAX_INITIAL_LINE_LENGTH, current.maxInitialLineLength(),
            file.maxInitialLineLength());
        changedKey(changed, YamlKeys.MAX_REQUEST_BYTES, current.maxRequestBytes(), file.maxRequestBytes());
        changedKey(changed, YamlKeys.MAX_FIELD_LENGTH, current.maxFieldLength(), file.maxFieldLength());
        changedKey(changed, YamlKeys.MAX_URL_LENGTH, current.maxUrlLength(), file.maxUrlLength());
        changedKey(changed, YamlKeys.MAX_SEGMENT_LENGTH, current.maxSegmentLength(), file.maxSegmentLength());
        changedKey(changed, YamlKeys.MAX_SEGMENT_COUNT, current.maxSegmentCount(), file.maxSegmentCount());
        changedKey(changed, YamlKeys.MAX_REQUEST_BODY_SIZE, current.maxRequestBodySize(), file.maxRequestBodySize());
        changedKey(changed, YamlKeys.MAX_CONNECTIONS, current.maxConnections(), file.maxConnections());
        changedKey(changed, YamlKeys.MAX_PIPELINED_REQUESTS, current.maxPipelinedRequests(),
            file.maxPipelinedRequests());
        changedKey(changed, YamlKeys.TIMEOUTS, current.timeouts(), file.timeouts());
        changedKey(changed, YamlKeys.HTTP2, current.http2(), file.http2());
        if (null != file.tls())
        {
            changed.add(YamlKeys.TLS);
        }
        return changed;
    }

    private static void changedKey(
        final List<String> changed, final String key, final Object before, final Object after)
    {
        if (!Objects.equals(before, after))
        {
            changed.add(key);
        }
    }

    /**
     * @return the configuration to run: the file's, with the running values of the settings that need a restart.
     */
    public ListenerConfiguration running()
    {
        return running;
    }

    /**
     * @return each setting the file changes that only a restart applies, as {@code <key> (running <v>, file <v>)}.
     */
    public List<String> needsRestart()
    {
        return needsRestart;
    }

    /**
     * @return what happens to each queue of the file, by name, in file order.
     */
    public Map<String, QueueChange> queues()
    {
        return queues;
    }

    /**
     * @return the names of the running queues the file no longer has, in running order.
     */
    public List<String> removedQueues()
    {
        return removedQueues;
    }

    /**
     * @param change a kind of change.
     * @return the names of the file's queues with that change, in file order.
     */
    public List<String> queuesWith(final QueueChange change)
    {
        final List<String> names = new ArrayList<>();
        for (final Map.Entry<String, QueueChange> entry : queues.entrySet())
        {
            if (entry.getValue() == change)
            {
                names.add(entry.getKey());
            }
        }
        return names;
    }

    /**
     * @param before the running queue of that name, or null.
     * @param after  the file's queue.
     * @return what happens to it.
     */
    static QueueChange change(final QueueConfiguration before, final QueueConfiguration after)
    {
        if (null == before)
        {
            return QueueChange.ADDED;
        }
        if (before.equals(after))
        {
            return QueueChange.UNCHANGED;
        }
        if (before.hosting() != after.hosting() ||
            !Objects.equals(before.handler(), after.handler()) ||
            before.ringCapacity() != after.ringCapacity() ||
            before.responseWindow() != after.responseWindow())
        {
            return QueueChange.RECYCLED;
        }
        if (after.hosting() != HostingMode.IN_PROCESS)
        {
            // what a worker host was started with: request slots and connections sized by the queue length, the
            // application path its workers are told, and (shared memory) the queue wait its workers enforce
            if (before.queueLength() != after.queueLength() ||
                !applicationPath(before).equals(applicationPath(after)) ||
                (after.hosting() == HostingMode.SHARED_MEMORY &&
                before.queueWaitTimeoutMs() != after.queueWaitTimeoutMs()))
            {
                return QueueChange.RECYCLED;
            }
        }
        if (!Objects.equals(before.worker(), after.worker()))
        {
            return hostReadsSame(before.worker(), after.worker()) ? QueueChange.WORKERS : QueueChange.RECYCLED;
        }
        return QueueChange.LIMITS;
    }

    /**
     * @return true when the worker settings the host itself reads (as opposed to its supervisor, which takes new
     * settings at a recycle) are the same: the process count, the request timeout, heartbeat timeout and start-up
     * limit it keeps the time of, and what a loopback host tells its workers of their connections.
     */
    private static boolean hostReadsSame(final WorkerConfiguration before, final WorkerConfiguration after)
    {
        return before.processes() == after.processes() &&
            before.requestTimeoutMs() == after.requestTimeoutMs() &&
            before.heartbeatTimeoutMs() == after.heartbeatTimeoutMs() &&
            before.startupTimeLimitMs() == after.startupTimeLimitMs() &&
            before.headerWaitMs() == after.headerWaitMs() &&
            before.idleConnectionMs() == after.idleConnectionMs() &&
            before.maxConnections() == after.maxConnections();
    }

    private static String applicationPath(final QueueConfiguration queue)
    {
        return UrlPrefix.parse(queue.prefixes().get(0)).path();
    }

    private static void logFile(
        final List<String> needsRestart, final String key, final Object running, final Object file)
    {
        if (!Objects.equals(running, file))
        {
            needsRestart.add(key + " (log files are opened at start)");
        }
    }

    private static void restartOnly(
        final List<String> needsRestart, final String key, final Object running, final Object file)
    {
        if (!Objects.equals(running, file))
        {
            needsRestart.add(key + " (running " + running + ", file " + file + ")");
        }
    }

    private static void schemeChanges(
        final List<String> needsRestart, final ListenerConfiguration current, final ListenerConfiguration file)
    {
        final Map<Integer, Boolean> running = portSchemes(current);
        final List<QueueConfiguration> queues = file.queues();
        final Map<Integer, Boolean> reported = new HashMap<>();
        for (int i = 0; i < queues.size(); i++)
        {
            final List<String> prefixes = queues.get(i).prefixes();
            for (int j = 0; j < prefixes.size(); j++)
            {
                final UrlPrefix prefix = UrlPrefix.parse(prefixes.get(j));
                final Boolean https = running.get(prefix.port());
                if (null != https && https != prefix.isHttps() && null == reported.put(prefix.port(), Boolean.TRUE))
                {
                    needsRestart.add(ConfigKeys.queuePrefix(i, j) + " (port " + prefix.port() + " running " +
                        scheme(https) + ", file " + scheme(prefix.isHttps()) + ")");
                }
            }
        }
    }

    /**
     * @param config a configuration.
     * @return for each port its prefixes name, true when it speaks TLS.
     */
    public static Map<Integer, Boolean> portSchemes(final ListenerConfiguration config)
    {
        final Map<Integer, Boolean> schemes = new LinkedHashMap<>();
        for (final QueueConfiguration queue : config.queues())
        {
            for (final String prefix : queue.prefixes())
            {
                final UrlPrefix parsed = UrlPrefix.parse(prefix);
                schemes.put(parsed.port(), parsed.isHttps());
            }
        }
        return schemes;
    }

    private static String scheme(final boolean https)
    {
        return https ? "https" : "http";
    }
}
