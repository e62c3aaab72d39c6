package io.sluice.listener.config;

import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.routing.UrlPrefix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Settings of one request queue ({@code queues[i]}) as set, before they are checked: every field starts at its
 * {@link QueueConfiguration} {@code *_DEFAULT} (or, for the body limit and the two timers, at the listener's value);
 * fluent setters take any value; {@link ListenerContext#conclude()} concludes it, which checks ranges, the keys of one
 * hosting model and the rules across queues, and yields the immutable {@link QueueConfiguration}.
 * <p>
 * Not thread-safe; set up and concluded on one thread.
 */
public final class QueueContext
{
    private final SettingOrigin origin = new SettingOrigin();
    private final SettingOrigin timeoutsOrigin = new SettingOrigin();
    private String name;
    private List<String> prefixes = List.of();
    private HostingMode hosting;
    private String handler;
    private long queueLength = QueueConfiguration.QUEUE_LENGTH_DEFAULT;
    private long ringCapacity = QueueConfiguration.RING_CAPACITY_DEFAULT;
    private long responseWindow = QueueConfiguration.RESPONSE_WINDOW_DEFAULT;
    private long maxRequestBodySize;
    private long entityBodyTimeoutMs;
    private long queueWaitTimeoutMs;
    private boolean webSockets = QueueConfiguration.WEB_SOCKETS_DEFAULT;
    private long tunnelIdleTimeoutMs = QueueConfiguration.TUNNEL_IDLE_MS_DEFAULT;
    private WorkerContext worker;
    private LogFileConfiguration accessLog;
    private String offlineBody;
    private Path offlineBodyFile;

    /**
     * @param name unique queue name, 1 to 32 characters of {@code A-Z a-z 0-9 _ -}; required.
     * @return this.
     */
    public QueueContext name(final String name)
    {
        this.name = name;
        origin.set(YamlKeys.NAME);
        return this;
    }

    /**
     * @param prefixes URL prefixes as written, at least one, none listed by another queue; required.
     * @return this.
     */
    public QueueContext prefixes(final List<String> prefixes)
    {
        this.prefixes = prefixes;
        origin.set(YamlKeys.PREFIXES);
        return this;
    }

    /**
     * @param hosting hosting model; required.
     * @return this.
     */
    public QueueContext hosting(final HostingMode hosting)
    {
        this.hosting = hosting;
        origin.set(YamlKeys.HOSTING);
        return this;
    }

    /**
     * @param handler class name of the handler; required unless the worker has a command of its own.
     * @return this.
     */
    public QueueContext handler(final String handler)
    {
        this.handler = handler;
        origin.set(YamlKeys.HANDLER);
        return this;
    }

    /**
     * @param queueLength most requests admitted and not yet answered, 1 to
     *                    {@value QueueConfiguration#QUEUE_LENGTH_MAX}.
     * @return this.
     */
    public QueueContext queueLength(final long queueLength)
    {
        this.queueLength = queueLength;
        origin.set(YamlKeys.QUEUE_LENGTH);
        return this;
    }

    /**
     * @param ringCapacity shared-memory only: bytes of each ring, a power of two from
     *                     {@link QueueConfiguration#RING_CAPACITY_MIN} to {@link QueueConfiguration#RING_CAPACITY_MAX}.
     * @return this.
     */
    public QueueContext ringCapacity(final long ringCapacity)
    {
        this.ringCapacity = ringCapacity;
        origin.set(YamlKeys.RING_CAPACITY);
        return this;
    }

    /**
     * @param responseWindow shared-memory only: response credit in bytes, from
     *                       {@link MessageDescriptor#RESPONSE_WINDOW_MIN} to
     *                       {@link MessageDescriptor#RESPONSE_WINDOW_MAX}.
     * @return this.
     */
    public QueueContext responseWindow(final long responseWindow)
    {
        this.responseWindow = responseWindow;
        origin.set(YamlKeys.RESPONSE_WINDOW);
        return this;
    }

    /**
     * @param maxRequestBodySize this queue's body limit in bytes, at most the listener's; the listener's when not set.
     * @return this.
     */
    public QueueContext maxRequestBodySize(final long maxRequestBodySize)
    {
        this.maxRequestBodySize = maxRequestBodySize;
        origin.set(YamlKeys.MAX_REQUEST_BODY_SIZE);
        return this;
    }

    /**
     * @param entityBodyTimeoutMs this queue's entity body timer, 0 (never) to 24 h; the listener's when not set.
     * @return this.
     */
    public QueueContext entityBodyTimeoutMs(final long entityBodyTimeoutMs)
    {
        this.entityBodyTimeoutMs = entityBodyTimeoutMs;
        timeoutsOrigin.set(YamlKeys.ENTITY_BODY);
        return this;
    }

    /**
     * @param queueWaitTimeoutMs this queue's time-in-queue timer, 0 (never) to 24 h; the listener's when not set.
     * @return this.
     */
    public QueueContext queueWaitTimeoutMs(final long queueWaitTimeoutMs)
    {
        this.queueWaitTimeoutMs = queueWaitTimeoutMs;
        timeoutsOrigin.set(YamlKeys.QUEUE_WAIT);
        return this;
    }

    /**
     * @param webSockets whether the queue's handler may answer an upgrade request {@code 101 Switching Protocols}
     *                   (IIS {@code webSocket enabled}); default true.
     * @return this.
     */
    public QueueContext webSockets(final boolean webSockets)
    {
        this.webSockets = webSockets;
        origin.set(YamlKeys.WEB_SOCKETS);
        return this;
    }

    /**
     * @param tunnelIdleTimeoutMs longest time an upgraded connection may carry nothing either way before it is
     *                            closed, 0 (never) to 24 h; default {@link QueueConfiguration#TUNNEL_IDLE_MS_DEFAULT}.
     * @return this.
     */
    public QueueContext tunnelIdleTimeoutMs(final long tunnelIdleTimeoutMs)
    {
        this.tunnelIdleTimeoutMs = tunnelIdleTimeoutMs;
        timeoutsOrigin.set(YamlKeys.TUNNEL_IDLE);
        return this;
    }

    /**
     * @param worker worker process settings; only for queues hosted out of process, which otherwise take the defaults.
     * @return this.
     */
    public QueueContext worker(final WorkerContext worker)
    {
        this.worker = worker;
        origin.set(YamlKeys.WORKER);
        return this;
    }

    /**
     * Whether a queue of a hosting model takes a key: {@code ringCapacity} and {@code responseWindow} only in shared
     * memory, {@code worker} only out of process. A key a queue does not take is an error when written, whatever its
     * value, so the loader does not read its value.
     *
     * @param hosting the queue's hosting model, or null when not known.
     * @param key     a key of a queue.
     * @return true when the key may be written.
     */
    static boolean takes(final HostingMode hosting, final String key)
    {
        switch (key)
        {
            case YamlKeys.RING_CAPACITY:
            case YamlKeys.RESPONSE_WINDOW:
                return hosting == HostingMode.SHARED_MEMORY;

            case YamlKeys.WORKER:
                return null != hosting && hosting.isOutOfProcess();

            default:
                return true;
        }
    }

    SettingOrigin origin()
    {
        return origin;
    }

    SettingOrigin timeoutsOrigin()
    {
        return timeoutsOrigin;
    }

    /**
     * Check every setting, in file order, and the rules across queues: names and prefixes are unique.
     *
     * @param path        key path of this queue, {@code queues[i]}, when not read from a file.
     * @param listenerMaxRequestBodySize the listener's body limit: this queue's default and greatest.
     * @param timeouts    the listener's timers, whose entity body and time-in-queue timers this queue defaults to.
     * @param namePaths   queue names seen so far, each with its key path; this queue's is added.
     * @param prefixPaths prefixes seen so far, each with its key path; this queue's are added.
     * @return the queue settings.
     * @throws ConfigException naming the first key at fault.
     */
    QueueConfiguration conclude(
        final String path,
        final long listenerMaxRequestBodySize,
        final TimeoutsConfiguration timeouts,
        final Map<String, String> namePaths,
        final Map<UrlPrefix, String> prefixPaths)
    {
        origin.at(path);
        timeoutsOrigin.at(origin.pathOf(YamlKeys.TIMEOUTS));
        origin.required(YamlKeys.NAME, name);
        if (!ConfigValues.isName(name))
        {
            throw origin.error(YamlKeys.NAME, ListenerContext.NAME_RULE, name);
        }
        final String otherName = namePaths.putIfAbsent(name, origin.pathOf(YamlKeys.NAME));
        if (null != otherName)
        {
            throw origin.errorNaming(YamlKeys.NAME, "duplicate queue name, also used by " + otherName, name);
        }
        checkPrefixes(prefixPaths);
        if (null == hosting)
        {
            throw origin.error(YamlKeys.HOSTING, "missing required key");
        }

        final WorkerConfiguration workerConfig = concludeWorker();
        final boolean customCommand = null != worker && worker.hasCustomCommand();
        final String handlerName = customCommand ? handler : origin.required(YamlKeys.HANDLER, handler);
        if (null != handlerName && !ConfigValues.isClassName(handlerName))
        {
            throw origin.error(
                YamlKeys.HANDLER, "must be a Java class name such as io.sluice.dispatch.sample.SampleHandler", handler);
        }
        return new QueueConfiguration(
            name,
            Collections.unmodifiableList(new ArrayList<>(prefixes)),
            hosting,
            handlerName,
            origin.between(YamlKeys.QUEUE_LENGTH, queueLength, 1, QueueConfiguration.QUEUE_LENGTH_MAX),
            ringCapacity(),
            workerConfig,
            concludeMaxRequestBodySize(listenerMaxRequestBodySize),
            timeoutsOrigin.isSet(YamlKeys.ENTITY_BODY) ? timeoutsOrigin.durationMs(
                YamlKeys.ENTITY_BODY, entityBodyTimeoutMs, 0, ListenerContext.TIMEOUT_MS_MAX) : timeouts.entityBodyMs(),
            timeoutsOrigin.isSet(YamlKeys.QUEUE_WAIT) ? timeoutsOrigin.durationMs(
                YamlKeys.QUEUE_WAIT, queueWaitTimeoutMs, 0, ListenerContext.TIMEOUT_MS_MAX) : timeouts.queueWaitMs(),
            responseWindow(),
            accessLog,
            webSockets,
            timeoutsOrigin.durationMs(YamlKeys.TUNNEL_IDLE, tunnelIdleTimeoutMs, 0, ListenerContext.TIMEOUT_MS_MAX),
            offlinePage());
    }

    private OfflinePage offlinePage()
    {
        if (null != offlineBody && null != offlineBodyFile)
        {
            throw origin.error(
                YamlKeys.OFFLINE_BODY_FILE, "set " + YamlKeys.OFFLINE_BODY + " or " + YamlKeys.OFFLINE_BODY_FILE +
                ", not both");
        }
        if (null != offlineBody)
        {
            return OfflinePage.ofText(offlineBody);
        }
        if (null == offlineBodyFile)
        {
            return null;
        }
        try
        {
            return OfflinePage.ofFile(offlineBodyFile);
        }
        catch (final IOException ex)
        {
            throw origin.error(YamlKeys.OFFLINE_BODY_FILE, "cannot read " + offlineBodyFile + ": " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw origin.error(YamlKeys.OFFLINE_BODY_FILE, ex.getMessage(), offlineBodyFile.toString());
        }
    }

    /**
     * @param offlineBody the body of the 503 the queue answers while offline (HTML when it starts with {@code <}).
     * @return this.
     */
    public QueueContext offlineBody(final String offlineBody)
    {
        this.offlineBody = offlineBody;
        origin.set(YamlKeys.OFFLINE_BODY);
        return this;
    }

    /**
     * @param offlineBodyFile a file holding the body of the 503 the queue answers while offline, read when the
     *                        configuration is concluded (HTML when it is named {@code .htm} or {@code .html}).
     * @return this.
     */
    public QueueContext offlineBodyFile(final Path offlineBodyFile)
    {
        this.offlineBodyFile = offlineBodyFile;
        origin.set(YamlKeys.OFFLINE_BODY_FILE);
        return this;
    }

    /**
     * @param accessLog the queue's own access log ({@link LogFileConfiguration#OFF}: none), or null (the default)
     *                  for the listener's.
     * @return this.
     */
    public QueueContext accessLog(final LogFileConfiguration accessLog)
    {
        this.accessLog = accessLog;
        return this;
    }

    private void checkPrefixes(final Map<UrlPrefix, String> prefixPaths)
    {
        if (!origin.isWritten(YamlKeys.PREFIXES))
        {
            throw origin.error(YamlKeys.PREFIXES, "missing required key");
        }
        if (prefixes.isEmpty())
        {
            throw origin.error(YamlKeys.PREFIXES, "must list at least one URL prefix", prefixes);
        }
        for (int i = 0; i < prefixes.size(); i++)
        {
            final String text = prefixes.get(i);
            final String key = YamlKeys.PREFIXES + "[" + i + "]";
            final UrlPrefix prefix;
            try
            {
                prefix = UrlPrefix.parse(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw origin.errorNaming(key, withoutValue(ex.getMessage(), text), text);
            }
            final String otherPath = prefixPaths.putIfAbsent(prefix, origin.pathOf(key));
            if (null != otherPath)
            {
                throw origin.errorNaming(key, "prefix " + prefix + " is already listed at " + otherPath, text);
            }
        }
    }

    private static String withoutValue(final String message, final String value)
    {
        final String problem = String.valueOf(message);
        final String suffix = ": " + value;
        return ConfigValues.oneLine(
            problem.endsWith(suffix) ? problem.substring(0, problem.length() - suffix.length()) : problem);
    }

    private WorkerConfiguration concludeWorker()
    {
        if (!takes(hosting, YamlKeys.WORKER))
        {
            if (origin.isWritten(YamlKeys.WORKER))
            {
                throw origin.error(
                    YamlKeys.WORKER,
                    "only allowed when hosting is " + HostingMode.SHARED_MEMORY.configName() + " or " +
                    HostingMode.LOOPBACK_FORWARD.configName() + " (hosting is " + hosting.configName() + ")");
            }
            return null;
        }
        if (null == worker)
        {
            worker = new WorkerContext();
        }
        return worker.conclude(origin.pathOf(YamlKeys.WORKER), hosting);
    }

    private int ringCapacity()
    {
        if (!sharedMemoryOnly(YamlKeys.RING_CAPACITY))
        {
            return QueueConfiguration.RING_CAPACITY_NONE;
        }
        if (ringCapacity < QueueConfiguration.RING_CAPACITY_MIN ||
            ringCapacity > QueueConfiguration.RING_CAPACITY_MAX ||
            Long.bitCount(ringCapacity) != 1)
        {
            throw origin.error(
                YamlKeys.RING_CAPACITY,
                "must be a power of two between " + ConfigValues.formatSize(QueueConfiguration.RING_CAPACITY_MIN) +
                " and " + ConfigValues.formatSize(QueueConfiguration.RING_CAPACITY_MAX),
                ringCapacity);
        }
        return (int)ringCapacity;
    }

    private int responseWindow()
    {
        if (!sharedMemoryOnly(YamlKeys.RESPONSE_WINDOW))
        {
            return QueueConfiguration.RESPONSE_WINDOW_NONE;
        }
        if (responseWindow < MessageDescriptor.RESPONSE_WINDOW_MIN ||
            responseWindow > MessageDescriptor.RESPONSE_WINDOW_MAX)
        {
            throw origin.error(
                YamlKeys.RESPONSE_WINDOW,
                "must be between " + ConfigValues.formatSize(MessageDescriptor.RESPONSE_WINDOW_MIN) +
                " and " + ConfigValues.formatSize(MessageDescriptor.RESPONSE_WINDOW_MAX),
                responseWindow);
        }
        return (int)responseWindow;
    }

    private boolean sharedMemoryOnly(final String key)
    {
        if (!takes(hosting, key))
        {
            if (origin.isWritten(key))
            {
                throw origin.error(
                    key,
                    "only allowed when hosting is " + HostingMode.SHARED_MEMORY.configName() +
                    " (hosting is " + hosting.configName() + ")");
            }
            return false;
        }
        return true;
    }

    private long concludeMaxRequestBodySize(final long listenerMaxRequestBodySize)
    {
        if (!origin.isSet(YamlKeys.MAX_REQUEST_BODY_SIZE))
        {
            return listenerMaxRequestBodySize;
        }
        final long size = origin.intSize(YamlKeys.MAX_REQUEST_BODY_SIZE, maxRequestBodySize, 0);
        if (size > listenerMaxRequestBodySize)
        {
            throw origin.error(
                YamlKeys.MAX_REQUEST_BODY_SIZE,
                "must be at most " + YamlKeys.LISTENER + "." + YamlKeys.MAX_REQUEST_BODY_SIZE +
                " (" + listenerMaxRequestBodySize + ")",
                size);
        }
        return size;
    }
}
