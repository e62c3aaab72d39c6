package io.sluice.listener.config;

import io.sluice.listener.http.Http2Config;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration reference ({@code native-config/README.md}) and the commented reference file
 * ({@code native-config/sluice.yaml}) state each key's default; these are the {@code *_DEFAULT} constants, written
 * once, so both must say what the constants are.
 */
class ConfigDocumentationTest
{
    private static final Path REFERENCE = Path.of("..", "native-config", "README.md");
    private static final Path REFERENCE_FILE = Path.of("..", "native-config", "sluice.yaml");
    private static final Pattern COMMENTED_DEFAULT = Pattern.compile("Default: (\\S+?)(?:\\.(?:\\s|$)| \\()");
    private static final String NO_CONSTANT = "no constant";
    private static final String LIST_ITEM = "-";

    @Test
    void shouldDocumentTheListenerDefaultsOfTheConstants() throws IOException
    {
        assertDocumented("listener", listenerDefaults());
    }

    private static Map<String, Object> listenerDefaults()
    {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", ListenerConfiguration.ID_DEFAULT);
        expected.put("bind", ListenerConfiguration.BIND_ADDRESS_DEFAULT);
        // the number of available processors: a word in the documentation, a count only where the listener runs
        expected.put("eventLoops", "processors");
        expected.put("shmDir", ListenerConfiguration.shmDirDefault("<id>").toString());
        expected.put("adminPort", integer(ListenerConfiguration.ADMIN_PORT_DEFAULT));
        expected.put("adminBind", AdminConfiguration.BIND_ADDRESS_DEFAULT);
        expected.put("adminMaxConnections", integer(AdminConfiguration.MAX_CONNECTIONS_DEFAULT));
        expected.put("adminHeaderWait", duration(AdminConfiguration.HEADER_WAIT_MS_DEFAULT));
        expected.put("adminIdleConnection", duration(AdminConfiguration.IDLE_CONNECTION_MS_DEFAULT));
        expected.put("maxInitialLineLength", size(ListenerConfiguration.MAX_INITIAL_LINE_LENGTH_DEFAULT));
        expected.put("maxRequestBytes", size(ListenerConfiguration.MAX_REQUEST_BYTES_DEFAULT));
        expected.put("maxFieldLength", size(ListenerConfiguration.MAX_FIELD_LENGTH_DEFAULT));
        expected.put("maxUrlLength", size(ListenerConfiguration.MAX_URL_LENGTH_DEFAULT));
        expected.put("maxSegmentLength", integer(ListenerConfiguration.MAX_SEGMENT_LENGTH_DEFAULT));
        expected.put("maxSegmentCount", integer(ListenerConfiguration.MAX_SEGMENT_COUNT_DEFAULT));
        expected.put("maxRequestBodySize", size(ListenerConfiguration.MAX_REQUEST_BODY_SIZE_DEFAULT));
        expected.put("maxConnections", integer(ListenerConfiguration.MAX_CONNECTIONS_DEFAULT));
        expected.put("maxPipelinedRequests", integer(ListenerConfiguration.MAX_PIPELINED_REQUESTS_DEFAULT));
        expected.put("timeouts", NO_CONSTANT);
        expected.put("http2", NO_CONSTANT);
        expected.put("tls", NO_CONSTANT);
        expected.put("accessLog", String.valueOf(LogFileConfiguration.OFF.enabled()));
        expected.put("errorLog", String.valueOf(LogFileConfiguration.OFF.enabled()));

        return expected;
    }

    @Test
    void shouldDocumentTheHttp2DefaultsOfTheConstants() throws IOException
    {
        assertDocumented("listener.http2", http2Defaults());
    }

    private static Map<String, Object> http2Defaults()
    {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("maxConcurrentStreams", integer(Http2Config.MAX_CONCURRENT_STREAMS_DEFAULT));
        expected.put("initialWindowSize", size(Http2Config.INITIAL_WINDOW_SIZE_DEFAULT));
        expected.put("headerTableSize", size(Http2Config.HEADER_TABLE_SIZE_DEFAULT));
        expected.put("maxResets", integer(Http2Config.MAX_RESETS_DEFAULT));
        expected.put("resetWindow", duration(Http2Config.RESET_WINDOW_SECONDS_DEFAULT * 1000L));
        expected.put("maxQueuedControlFrames", integer(Http2Config.MAX_QUEUED_CONTROL_FRAMES_DEFAULT));
        expected.put("maxSmallContinuationFrames", integer(Http2Config.MAX_SMALL_CONTINUATION_FRAMES_DEFAULT));
        expected.put("maxConsecutiveEmptyFrames", integer(Http2Config.MAX_CONSECUTIVE_EMPTY_FRAMES_DEFAULT));
        return expected;
    }

    @Test
    void shouldDocumentTheTlsDefaultsOfTheConstants() throws IOException
    {
        assertDocumented("listener.tls", tlsDefaults());
    }

    private static Map<String, Object> tlsDefaults()
    {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("certificates", NO_CONSTANT);
        expected.put("protocols", "[" + String.join(", ", TlsConfiguration.PROTOCOLS_DEFAULT) + "]");
        expected.put("clientCertificate", TlsConfiguration.ClientCertificate.NONE.configName());
        expected.put("clientCertificateCa", NO_CONSTANT);
        expected.put("handshakeTimeout", duration(TlsConfiguration.HANDSHAKE_TIMEOUT_MS_DEFAULT));
        expected.put("selfSignedDir", NO_CONSTANT);
        expected.put("engine", TlsConfiguration.Engine.OPENSSL.configName());

        return expected;
    }

    @Test
    void shouldDocumentTheTimerDefaultsOfTheConstants() throws IOException
    {
        assertDocumented("listener.timeouts", timerDefaults());
    }

    private static Map<String, Object> timerDefaults()
    {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("headerWait", duration(TimeoutsConfiguration.HEADER_WAIT_MS_DEFAULT));
        expected.put("idleConnection", duration(TimeoutsConfiguration.IDLE_CONNECTION_MS_DEFAULT));
        expected.put("entityBody", duration(TimeoutsConfiguration.ENTITY_BODY_MS_DEFAULT));
        expected.put("drainEntityBody", duration(TimeoutsConfiguration.DRAIN_ENTITY_BODY_MS_DEFAULT));
        expected.put("queueWait", duration(TimeoutsConfiguration.QUEUE_WAIT_MS_DEFAULT));
        expected.put("minSendRate", size(TimeoutsConfiguration.MIN_SEND_RATE_DEFAULT));
        expected.put("minSendRateGrace", duration(TimeoutsConfiguration.MIN_SEND_RATE_GRACE_MS_DEFAULT));

        return expected;
    }

    @Test
    void shouldDocumentTheQueueDefaultsOfTheConstants() throws IOException
    {
        assertDocumented("queues[]", queueDefaults());
    }

    private static Map<String, Object> queueDefaults()
    {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("name", NO_CONSTANT);
        expected.put("prefixes", NO_CONSTANT);
        expected.put("hosting", NO_CONSTANT);
        expected.put("handler", NO_CONSTANT);
        expected.put("queueLength", integer(QueueConfiguration.QUEUE_LENGTH_DEFAULT));
        expected.put("ringCapacity", size(QueueConfiguration.RING_CAPACITY_DEFAULT));
        expected.put("responseWindow", size(QueueConfiguration.RESPONSE_WINDOW_DEFAULT));
        expected.put("maxRequestBodySize", "listener.maxRequestBodySize");
        expected.put("webSockets", Boolean.toString(QueueConfiguration.WEB_SOCKETS_DEFAULT));
        expected.put("timeouts", NO_CONSTANT);
        expected.put("worker", NO_CONSTANT);
        expected.put("accessLog", NO_CONSTANT);
        expected.put("offlineBody", NO_CONSTANT);
        expected.put("offlineBodyFile", NO_CONSTANT);

        return expected;
    }

    @Test
    void shouldDocumentTheWorkerDefaultsOfTheConstants() throws IOException
    {
        assertDocumented("queues[].worker", workerDefaults());
    }

    private static Map<String, Object> workerDefaults()
    {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("command", "[]");
        expected.put("environment", "{}");
        expected.put("processes", integer(WorkerConfiguration.PROCESSES_DEFAULT));
        expected.put("startupTimeLimit", duration(WorkerConfiguration.STARTUP_TIME_LIMIT_MS_DEFAULT));
        expected.put("startupRetryCount", integer(WorkerConfiguration.STARTUP_RETRY_COUNT_DEFAULT));
        expected.put("rapidFailsPerMinute", integer(WorkerConfiguration.RAPID_FAILS_PER_MINUTE_DEFAULT));
        expected.put("shutdownTimeLimit", duration(WorkerConfiguration.SHUTDOWN_TIME_LIMIT_MS_DEFAULT));
        expected.put("requestTimeout", duration(WorkerConfiguration.REQUEST_TIMEOUT_MS_DEFAULT));
        expected.put("heartbeatTimeout", duration(WorkerConfiguration.HEARTBEAT_TIMEOUT_MS_DEFAULT));
        expected.put("headerWait", duration(WorkerConfiguration.HEADER_WAIT_MS_DEFAULT));
        expected.put("idleConnection", duration(WorkerConfiguration.IDLE_CONNECTION_MS_DEFAULT));
        expected.put("maxConnections", integer(WorkerConfiguration.MAX_CONNECTIONS_AUTO));
        expected.put("stdoutLog", "null");
        expected.put("activation", WorkerLifetime.DEFAULT.activation().configName());
        expected.put("idleTimeout", duration(WorkerLifetime.IDLE_TIMEOUT_MS_DEFAULT));
        expected.put("recycle", NO_CONSTANT);

        return expected;
    }

    @Test
    void shouldStateTheDefaultsOfTheConstantsInTheCommentedReferenceFile() throws IOException
    {
        final Map<String, Map<String, Object>> sections = Map.of(
            "listener", listenerDefaults(),
            "listener.timeouts", timerDefaults(),
            "listener.http2", http2Defaults(),
            "listener.tls", tlsDefaults(),
            "queues[]", queueDefaults(),
            "queues[].worker", workerDefaults());
        final List<String> lines = Files.readAllLines(REFERENCE_FILE, StandardCharsets.UTF_8);
        final List<String> parents = new ArrayList<>();
        String pendingDefault = null;
        int compared = 0;
        for (final String line : lines)
        {
            final String trimmed = line.trim();
            if (trimmed.startsWith("#"))
            {
                final Matcher matcher = COMMENTED_DEFAULT.matcher(trimmed);
                pendingDefault = matcher.find() ? matcher.group(1) : pendingDefault;
                continue;
            }
            if (trimmed.isEmpty() || !trimmed.contains(":"))
            {
                continue;
            }
            final boolean item = trimmed.startsWith("- ");
            final int depth = (line.indexOf(trimmed) + (item ? 2 : 0)) / 2;
            final String key = (item ? trimmed.substring(2) : trimmed).split(":")[0].trim();
            while (parents.size() > depth)
            {
                parents.remove(parents.size() - 1);
            }
            while (parents.size() < depth)
            {
                parents.add(LIST_ITEM);
            }
            final String section = String.join(".", parents).replace("queues." + LIST_ITEM, "queues[]");
            final Map<String, Object> expected = sections.get(section);
            if (null != pendingDefault && null != expected && expected.containsKey(key))
            {
                assertDefault(section + "." + key, expected.get(key), pendingDefault);
                compared++;
            }
            pendingDefault = null;
            parents.add(key);
        }

        assertTrue(compared >= 35, "defaults compared: " + compared);
    }

    /**
     * @param section  heading of the table, e.g. {@code listener} for "### `listener`".
     * @param expected every key of the table, in table order, with its default: text as written, a number compared
     *                 after parsing, or {@link #NO_CONSTANT} for a key whose default is not a value.
     */
    private static void assertDocumented(final String section, final Map<String, Object> expected) throws IOException
    {
        final Map<String, String> documented = table(section);

        assertEquals(List.copyOf(expected.keySet()), List.copyOf(documented.keySet()), section);
        for (final Map.Entry<String, Object> entry : expected.entrySet())
        {
            assertDefault(section + "." + entry.getKey(), entry.getValue(), documented.get(entry.getKey()));
        }
    }

    private static void assertDefault(final String key, final Object expected, final String text)
    {
        final String where = key + " (documented as " + text + ")";
        if (expected instanceof Parsed)
        {
            final Parsed parsed = (Parsed)expected;
            assertEquals(parsed.value, parsed.parser.applyAsLong(text), where);
        }
        else if (!NO_CONSTANT.equals(expected))
        {
            assertEquals(expected, text, where);
        }
    }

    private static Map<String, String> table(final String section) throws IOException
    {
        final List<String> lines = Files.readAllLines(REFERENCE, StandardCharsets.UTF_8);
        final int heading = lines.indexOf("### `" + section + "`");
        final Map<String, String> defaults = new LinkedHashMap<>();
        boolean inTable = false;
        for (int i = heading + 1; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            if (!line.startsWith("|"))
            {
                if (inTable)
                {
                    break;
                }
                continue;
            }
            inTable = true;
            final String[] cells = line.split("\\|");
            final String key = cells[1].trim();
            if (key.startsWith("`"))
            {
                defaults.put(unquote(key), unquote(cells[2].trim()));
            }
        }
        return defaults;
    }

    private static String unquote(final String cell)
    {
        return cell.startsWith("`") && cell.endsWith("`") ? cell.substring(1, cell.length() - 1) : cell;
    }

    private static Parsed integer(final long value)
    {
        return new Parsed(value, Long::parseLong);
    }

    private static Parsed size(final long value)
    {
        return new Parsed(value, ConfigValues::parseSize);
    }

    private static Parsed duration(final long valueMs)
    {
        return new Parsed(valueMs, ConfigValues::parseDurationMs);
    }

    private record Parsed(long value, ToLongFunction<String> parser)
    {
        @Override
        public String toString()
        {
            return Long.toString(value);
        }
    }
}
