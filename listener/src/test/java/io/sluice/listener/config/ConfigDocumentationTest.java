package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The configuration reference ({@code native-config/README.md}) states each key's default; these are the
 * {@code *_DEFAULT} constants, written once, so the tables must say what the constants are.
 */
class ConfigDocumentationTest
{
    private static final Path REFERENCE = Path.of("..", "native-config", "README.md");
    private static final String NO_CONSTANT = "no constant";

    @Test
    void shouldDocumentTheListenerDefaultsOfTheConstants() throws IOException
    {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", ListenerConfiguration.ID_DEFAULT);
        expected.put("bind", ListenerConfiguration.BIND_ADDRESS_DEFAULT);
        expected.put("eventLoops", integer(ListenerConfiguration.EVENT_LOOPS_DEFAULT));
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

        assertDocumented("listener", expected);
    }

    @Test
    void shouldDocumentTheTimerDefaultsOfTheConstants() throws IOException
    {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("headerWait", duration(TimeoutsConfiguration.HEADER_WAIT_MS_DEFAULT));
        expected.put("idleConnection", duration(TimeoutsConfiguration.IDLE_CONNECTION_MS_DEFAULT));
        expected.put("entityBody", duration(TimeoutsConfiguration.ENTITY_BODY_MS_DEFAULT));
        expected.put("drainEntityBody", duration(TimeoutsConfiguration.DRAIN_ENTITY_BODY_MS_DEFAULT));
        expected.put("queueWait", duration(TimeoutsConfiguration.QUEUE_WAIT_MS_DEFAULT));
        expected.put("minSendRate", size(TimeoutsConfiguration.MIN_SEND_RATE_DEFAULT));
        expected.put("minSendRateGrace", duration(TimeoutsConfiguration.MIN_SEND_RATE_GRACE_MS_DEFAULT));

        assertDocumented("listener.timeouts", expected);
    }

    @Test
    void shouldDocumentTheQueueDefaultsOfTheConstants() throws IOException
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
        expected.put("timeouts", NO_CONSTANT);
        expected.put("worker", NO_CONSTANT);

        assertDocumented("queues[]", expected);
    }

    @Test
    void shouldDocumentTheWorkerDefaultsOfTheConstants() throws IOException
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

        assertDocumented("queues[].worker", expected);
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
            final String text = documented.get(entry.getKey());
            final String where = section + "." + entry.getKey() + " (documented as " + text + ")";
            if (entry.getValue() instanceof Parsed)
            {
                final Parsed parsed = (Parsed)entry.getValue();
                assertEquals(parsed.value, parsed.parser.applyAsLong(text), where);
            }
            else if (!NO_CONSTANT.equals(entry.getValue()))
            {
                assertEquals(entry.getValue(), text, where);
            }
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
