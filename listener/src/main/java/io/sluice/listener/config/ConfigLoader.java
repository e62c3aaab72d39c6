package io.sluice.listener.config;

import io.netty.util.NetUtil;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.routing.UrlPrefix;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the deployment file ({@code sluice.yaml}) into a {@link ListenerConfiguration}. The file is YAML read with
 * SnakeYAML's safe constructor into plain maps and lists (no type tags, no timestamps), then checked key by key: every
 * key has the default of the records' {@code *_DEFAULT} constants, unknown keys are errors at every level, and every
 * failure is a {@link ConfigException} with one line that names the file, the key path and the value, e.g.
 * {@code sluice.yaml: queues[0].worker.processes: must be between 1 and 64 (was 0)}.
 * <p>
 * The format is documented, key by key with defaults, in {@code native-config/README.md}. Stateless and thread safe.
 */
public final class ConfigLoader
{
    // Longest listener id; also the longest queue name.
    private static final int MAX_NAME_LENGTH = 32;

    // Greatest number of event loops.
    private static final int MAX_EVENT_LOOPS = 256;
    /**
     * Longest path a Unix domain socket can be bound to on Linux: {@code sun_path} is 108 bytes with its NUL.
     */
    private static final int MAX_UNIX_SOCKET_PATH_LENGTH = 107;

    // Least value of maxInitialLineLength, maxRequestBytes and maxFieldLength, in bytes.
    private static final int MIN_HTTP_LIMIT_LENGTH = 64;

    // Greatest connection timer and send-rate window: 24 h.
    private static final long MAX_TIMEOUT_MS = 24L * 3_600_000;

    // Greatest value of maxPipelinedRequests.
    private static final int MAX_PIPELINED_REQUESTS = 65_536;

    // Greatest startup and shutdown time limit: 24 h.
    private static final long MAX_TIME_LIMIT_MS = 24L * 3_600_000;

    // Greatest startupRetryCount.
    private static final int MAX_STARTUP_RETRY_COUNT = 100;

    // Greatest rapidFailsPerMinute.
    private static final int MAX_RAPID_FAILS_PER_MINUTE = 1000;

    // Prefix of the environment variables the listener sets for its workers; a queue may not set them.
    private static final String RESERVED_ENVIRONMENT_PREFIX = "SLUICE_";

    private static final int MAX_PORT = 65_535;
    private static final int MAX_CODE_POINTS = 1024 * 1024;
    private static final int MAX_ALIASES = 50;
    private static final int MAX_NESTING_DEPTH = 32;
    private static final Pattern HOST_NAME = Pattern.compile(
        "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private static final String LISTENER = "listener";
    private static final String QUEUES = "queues";
    private static final String ID = "id";
    private static final String BIND = "bind";
    private static final String EVENT_LOOPS = "eventLoops";
    private static final String SHM_DIR = "shmDir";
    private static final String ADMIN_PORT = "adminPort";
    private static final String ADMIN_BIND = "adminBind";
    private static final String ADMIN_MAX_CONNECTIONS = "adminMaxConnections";
    private static final String ADMIN_HEADER_WAIT = "adminHeaderWait";
    private static final String ADMIN_IDLE_CONNECTION = "adminIdleConnection";
    private static final String MAX_INITIAL_LINE_LENGTH = "maxInitialLineLength";
    private static final String MAX_REQUEST_BYTES = "maxRequestBytes";
    // The old name of maxRequestBytes, still accepted.
    private static final String MAX_HEADER_SIZE = "maxHeaderSize";
    private static final String MAX_FIELD_LENGTH = "maxFieldLength";
    private static final String MAX_URL_LENGTH = "maxUrlLength";
    private static final String MAX_SEGMENT_LENGTH = "maxSegmentLength";
    private static final String MAX_SEGMENT_COUNT = "maxSegmentCount";
    private static final String MAX_REQUEST_BODY_SIZE = "maxRequestBodySize";
    private static final String MAX_CONNECTIONS = "maxConnections";
    private static final String TIMEOUTS = "timeouts";
    private static final String HEADER_WAIT = "headerWait";
    private static final String IDLE_CONNECTION = "idleConnection";
    private static final String ENTITY_BODY = "entityBody";
    private static final String DRAIN_ENTITY_BODY = "drainEntityBody";
    private static final String QUEUE_WAIT = "queueWait";
    private static final String MIN_SEND_RATE = "minSendRate";
    private static final String MIN_SEND_RATE_GRACE = "minSendRateGrace";
    private static final String MAX_PIPELINED = "maxPipelinedRequests";
    private static final String NAME = "name";
    private static final String PREFIXES = "prefixes";
    private static final String HOSTING = "hosting";
    private static final String HANDLER = "handler";
    private static final String QUEUE_LENGTH = "queueLength";
    private static final String RING_CAPACITY = "ringCapacity";
    private static final String RESPONSE_WINDOW = "responseWindow";
    private static final String WORKER = "worker";
    private static final String COMMAND = "command";
    private static final String ENVIRONMENT = "environment";
    private static final String PROCESSES = "processes";
    private static final String STARTUP_TIME_LIMIT = "startupTimeLimit";
    private static final String STARTUP_RETRY_COUNT = "startupRetryCount";
    private static final String RAPID_FAILS_PER_MINUTE = "rapidFailsPerMinute";
    private static final String SHUTDOWN_TIME_LIMIT = "shutdownTimeLimit";
    private static final String REQUEST_TIMEOUT = "requestTimeout";
    private static final String HEARTBEAT_TIMEOUT = "heartbeatTimeout";
    private static final String STDOUT_LOG = "stdoutLog";

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
        root.rejectUnknownKeys(LISTENER, QUEUES);
        final ConfigSection listener = root.section(LISTENER);
        listener.rejectUnknownKeys(
            ID,
            BIND,
            EVENT_LOOPS,
            SHM_DIR,
            ADMIN_PORT,
            ADMIN_BIND,
            ADMIN_MAX_CONNECTIONS,
            ADMIN_HEADER_WAIT,
            ADMIN_IDLE_CONNECTION,
            MAX_INITIAL_LINE_LENGTH,
            MAX_REQUEST_BYTES,
            MAX_HEADER_SIZE,
            MAX_FIELD_LENGTH,
            MAX_URL_LENGTH,
            MAX_SEGMENT_LENGTH,
            MAX_SEGMENT_COUNT,
            MAX_REQUEST_BODY_SIZE,
            MAX_CONNECTIONS,
            MAX_PIPELINED,
            TIMEOUTS);

        final String id = name(listener, ID, ListenerConfiguration.ID_DEFAULT);
        final String bindAddress = bindAddress(listener, BIND, ListenerConfiguration.BIND_ADDRESS_DEFAULT);
        final int eventLoops = listener.integer(
            EVENT_LOOPS, ListenerConfiguration.EVENT_LOOPS_DEFAULT, 1, MAX_EVENT_LOOPS);
        final Path shmDir = listener.path(SHM_DIR, baseDirectory);
        final int adminPort = listener.integer(ADMIN_PORT, ListenerConfiguration.ADMIN_PORT_DEFAULT, 0, MAX_PORT);
        final int maxInitialLineLength = listener.intSize(
            MAX_INITIAL_LINE_LENGTH, ListenerConfiguration.MAX_INITIAL_LINE_LENGTH_DEFAULT, MIN_HTTP_LIMIT_LENGTH);
        final int maxRequestBytes = maxRequestBytes(listener);
        final int maxFieldLength = listener.intSize(
            MAX_FIELD_LENGTH, ListenerConfiguration.MAX_FIELD_LENGTH_DEFAULT, MIN_HTTP_LIMIT_LENGTH);
        final int maxUrlLength = listener.intSize(MAX_URL_LENGTH, ListenerConfiguration.MAX_URL_LENGTH_DEFAULT, 1);
        final int maxSegmentLength = listener.integer(
            MAX_SEGMENT_LENGTH, ListenerConfiguration.MAX_SEGMENT_LENGTH_DEFAULT, 1, Integer.MAX_VALUE);
        final int maxSegmentCount = listener.integer(
            MAX_SEGMENT_COUNT, ListenerConfiguration.MAX_SEGMENT_COUNT_DEFAULT, 1, Integer.MAX_VALUE);
        final long maxRequestBodySize = listener.intSize(
            MAX_REQUEST_BODY_SIZE, (int)ListenerConfiguration.MAX_REQUEST_BODY_SIZE_DEFAULT, 0);
        final int maxConnections = listener.integer(
            MAX_CONNECTIONS, ListenerConfiguration.MAX_CONNECTIONS_DEFAULT, 0, Integer.MAX_VALUE);
        final int maxPipelinedRequests = listener.integer(
            MAX_PIPELINED, ListenerConfiguration.MAX_PIPELINED_REQUESTS_DEFAULT, 1, MAX_PIPELINED_REQUESTS);
        final TimeoutsConfiguration timeouts = timeouts(listener.section(TIMEOUTS));
        final AdminConfiguration admin = new AdminConfiguration(
            bindAddress(listener, ADMIN_BIND, AdminConfiguration.BIND_ADDRESS_DEFAULT),
            listener.integer(
                ADMIN_MAX_CONNECTIONS, AdminConfiguration.MAX_CONNECTIONS_DEFAULT, 1,
                AdminConfiguration.MAX_CONNECTIONS_MAX),
            listener.durationMs(ADMIN_HEADER_WAIT, AdminConfiguration.HEADER_WAIT_MS_DEFAULT, 0, MAX_TIMEOUT_MS),
            listener.durationMs(
                ADMIN_IDLE_CONNECTION, AdminConfiguration.IDLE_CONNECTION_MS_DEFAULT, 0, MAX_TIMEOUT_MS));

        final List<QueueConfiguration> queues = queues(root, baseDirectory, maxRequestBodySize, timeouts);
        checkAdminPort(listener, adminPort, queues);
        final Path queueDir = null == shmDir ? ListenerConfiguration.shmDirDefault(id) : shmDir;
        checkSharedMemory(listener, eventLoops, queueDir, queues);

        return new ListenerConfiguration(
            id,
            bindAddress,
            eventLoops,
            queueDir,
            adminPort,
            maxInitialLineLength,
            maxRequestBytes,
            maxFieldLength,
            maxUrlLength,
            maxSegmentLength,
            maxSegmentCount,
            maxRequestBodySize,
            maxConnections,
            maxPipelinedRequests,
            timeouts,
            queues,
            admin);
    }

    private static int maxRequestBytes(final ConfigSection listener)
    {
        if (listener.contains(MAX_HEADER_SIZE) && listener.contains(MAX_REQUEST_BYTES))
        {
            throw ConfigSection.error(
                listener.source(),
                listener.pathOf(MAX_HEADER_SIZE),
                "is the old name of " + MAX_REQUEST_BYTES + "; write only " + MAX_REQUEST_BYTES);
        }
        return listener.intSize(
            listener.contains(MAX_HEADER_SIZE) ? MAX_HEADER_SIZE : MAX_REQUEST_BYTES,
            ListenerConfiguration.MAX_REQUEST_BYTES_DEFAULT,
            MIN_HTTP_LIMIT_LENGTH);
    }

    /**
     * What shared-memory queues need of the listener: one event loop (a queue's rings and doorbells belong to one),
     * and a directory short enough that each worker's doorbell socket path fits a Unix socket address.
     */
    private static void checkSharedMemory(
        final ConfigSection listener, final int eventLoops, final Path shmDir, final List<QueueConfiguration> queues)
    {
        for (int i = 0; i < queues.size(); i++)
        {
            final QueueConfiguration queue = queues.get(i);
            if (queue.hosting() != HostingMode.SHARED_MEMORY)
            {
                continue;
            }
            if (1 != eventLoops)
            {
                throw ConfigSection.error(
                    listener.source(),
                    listener.pathOf(EVENT_LOOPS),
                    "must be 1 while a queue is hosted in shared memory (" + QUEUES + "[" + i + "] is)",
                    eventLoops);
            }
            final String doorbell = shmDir
                .resolve(SharedMemoryFiles.workerDirectoryName(queue.name(), queue.worker().processes() - 1))
                .resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME)
                .toString();
            final int length = doorbell.getBytes(StandardCharsets.UTF_8).length;
            if (length > MAX_UNIX_SOCKET_PATH_LENGTH)
            {
                throw ConfigSection.error(
                    listener.source(),
                    listener.pathOf(SHM_DIR),
                    "is too long for queue " + queue.name() + ": its doorbell socket " + doorbell + " would be " +
                    length + " bytes, and a Unix socket path holds at most " + MAX_UNIX_SOCKET_PATH_LENGTH,
                    shmDir.toString());
            }
        }
    }

    private static TimeoutsConfiguration timeouts(final ConfigSection timeouts)
    {
        timeouts.rejectUnknownKeys(
            HEADER_WAIT,
            IDLE_CONNECTION,
            ENTITY_BODY,
            DRAIN_ENTITY_BODY,
            QUEUE_WAIT,
            MIN_SEND_RATE,
            MIN_SEND_RATE_GRACE);
        return new TimeoutsConfiguration(
            timeouts.durationMs(HEADER_WAIT, TimeoutsConfiguration.HEADER_WAIT_MS_DEFAULT, 0, MAX_TIMEOUT_MS),
            timeouts.durationMs(IDLE_CONNECTION, TimeoutsConfiguration.IDLE_CONNECTION_MS_DEFAULT, 0, MAX_TIMEOUT_MS),
            timeouts.durationMs(ENTITY_BODY, TimeoutsConfiguration.ENTITY_BODY_MS_DEFAULT, 0, MAX_TIMEOUT_MS),
            timeouts.durationMs(
                DRAIN_ENTITY_BODY, TimeoutsConfiguration.DRAIN_ENTITY_BODY_MS_DEFAULT, 0, MAX_TIMEOUT_MS),
            timeouts.durationMs(QUEUE_WAIT, TimeoutsConfiguration.QUEUE_WAIT_MS_DEFAULT, 0, MAX_TIMEOUT_MS),
            timeouts.intSize(MIN_SEND_RATE, (int)TimeoutsConfiguration.MIN_SEND_RATE_DEFAULT, 0),
            timeouts.durationMs(
                MIN_SEND_RATE_GRACE, TimeoutsConfiguration.MIN_SEND_RATE_GRACE_MS_DEFAULT, 1, MAX_TIMEOUT_MS));
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

    private static String name(final ConfigSection section, final String key, final String defaultValue)
    {
        final String name = null == defaultValue ? section.requiredString(key) : section.string(key, defaultValue);
        if (!ConfigValues.isName(name))
        {
            throw ConfigSection.error(
                section.source(),
                section.pathOf(key),
                "must be 1 to " + MAX_NAME_LENGTH + " characters of A-Z a-z 0-9 _ -",
                section.raw(key));
        }
        return name;
    }

    private static String bindAddress(final ConfigSection listener, final String key, final String defaultValue)
    {
        final String bind = listener.string(key, defaultValue);
        if (!NetUtil.isValidIpV4Address(bind) && !NetUtil.isValidIpV6Address(bind) &&
            !HOST_NAME.matcher(bind).matches())
        {
            throw ConfigSection.error(
                listener.source(), listener.pathOf(key), "must be an IP address or a host name", bind);
        }
        return bind;
    }

    private static List<QueueConfiguration> queues(
        final ConfigSection root,
        final Path baseDirectory,
        final long maxRequestBodySize,
        final TimeoutsConfiguration timeouts)
    {
        root.require(QUEUES);
        final List<?> elements = root.list(QUEUES);
        if (elements.isEmpty())
        {
            throw ConfigSection.error(
                root.source(), QUEUES, "must list at least one queue", root.raw(QUEUES));
        }

        final Map<String, String> namePaths = new HashMap<>();
        final Map<UrlPrefix, String> prefixPaths = new HashMap<>();
        final List<QueueConfiguration> queues = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++)
        {
            final ConfigSection queue = ConfigSection.of(root.source(), QUEUES + "[" + i + "]", elements.get(i));
            queues.add(queue(queue, baseDirectory, namePaths, prefixPaths, maxRequestBodySize, timeouts));
        }
        return Collections.unmodifiableList(queues);
    }

    private static QueueConfiguration queue(
        final ConfigSection queue,
        final Path baseDirectory,
        final Map<String, String> namePaths,
        final Map<UrlPrefix, String> prefixPaths,
        final long maxRequestBodySize,
        final TimeoutsConfiguration timeouts)
    {
        queue.rejectUnknownKeys(
            NAME, PREFIXES, HOSTING, HANDLER, QUEUE_LENGTH, RING_CAPACITY, RESPONSE_WINDOW, WORKER,
            MAX_REQUEST_BODY_SIZE, TIMEOUTS);

        final String name = name(queue, NAME, null);
        final String otherName = namePaths.putIfAbsent(name, queue.pathOf(NAME));
        if (null != otherName)
        {
            throw ConfigSection.error(
                queue.source(), queue.pathOf(NAME), "duplicate queue name, also used by " + otherName, name);
        }

        final List<String> prefixes = prefixes(queue, prefixPaths);
        final HostingMode hosting = hosting(queue);
        final WorkerConfiguration worker = worker(queue, hosting, baseDirectory);
        // a worker of its own (command) runs its own code: the handler class is then optional and never loaded
        final boolean customCommand = null != worker && !worker.command().isEmpty();
        final String handler = customCommand ? queue.string(HANDLER, null) : queue.requiredString(HANDLER);
        if (null != handler && !ConfigValues.isClassName(handler))
        {
            throw ConfigSection.error(
                queue.source(),
                queue.pathOf(HANDLER),
                "must be a Java class name such as io.sluice.dispatch.sample.SampleHandler",
                handler);
        }
        final int queueLength = queue.integer(
            QUEUE_LENGTH, QueueConfiguration.QUEUE_LENGTH_DEFAULT, 1, QueueConfiguration.QUEUE_LENGTH_MAX);
        final ConfigSection queueTimeouts = queue.section(TIMEOUTS);
        queueTimeouts.rejectUnknownKeys(ENTITY_BODY, QUEUE_WAIT);

        return new QueueConfiguration(
            name,
            prefixes,
            hosting,
            handler,
            queueLength,
            ringCapacity(queue, hosting),
            worker,
            queueMaxRequestBodySize(queue, maxRequestBodySize),
            queueTimeouts.durationMs(ENTITY_BODY, timeouts.entityBodyMs(), 0, MAX_TIMEOUT_MS),
            queueTimeouts.durationMs(QUEUE_WAIT, timeouts.queueWaitMs(), 0, MAX_TIMEOUT_MS),
            responseWindow(queue, hosting));
    }

    private static int responseWindow(final ConfigSection queue, final HostingMode hosting)
    {
        if (hosting != HostingMode.SHARED_MEMORY)
        {
            if (queue.contains(RESPONSE_WINDOW))
            {
                throw ConfigSection.error(
                    queue.source(),
                    queue.pathOf(RESPONSE_WINDOW),
                    "only allowed when hosting is " + HostingMode.SHARED_MEMORY.configName() +
                    " (hosting is " + hosting.configName() + ")");
            }
            return QueueConfiguration.RESPONSE_WINDOW_NONE;
        }

        final long window = queue.size(RESPONSE_WINDOW, QueueConfiguration.RESPONSE_WINDOW_DEFAULT);
        if (window < MessageDescriptor.RESPONSE_WINDOW_MIN || window > MessageDescriptor.RESPONSE_WINDOW_MAX)
        {
            throw ConfigSection.error(
                queue.source(),
                queue.pathOf(RESPONSE_WINDOW),
                "must be between " + ConfigValues.formatSize(MessageDescriptor.RESPONSE_WINDOW_MIN) +
                " and " + ConfigValues.formatSize(MessageDescriptor.RESPONSE_WINDOW_MAX),
                queue.raw(RESPONSE_WINDOW));
        }
        return (int)window;
    }

    private static long queueMaxRequestBodySize(final ConfigSection queue, final long listenerMaxRequestBodySize)
    {
        final long size = queue.intSize(MAX_REQUEST_BODY_SIZE, (int)listenerMaxRequestBodySize, 0);
        if (size > listenerMaxRequestBodySize)
        {
            throw ConfigSection.error(
                queue.source(),
                queue.pathOf(MAX_REQUEST_BODY_SIZE),
                "must be at most " + LISTENER + "." + MAX_REQUEST_BODY_SIZE + " (" + listenerMaxRequestBodySize + ")",
                queue.raw(MAX_REQUEST_BODY_SIZE));
        }
        return size;
    }

    private static List<String> prefixes(final ConfigSection queue, final Map<UrlPrefix, String> prefixPaths)
    {
        queue.require(PREFIXES);
        final List<String> prefixes = queue.stringList(PREFIXES);
        if (prefixes.isEmpty())
        {
            throw ConfigSection.error(
                queue.source(), queue.pathOf(PREFIXES), "must list at least one URL prefix", queue.raw(PREFIXES));
        }
        for (int i = 0; i < prefixes.size(); i++)
        {
            final String text = prefixes.get(i);
            final String path = queue.pathOf(PREFIXES) + "[" + i + "]";
            final UrlPrefix prefix;
            try
            {
                prefix = UrlPrefix.parse(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw ConfigSection.error(queue.source(), path, withoutValue(ex.getMessage(), text), text);
            }
            final String otherPath = prefixPaths.putIfAbsent(prefix, path);
            if (null != otherPath)
            {
                throw ConfigSection.error(
                    queue.source(), path, "prefix " + prefix + " is already listed at " + otherPath, text);
            }
        }
        return Collections.unmodifiableList(prefixes);
    }

    private static String withoutValue(final String message, final String value)
    {
        final String problem = String.valueOf(message);
        final String suffix = ": " + value;
        return ConfigValues.oneLine(
            problem.endsWith(suffix) ? problem.substring(0, problem.length() - suffix.length()) : problem);
    }

    private static HostingMode hosting(final ConfigSection queue)
    {
        queue.require(HOSTING);
        final Object value = queue.raw(HOSTING);
        final HostingMode hosting = value instanceof String ? HostingMode.fromConfigName((String)value) : null;
        if (null == hosting)
        {
            final StringBuilder names = new StringBuilder();
            for (final HostingMode mode : HostingMode.values())
            {
                names.append(names.length() == 0 ? "" : ", ").append(mode.configName());
            }
            throw ConfigSection.error(queue.source(), queue.pathOf(HOSTING), "must be one of " + names, value);
        }
        return hosting;
    }

    private static int ringCapacity(final ConfigSection queue, final HostingMode hosting)
    {
        if (hosting != HostingMode.SHARED_MEMORY)
        {
            if (queue.contains(RING_CAPACITY))
            {
                throw ConfigSection.error(
                    queue.source(),
                    queue.pathOf(RING_CAPACITY),
                    "only allowed when hosting is " + HostingMode.SHARED_MEMORY.configName() +
                    " (hosting is " + hosting.configName() + ")");
            }
            return QueueConfiguration.RING_CAPACITY_NONE;
        }

        final long capacity = queue.size(RING_CAPACITY, QueueConfiguration.RING_CAPACITY_DEFAULT);
        if (capacity < QueueConfiguration.RING_CAPACITY_MIN || capacity > QueueConfiguration.RING_CAPACITY_MAX ||
            Long.bitCount(capacity) != 1)
        {
            throw ConfigSection.error(
                queue.source(),
                queue.pathOf(RING_CAPACITY),
                "must be a power of two between " + ConfigValues.formatSize(QueueConfiguration.RING_CAPACITY_MIN) +
                " and " + ConfigValues.formatSize(QueueConfiguration.RING_CAPACITY_MAX),
                queue.raw(RING_CAPACITY));
        }
        return (int)capacity;
    }

    private static WorkerConfiguration worker(
        final ConfigSection queue, final HostingMode hosting, final Path baseDirectory)
    {
        if (!hosting.isOutOfProcess())
        {
            if (queue.contains(WORKER))
            {
                throw ConfigSection.error(
                    queue.source(),
                    queue.pathOf(WORKER),
                    "only allowed when hosting is " + HostingMode.SHARED_MEMORY.configName() + " or " +
                    HostingMode.LOOPBACK_FORWARD.configName() + " (hosting is " + hosting.configName() + ")");
            }
            return null;
        }

        final ConfigSection worker = queue.section(WORKER);
        worker.rejectUnknownKeys(
            COMMAND,
            ENVIRONMENT,
            PROCESSES,
            STARTUP_TIME_LIMIT,
            STARTUP_RETRY_COUNT,
            RAPID_FAILS_PER_MINUTE,
            SHUTDOWN_TIME_LIMIT,
            REQUEST_TIMEOUT,
            HEARTBEAT_TIMEOUT,
            STDOUT_LOG,
            HEADER_WAIT,
            IDLE_CONNECTION,
            MAX_CONNECTIONS);

        final List<String> command = worker.stringList(COMMAND);
        for (int i = 0; i < command.size(); i++)
        {
            if (command.get(i).isEmpty())
            {
                throw ConfigSection.error(
                    worker.source(), worker.pathOf(COMMAND) + "[" + i + "]", "must not be empty", command.get(i));
            }
        }

        return new WorkerConfiguration(
            Collections.unmodifiableList(command),
            environment(worker),
            worker.integer(PROCESSES, WorkerConfiguration.PROCESSES_DEFAULT, 1, WorkerConfiguration.PROCESSES_MAX),
            worker.durationMs(
                STARTUP_TIME_LIMIT, WorkerConfiguration.STARTUP_TIME_LIMIT_MS_DEFAULT, 1, MAX_TIME_LIMIT_MS),
            worker.integer(
                STARTUP_RETRY_COUNT, WorkerConfiguration.STARTUP_RETRY_COUNT_DEFAULT, 0, MAX_STARTUP_RETRY_COUNT),
            worker.integer(
                RAPID_FAILS_PER_MINUTE,
                WorkerConfiguration.RAPID_FAILS_PER_MINUTE_DEFAULT,
                1,
                MAX_RAPID_FAILS_PER_MINUTE),
            worker.durationMs(
                SHUTDOWN_TIME_LIMIT, WorkerConfiguration.SHUTDOWN_TIME_LIMIT_MS_DEFAULT, 0, MAX_TIME_LIMIT_MS),
            worker.durationMs(
                REQUEST_TIMEOUT, WorkerConfiguration.REQUEST_TIMEOUT_MS_DEFAULT, 1, MAX_TIME_LIMIT_MS),
            heartbeatTimeout(worker, hosting),
            worker.path(STDOUT_LOG, baseDirectory),
            loopbackOnly(worker, hosting, HEADER_WAIT) ?
                worker.durationMs(HEADER_WAIT, WorkerConfiguration.HEADER_WAIT_MS_DEFAULT, 0, MAX_TIMEOUT_MS) :
                WorkerConfiguration.HEADER_WAIT_MS_DEFAULT,
            loopbackOnly(worker, hosting, IDLE_CONNECTION) ?
                worker.durationMs(IDLE_CONNECTION, WorkerConfiguration.IDLE_CONNECTION_MS_DEFAULT, 0, MAX_TIMEOUT_MS) :
                WorkerConfiguration.IDLE_CONNECTION_MS_DEFAULT,
            loopbackOnly(worker, hosting, MAX_CONNECTIONS) ?
                worker.integer(MAX_CONNECTIONS, WorkerConfiguration.MAX_CONNECTIONS_AUTO, 0, Integer.MAX_VALUE) :
                WorkerConfiguration.MAX_CONNECTIONS_AUTO);
    }

    private static boolean loopbackOnly(final ConfigSection worker, final HostingMode hosting, final String key)
    {
        if (hosting != HostingMode.LOOPBACK_FORWARD && worker.contains(key))
        {
            throw ConfigSection.error(
                worker.source(),
                worker.pathOf(key),
                "only allowed when hosting is " + HostingMode.LOOPBACK_FORWARD.configName() +
                " (hosting is " + hosting.configName() + ")");
        }
        return hosting == HostingMode.LOOPBACK_FORWARD;
    }

    private static long heartbeatTimeout(final ConfigSection worker, final HostingMode hosting)
    {
        if (hosting != HostingMode.SHARED_MEMORY)
        {
            if (worker.contains(HEARTBEAT_TIMEOUT))
            {
                throw ConfigSection.error(
                    worker.source(),
                    worker.pathOf(HEARTBEAT_TIMEOUT),
                    "only allowed when hosting is " + HostingMode.SHARED_MEMORY.configName() +
                    " (hosting is " + hosting.configName() + ")");
            }
            return WorkerConfiguration.HEARTBEAT_TIMEOUT_DISABLED;
        }
        final long timeoutMs = worker.durationMs(
            HEARTBEAT_TIMEOUT, WorkerConfiguration.HEARTBEAT_TIMEOUT_MS_DEFAULT, 0, MAX_TIME_LIMIT_MS);
        if (timeoutMs != WorkerConfiguration.HEARTBEAT_TIMEOUT_DISABLED &&
            timeoutMs < WorkerConfiguration.HEARTBEAT_TIMEOUT_MS_MIN)
        {
            throw ConfigSection.error(
                worker.source(),
                worker.pathOf(HEARTBEAT_TIMEOUT),
                "must be 0 (off) or between " +
                ConfigValues.formatDurationMs(WorkerConfiguration.HEARTBEAT_TIMEOUT_MS_MIN) + " and " +
                ConfigValues.formatDurationMs(MAX_TIME_LIMIT_MS),
                worker.raw(HEARTBEAT_TIMEOUT));
        }
        return timeoutMs;
    }

    private static Map<String, String> environment(final ConfigSection worker)
    {
        final Map<String, String> environment = worker.stringMap(ENVIRONMENT);
        for (final String name : environment.keySet())
        {
            final String path = worker.pathOf(ENVIRONMENT) + "." + name;
            if (name.startsWith(RESERVED_ENVIRONMENT_PREFIX))
            {
                throw ConfigSection.error(
                    worker.source(),
                    path,
                    "reserved: the listener sets the " + RESERVED_ENVIRONMENT_PREFIX + "* variables itself");
            }
            if (!ConfigValues.isEnvironmentName(name))
            {
                throw ConfigSection.error(
                    worker.source(),
                    path,
                    "not a valid variable name: use letters, digits and '_', not starting with a digit");
            }
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }

    private static void checkAdminPort(
        final ConfigSection listener, final int adminPort, final List<QueueConfiguration> queues)
    {
        if (ListenerConfiguration.ADMIN_PORT_DISABLED == adminPort)
        {
            return;
        }
        for (int i = 0; i < queues.size(); i++)
        {
            final List<String> prefixes = queues.get(i).prefixes();
            for (int j = 0; j < prefixes.size(); j++)
            {
                if (UrlPrefix.parse(prefixes.get(j)).port() == adminPort)
                {
                    throw ConfigSection.error(
                        listener.source(),
                        listener.pathOf(ADMIN_PORT),
                        "port is already used by " + QUEUES + "[" + i + "]." + PREFIXES + "[" + j + "]",
                        adminPort);
                }
            }
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
