package io.sluice.listener.config;

import io.sluice.listener.queue.HostingMode;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the deployment file ({@code sluice.yaml}) into a {@link ListenerConfiguration}. The file is YAML read with
 * SnakeYAML's safe constructor into plain maps and lists (no type tags, no timestamps); each key is then mapped onto
 * the setter of its {@link ListenerContext}, {@link QueueContext} or {@link WorkerContext}, checking only what the
 * value is (text, integer, size, duration, path, list, mapping) and rejecting unknown keys at every level, and
 * {@link ListenerContext#conclude()} checks ranges and rules. Defaults are the records' {@code *_DEFAULT} constants.
 * Every failure is a {@link ConfigException} with one line that names the file, the key path and the value, e.g.
 * {@code sluice.yaml: queues[0].worker.processes: must be between 1 and 64 (was 0)}.
 * <p>
 * The format is documented, key by key with defaults, in {@code native-config/README.md}. Stateless and thread safe.
 */
public final class ConfigLoader
{
    private static final int MAX_CODE_POINTS = 1024 * 1024;
    private static final int MAX_ALIASES = 50;
    private static final int MAX_NESTING_DEPTH = 32;

    private ConfigLoader()
    {
    }

    /**
     * Read and check a deployment file. Relative paths in it resolve against the file's directory.
     *
     * @param file the file, e.g. {@code /etc/sluice/sluice.yaml}; named in messages as given.
     * @return the configuration.
     * @throws ConfigException when the file cannot be read or is not a valid configuration.
     */
    public static ListenerConfiguration load(final Path file)
    {
        final String source = file.toString();
        if (Files.isDirectory(file))
        {
            throw new ConfigException(source + ": is a directory, not a configuration file");
        }
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException(source + ": file not found", ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new ConfigException(source + ": permission denied", ex);
        }
        catch (final CharacterCodingException ex)
        {
            throw new ConfigException(source + ": not UTF-8 text", ex);
        }
        catch (final IOException ex)
        {
            throw new ConfigException(source + ": cannot read: " + ConfigValues.oneLine(String.valueOf(ex)), ex);
        }
        return parse(text, source, file.toAbsolutePath().getParent());
    }

    /**
     * Check a deployment file's text. Relative paths in it resolve against the working directory.
     *
     * @param yaml       the file's text.
     * @param sourceName name of the file in messages, e.g. {@code sluice.yaml}.
     * @return the configuration.
     * @throws ConfigException when the text is not a valid configuration.
     */
    public static ListenerConfiguration parse(final String yaml, final String sourceName)
    {
        return parse(yaml, sourceName, Path.of("").toAbsolutePath());
    }

    /**
     * Check a deployment file's text.
     *
     * @param yaml          the file's text.
     * @param sourceName    name of the file in messages, e.g. {@code sluice.yaml}.
     * @param baseDirectory directory relative paths ({@code shmDir}, {@code stdoutLog}) resolve against.
     * @return the configuration.
     * @throws ConfigException when the text is not a valid configuration.
     */
    public static ListenerConfiguration parse(final String yaml, final String sourceName, final Path baseDirectory)
    {
        final Object document = readYaml(yaml, sourceName);
        if (null == document)
        {
            throw new ConfigException(sourceName + ": is empty; expected a mapping with a 'queues' list");
        }
        if (!(document instanceof Map))
        {
            throw ConfigSection.error(
                sourceName, "", "must be a mapping with keys 'listener' and 'queues'", document);
        }

        final ConfigSection root = ConfigSection.of(sourceName, "", document);
        root.rejectUnknownKeys(YamlKeys.LISTENER, YamlKeys.QUEUES);
        final ListenerContext context = listener(root.section(YamlKeys.LISTENER), baseDirectory);

        root.require(YamlKeys.QUEUES);
        final List<?> elements = root.list(YamlKeys.QUEUES);
        if (elements.isEmpty())
        {
            throw ConfigSection.error(
                root.source(), YamlKeys.QUEUES, "must list at least one queue", root.raw(YamlKeys.QUEUES));
        }
        for (int i = 0; i < elements.size(); i++)
        {
            context.addQueue(queue(
                ConfigSection.of(root.source(), ConfigKeys.queue(i), elements.get(i)), baseDirectory));
        }
        return context.conclude();
    }

    private static ListenerContext listener(final ConfigSection listener, final Path baseDirectory)
    {
        listener.rejectUnknownKeys(
            YamlKeys.ID,
            YamlKeys.BIND,
            YamlKeys.EVENT_LOOPS,
            YamlKeys.SHM_DIR,
            YamlKeys.ADMIN_PORT,
            YamlKeys.ADMIN_BIND,
            YamlKeys.ADMIN_MAX_CONNECTIONS,
            YamlKeys.ADMIN_HEADER_WAIT,
            YamlKeys.ADMIN_IDLE_CONNECTION,
            YamlKeys.MAX_INITIAL_LINE_LENGTH,
            YamlKeys.MAX_REQUEST_BYTES,
            YamlKeys.MAX_HEADER_SIZE,
            YamlKeys.MAX_FIELD_LENGTH,
            YamlKeys.MAX_URL_LENGTH,
            YamlKeys.MAX_SEGMENT_LENGTH,
            YamlKeys.MAX_SEGMENT_COUNT,
            YamlKeys.MAX_REQUEST_BODY_SIZE,
            YamlKeys.MAX_CONNECTIONS,
            YamlKeys.MAX_PIPELINED_REQUESTS,
            YamlKeys.TIMEOUTS,
            YamlKeys.HTTP2,
            YamlKeys.TLS,
            YamlKeys.ACCESS_LOG,
            YamlKeys.ERROR_LOG);
        final ListenerContext context = new ListenerContext();
        context.origin().readFrom(listener);
        listener.string(YamlKeys.ID, context::id);
        listener.string(YamlKeys.BIND, context::bindAddress);
        listener.integer(YamlKeys.EVENT_LOOPS, context::eventLoops);
        listener.path(YamlKeys.SHM_DIR, baseDirectory, context::shmDir);
        listener.integer(YamlKeys.ADMIN_PORT, context::adminPort);
        listener.string(YamlKeys.ADMIN_BIND, context::adminBindAddress);
        listener.integer(YamlKeys.ADMIN_MAX_CONNECTIONS, context::adminMaxConnections);
        listener.durationMs(YamlKeys.ADMIN_HEADER_WAIT, context::adminHeaderWaitMs);
        listener.durationMs(YamlKeys.ADMIN_IDLE_CONNECTION, context::adminIdleConnectionMs);
        listener.size(YamlKeys.MAX_INITIAL_LINE_LENGTH, context::maxInitialLineLength);
        if (listener.contains(YamlKeys.MAX_HEADER_SIZE) && listener.contains(YamlKeys.MAX_REQUEST_BYTES))
        {
            throw ConfigSection.error(
                listener.source(),
                listener.pathOf(YamlKeys.MAX_HEADER_SIZE),
                "is the old name of " + YamlKeys.MAX_REQUEST_BYTES + "; write only " + YamlKeys.MAX_REQUEST_BYTES);
        }
        listener.size(YamlKeys.MAX_HEADER_SIZE, context::maxRequestBytes);
        listener.size(YamlKeys.MAX_REQUEST_BYTES, context::maxRequestBytes);
        listener.size(YamlKeys.MAX_FIELD_LENGTH, context::maxFieldLength);
        listener.size(YamlKeys.MAX_URL_LENGTH, context::maxUrlLength);
        listener.integer(YamlKeys.MAX_SEGMENT_LENGTH, context::maxSegmentLength);
        listener.integer(YamlKeys.MAX_SEGMENT_COUNT, context::maxSegmentCount);
        listener.size(YamlKeys.MAX_REQUEST_BODY_SIZE, context::maxRequestBodySize);
        listener.integer(YamlKeys.MAX_CONNECTIONS, context::maxConnections);
        listener.integer(YamlKeys.MAX_PIPELINED_REQUESTS, context::maxPipelinedRequests);

        final ConfigSection timeouts = listener.section(YamlKeys.TIMEOUTS);
        timeouts.rejectUnknownKeys(
            YamlKeys.HEADER_WAIT,
            YamlKeys.IDLE_CONNECTION,
            YamlKeys.ENTITY_BODY,
            YamlKeys.DRAIN_ENTITY_BODY,
            YamlKeys.QUEUE_WAIT,
            YamlKeys.MIN_SEND_RATE,
            YamlKeys.MIN_SEND_RATE_GRACE);
        context.timeoutsOrigin().readFrom(timeouts);
        timeouts.durationMs(YamlKeys.HEADER_WAIT, context::headerWaitMs);
        timeouts.durationMs(YamlKeys.IDLE_CONNECTION, context::idleConnectionMs);
        timeouts.durationMs(YamlKeys.ENTITY_BODY, context::entityBodyMs);
        timeouts.durationMs(YamlKeys.DRAIN_ENTITY_BODY, context::drainEntityBodyMs);
        timeouts.durationMs(YamlKeys.QUEUE_WAIT, context::queueWaitMs);
        timeouts.size(YamlKeys.MIN_SEND_RATE, context::minSendRate);
        timeouts.durationMs(YamlKeys.MIN_SEND_RATE_GRACE, context::minSendRateGraceMs);
        if (null != listener.raw(YamlKeys.HTTP2))
        {
            http2(listener.section(YamlKeys.HTTP2), context.http2());
        }
        if (null != listener.raw(YamlKeys.TLS))
        {
            context.tls(tls(listener.section(YamlKeys.TLS), baseDirectory));
        }
        if (listener.contains(YamlKeys.ACCESS_LOG))
        {
            context.accessLog(logFile(listener, YamlKeys.ACCESS_LOG, baseDirectory));
        }
        if (listener.contains(YamlKeys.ERROR_LOG))
        {
            context.errorLog(logFile(listener, YamlKeys.ERROR_LOG, baseDirectory));
        }
        return context;
    }

    /**
     * A log file key: {@code false} (none), a path (default rotation), or a mapping {@code {path, enabled,
     * rotate: {size, daily}}}.
     */
    private static LogFileConfiguration logFile(
        final ConfigSection parent, final String key, final Path baseDirectory)
    {
        final Object value = parent.raw(key);
        if (Boolean.FALSE.equals(value))
        {
            return LogFileConfiguration.OFF;
        }
        if (value instanceof String)
        {
            final Path[] path = new Path[1];
            parent.path(key, baseDirectory, (p) -> path[0] = p);
            return LogFileConfiguration.at(path[0]);
        }
        if (!(value instanceof Map))
        {
            throw ConfigSection.error(
                parent.source(), parent.pathOf(key), "must be false, a path, or a mapping with 'path'", value);
        }
        final ConfigSection section = parent.section(key);
        section.rejectUnknownKeys(YamlKeys.PATH, YamlKeys.ENABLED, YamlKeys.ROTATE);
        final boolean enabled = bool(section, YamlKeys.ENABLED, true);
        final Path[] path = new Path[1];
        section.path(YamlKeys.PATH, baseDirectory, (p) -> path[0] = p);
        if (enabled && null == path[0])
        {
            section.require(YamlKeys.PATH);
        }
        final ConfigSection rotate = section.section(YamlKeys.ROTATE);
        rotate.rejectUnknownKeys(YamlKeys.SIZE, YamlKeys.DAILY);
        final long[] size = {LogFileConfiguration.ROTATE_SIZE_DEFAULT};
        rotate.size(YamlKeys.SIZE, (n) -> size[0] = n);
        final boolean daily = bool(rotate, YamlKeys.DAILY, LogFileConfiguration.ROTATE_DAILY_DEFAULT);
        return enabled ? new LogFileConfiguration(true, path[0], size[0], daily) : LogFileConfiguration.OFF;
    }

    private static boolean bool(final ConfigSection section, final String key, final boolean defaultValue)
    {
        final Object value = section.raw(key);
        if (null == value)
        {
            return defaultValue;
        }
        if (!(value instanceof Boolean))
        {
            throw ConfigSection.error(section.source(), section.pathOf(key), "must be true or false", value);
        }
        return (Boolean)value;
    }

    private static void http2(final ConfigSection http2, final Http2Context context)
    {
        http2.rejectUnknownKeys(Http2Context.keys());
        context.origin().readFrom(http2);
        context.readFrom(http2);
    }

    private static TlsContext tls(final ConfigSection tls, final Path baseDirectory)
    {
        tls.rejectUnknownKeys(
            YamlKeys.CERTIFICATES,
            YamlKeys.PROTOCOLS,
            YamlKeys.CLIENT_CERTIFICATE,
            YamlKeys.CLIENT_CERTIFICATE_CA,
            YamlKeys.HANDSHAKE_TIMEOUT,
            YamlKeys.SELF_SIGNED_DIR,
            YamlKeys.ENGINE);
        final TlsContext context = new TlsContext();
        context.origin().readFrom(tls);
        final List<?> certificates = tls.list(YamlKeys.CERTIFICATES);
        for (int i = 0; i < certificates.size(); i++)
        {
            final ConfigSection certificate = ConfigSection.of(
                tls.source(), tls.pathOf(YamlKeys.CERTIFICATES) + "[" + i + "]", certificates.get(i));
            certificate.rejectUnknownKeys(YamlKeys.HOSTS, YamlKeys.CERTIFICATE, YamlKeys.KEY);
            final List<String> hosts = certificate.contains(YamlKeys.HOSTS) ?
                certificate.stringList(YamlKeys.HOSTS) : null;
            final String[] chain = new String[1];
            if (TlsConfiguration.SELF_SIGNED.equals(certificate.raw(YamlKeys.CERTIFICATE)))
            {
                chain[0] = TlsConfiguration.SELF_SIGNED;
            }
            else
            {
                certificate.path(YamlKeys.CERTIFICATE, baseDirectory, (path) -> chain[0] = path.toString());
            }
            final Path[] key = new Path[1];
            certificate.path(YamlKeys.KEY, baseDirectory, (path) -> key[0] = path);
            context.addCertificate(hosts, chain[0], key[0]);
            context.certificateOrigin(i).readFrom(certificate);
        }
        if (tls.contains(YamlKeys.PROTOCOLS))
        {
            context.protocols(tls.stringList(YamlKeys.PROTOCOLS));
        }
        tls.string(YamlKeys.CLIENT_CERTIFICATE, context::clientCertificate);
        tls.path(YamlKeys.CLIENT_CERTIFICATE_CA, baseDirectory, context::clientCertificateCa);
        tls.durationMs(YamlKeys.HANDSHAKE_TIMEOUT, context::handshakeTimeoutMs);
        tls.path(YamlKeys.SELF_SIGNED_DIR, baseDirectory, context::selfSignedDir);
        tls.string(YamlKeys.ENGINE, context::engine);
        return context;
    }

    private static QueueContext queue(final ConfigSection queue, final Path baseDirectory)
    {
        queue.rejectUnknownKeys(
            YamlKeys.NAME,
            YamlKeys.PREFIXES,
            YamlKeys.HOSTING,
            YamlKeys.HANDLER,
            YamlKeys.QUEUE_LENGTH,
            YamlKeys.RING_CAPACITY,
            YamlKeys.RESPONSE_WINDOW,
            YamlKeys.WORKER,
            YamlKeys.MAX_REQUEST_BODY_SIZE,
            YamlKeys.WEB_SOCKETS,
            YamlKeys.TIMEOUTS,
            YamlKeys.ACCESS_LOG,
            YamlKeys.OFFLINE_BODY,
            YamlKeys.OFFLINE_BODY_FILE);
        final QueueContext context = new QueueContext();
        context.origin().readFrom(queue);
        queue.string(YamlKeys.NAME, context::name);
        if (queue.contains(YamlKeys.PREFIXES))
        {
            context.prefixes(queue.stringList(YamlKeys.PREFIXES));
        }
        final HostingMode hosting = queue.contains(YamlKeys.HOSTING) ? hosting(queue) : null;
        if (null != hosting)
        {
            context.hosting(hosting);
        }
        // a key the hosting model does not take is an error whatever its value: its value is not read
        if (queue.contains(YamlKeys.WORKER) && QueueContext.takes(hosting, YamlKeys.WORKER))
        {
            context.worker(worker(queue.section(YamlKeys.WORKER), hosting, baseDirectory));
        }
        queue.string(YamlKeys.HANDLER, context::handler);
        queue.string(YamlKeys.OFFLINE_BODY, context::offlineBody);
        queue.path(YamlKeys.OFFLINE_BODY_FILE, baseDirectory, context::offlineBodyFile);
        queue.integer(YamlKeys.QUEUE_LENGTH, context::queueLength);
        if (QueueContext.takes(hosting, YamlKeys.RING_CAPACITY))
        {
            queue.size(YamlKeys.RING_CAPACITY, context::ringCapacity);
        }
        queue.size(YamlKeys.MAX_REQUEST_BODY_SIZE, context::maxRequestBodySize);
        if (QueueContext.takes(hosting, YamlKeys.RESPONSE_WINDOW))
        {
            queue.size(YamlKeys.RESPONSE_WINDOW, context::responseWindow);
        }

        if (queue.contains(YamlKeys.ACCESS_LOG) && !Boolean.TRUE.equals(queue.raw(YamlKeys.ACCESS_LOG)))
        {
            context.accessLog(logFile(queue, YamlKeys.ACCESS_LOG, baseDirectory));
        }
        queue.bool(YamlKeys.WEB_SOCKETS, context::webSockets);

        final ConfigSection timeouts = queue.section(YamlKeys.TIMEOUTS);
        timeouts.rejectUnknownKeys(YamlKeys.ENTITY_BODY, YamlKeys.QUEUE_WAIT, YamlKeys.TUNNEL_IDLE);
        context.timeoutsOrigin().readFrom(timeouts);
        timeouts.durationMs(YamlKeys.ENTITY_BODY, context::entityBodyTimeoutMs);
        timeouts.durationMs(YamlKeys.QUEUE_WAIT, context::queueWaitTimeoutMs);
        timeouts.durationMs(YamlKeys.TUNNEL_IDLE, context::tunnelIdleTimeoutMs);
        return context;
    }

    private static HostingMode hosting(final ConfigSection queue)
    {
        final Object value = queue.raw(YamlKeys.HOSTING);
        final HostingMode hosting = value instanceof String ? HostingMode.fromConfigName((String)value) : null;
        if (null == hosting)
        {
            final StringBuilder names = new StringBuilder();
            for (final HostingMode mode : HostingMode.values())
            {
                names.append(names.length() == 0 ? "" : ", ").append(mode.configName());
            }
            throw ConfigSection.error(
                queue.source(), queue.pathOf(YamlKeys.HOSTING), "must be one of " + names, value);
        }
        return hosting;
    }

    private static WorkerContext worker(
        final ConfigSection worker, final HostingMode hosting, final Path baseDirectory)
    {
        worker.rejectUnknownKeys(
            YamlKeys.COMMAND,
            YamlKeys.ENVIRONMENT,
            YamlKeys.PROCESSES,
            YamlKeys.STARTUP_TIME_LIMIT,
            YamlKeys.STARTUP_RETRY_COUNT,
            YamlKeys.RAPID_FAILS_PER_MINUTE,
            YamlKeys.SHUTDOWN_TIME_LIMIT,
            YamlKeys.REQUEST_TIMEOUT,
            YamlKeys.HEARTBEAT_TIMEOUT,
            YamlKeys.STDOUT_LOG,
            YamlKeys.HEADER_WAIT,
            YamlKeys.IDLE_CONNECTION,
            YamlKeys.MAX_CONNECTIONS,
            YamlKeys.ACTIVATION,
            YamlKeys.IDLE_TIMEOUT,
            YamlKeys.RECYCLE);
        final WorkerContext context = new WorkerContext();
        context.origin().readFrom(worker);
        if (worker.contains(YamlKeys.COMMAND))
        {
            context.command(worker.stringList(YamlKeys.COMMAND));
        }
        if (worker.contains(YamlKeys.ENVIRONMENT))
        {
            context.environment(worker.stringMap(YamlKeys.ENVIRONMENT));
        }
        worker.integer(YamlKeys.PROCESSES, context::processes);
        worker.durationMs(YamlKeys.STARTUP_TIME_LIMIT, context::startupTimeLimitMs);
        worker.integer(YamlKeys.STARTUP_RETRY_COUNT, context::startupRetryCount);
        worker.integer(YamlKeys.RAPID_FAILS_PER_MINUTE, context::rapidFailsPerMinute);
        worker.durationMs(YamlKeys.SHUTDOWN_TIME_LIMIT, context::shutdownTimeLimitMs);
        worker.durationMs(YamlKeys.REQUEST_TIMEOUT, context::requestTimeoutMs);
        if (WorkerContext.takes(hosting, YamlKeys.HEARTBEAT_TIMEOUT))
        {
            worker.durationMs(YamlKeys.HEARTBEAT_TIMEOUT, context::heartbeatTimeoutMs);
        }
        worker.path(YamlKeys.STDOUT_LOG, baseDirectory, context::stdoutLog);
        worker.string(YamlKeys.ACTIVATION, context::activation);
        worker.durationMs(YamlKeys.IDLE_TIMEOUT, context::idleTimeoutMs);
        if (worker.contains(YamlKeys.RECYCLE))
        {
            final ConfigSection recycle = worker.section(YamlKeys.RECYCLE);
            recycle.rejectUnknownKeys(YamlKeys.RECYCLE_TIME, YamlKeys.RECYCLE_REQUESTS, YamlKeys.RECYCLE_MEMORY);
            recycle.durationMs(YamlKeys.RECYCLE_TIME, context::recycleTimeMs);
            recycle.integer(YamlKeys.RECYCLE_REQUESTS, context::recycleRequests);
            recycle.size(YamlKeys.RECYCLE_MEMORY, context::recycleMemoryBytes);
        }
        if (WorkerContext.takes(hosting, YamlKeys.HEADER_WAIT))
        {
            worker.durationMs(YamlKeys.HEADER_WAIT, context::headerWaitMs);
            worker.durationMs(YamlKeys.IDLE_CONNECTION, context::idleConnectionMs);
            worker.integer(YamlKeys.MAX_CONNECTIONS, context::maxConnections);
        }
        return context;
    }

    private static Object readYaml(final String yaml, final String sourceName)
    {
        final LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING_DEPTH);
        options.setCodePointLimit(MAX_CODE_POINTS);
        try
        {
            return new Yaml(new PlainConstructor(options)).load(yaml);
        }
        catch (final MarkedYAMLException ex)
        {
            final Mark mark = null != ex.getProblemMark() ? ex.getProblemMark() : ex.getContextMark();
            final String problem = null == ex.getProblem() ? ex.getContext() :
                null != ex.getContext() && ex.getProblem().startsWith("but ") ?
                ex.getContext() + ", " + ex.getProblem() : ex.getProblem();
            final String where = null == mark ? "" : ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
            throw new ConfigException(
                sourceName + where + ": invalid YAML: " + ConfigValues.oneLine(String.valueOf(problem)), ex);
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(
                sourceName + ": invalid YAML: " + ConfigValues.oneLine(String.valueOf(ex.getMessage())), ex);
        }
    }

    /**
     * SnakeYAML's safe constructor, except that timestamps stay text: the file has no dates, and a value such as
     * {@code 2024-01-01} must not silently become one.
     */
    private static final class PlainConstructor extends SafeConstructor
    {
        PlainConstructor(final LoaderOptions options)
        {
            super(options);
            this.yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
        }
    }
}
