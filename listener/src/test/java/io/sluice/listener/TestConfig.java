package io.sluice.listener;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the YAML template of a test listener ({@link TestListener}, {@link ChildListener}) from the parts a test
 * changes, so that a test class states only what is special about its listener.
 * <p>
 * {@link #listener()} starts from the listener section every end-to-end test uses ({@code id: ${ID}},
 * {@code eventLoops: 1}, {@code shmDir: ${SHM_DIR}}); {@link #inProcess}, {@link #sharedMemory} and {@link #loopback}
 * start a queue under the prefix {@code http://+:${PORT}/<name>/} whose workers (if any) log to
 * {@code ${LOG_DIR}/<name>.log}. Any key may be set, replaced or removed ({@code null}); values are written as given,
 * so a flow sequence ({@code [ "a", "b" ]}), a template token ({@code ${COMMAND}}) or a size ({@code 64k}) passes.
 * Keys keep the order in which they were first set.
 * <pre>{@code
 * TestConfig.listener()
 *     .timeout("headerWait", "2s")
 *     .queue(TestConfig.inProcess("inproc", SampleHandler.class))
 *     .queue(TestConfig.sharedMemory("shm", SampleHandler.class).worker("shutdownTimeLimit", "1s"))
 *     .yaml();
 * }</pre>
 */
final class TestConfig
{
    private static final String INDENT = "  ";

    private final Map<String, Object> listener = new LinkedHashMap<>();
    private final List<Queue> queues = new ArrayList<>();

    private TestConfig()
    {
    }

    /**
     * @return the listener section of a test listener: its own id, one event loop and its own shared-memory directory.
     */
    static TestConfig listener()
    {
        return new TestConfig()
            .listener("id", "${ID}")
            .listener("eventLoops", 1)
            .listener("shmDir", "${SHM_DIR}");
    }

    /**
     * @param name    the queue's name, and the last segment of its prefix.
     * @param handler the handler class.
     * @return an in-process queue under {@code /<name>/}.
     */
    static Queue inProcess(final String name, final Class<?> handler)
    {
        return inProcess(name, handler.getName());
    }

    /**
     * @param name             the queue's name, and the last segment of its prefix.
     * @param handlerClassName the handler's class name.
     * @return an in-process queue under {@code /<name>/}.
     */
    static Queue inProcess(final String name, final String handlerClassName)
    {
        return new Queue(name, "in-process", handlerClassName, false);
    }

    /**
     * @param name the queue's name, the last segment of its prefix and the name of its worker log.
     * @return a shared-memory queue with no handler (its worker {@link Queue#command} is not a Java handler) under
     * {@code /<name>/}, its workers logging to {@code ${LOG_DIR}/<name>.log}.
     */
    static Queue sharedMemory(final String name)
    {
        return sharedMemory(name, (String)null);
    }

    /**
     * @param name    the queue's name, the last segment of its prefix and the name of its worker log.
     * @param handler the handler class.
     * @return a shared-memory queue under {@code /<name>/}, its workers logging to {@code ${LOG_DIR}/<name>.log}.
     */
    static Queue sharedMemory(final String name, final Class<?> handler)
    {
        return sharedMemory(name, handler.getName());
    }

    /**
     * @param name             the queue's name, the last segment of its prefix and the name of its worker log.
     * @param handlerClassName the handler's class name, or null for none.
     * @return a shared-memory queue under {@code /<name>/}, its workers logging to {@code ${LOG_DIR}/<name>.log}.
     */
    static Queue sharedMemory(final String name, final String handlerClassName)
    {
        return new Queue(name, "shared-memory", handlerClassName, true);
    }

    /**
     * @param name    the queue's name, the last segment of its prefix and the name of its worker log.
     * @param handler the handler class.
     * @return a loopback queue under {@code /<name>/}, its workers logging to {@code ${LOG_DIR}/<name>.log}.
     */
    static Queue loopback(final String name, final Class<?> handler)
    {
        return loopback(name, handler.getName());
    }

    /**
     * @param name             the queue's name, the last segment of its prefix and the name of its worker log.
     * @param handlerClassName the handler's class name.
     * @return a loopback queue under {@code /<name>/}, its workers logging to {@code ${LOG_DIR}/<name>.log}.
     */
    static Queue loopback(final String name, final String handlerClassName)
    {
        return new Queue(name, "loopback", handlerClassName, true);
    }

    /**
     * Set a key of the listener section.
     *
     * @param key   the key, e.g. {@code adminPort}.
     * @param value its value as YAML text (or a number), or null to remove the key.
     * @return this.
     */
    TestConfig listener(final String key, final Object value)
    {
        put(listener, key, value);
        return this;
    }

    /**
     * Set a key of the listener's {@code timeouts} section.
     *
     * @param key   the key, e.g. {@code headerWait}.
     * @param value its value as YAML text, e.g. {@code 2s}.
     * @return this.
     */
    TestConfig timeout(final String key, final Object value)
    {
        put(section(listener, "timeouts"), key, value);
        return this;
    }

    /**
     * @param queue a queue, appended after those added before.
     * @return this.
     */
    TestConfig queue(final Queue queue)
    {
        queues.add(queue);
        return this;
    }

    /**
     * @return the configuration template as YAML.
     */
    String yaml()
    {
        final StringBuilder yaml = new StringBuilder("listener:\n");
        write(yaml, listener, 1);
        if (!queues.isEmpty())
        {
            yaml.append("queues:\n");
            for (final Queue queue : queues)
            {
                queue.write(yaml);
            }
        }
        return yaml.toString();
    }

    /**
     * @return the configuration template as YAML.
     */
    public String toString()
    {
        return yaml();
    }

    /**
     * One queue of the configuration: its name, prefixes, hosting and handler, then the keys a test sets.
     */
    static final class Queue
    {
        private final Map<String, Object> keys = new LinkedHashMap<>();

        private Queue(final String name, final String hosting, final String handlerClassName, final boolean workers)
        {
            keys.put("name", name);
            prefixes("http://+:${PORT}/" + name + "/");
            keys.put("hosting", hosting);
            put(keys, "handler", handlerClassName);
            if (workers)
            {
                worker("stdoutLog", "${LOG_DIR}/" + name + ".log");
            }
        }

        /**
         * Replace the queue's prefixes.
         *
         * @param prefixes the URL prefixes, with {@code ${PORT}} tokens where the port goes.
         * @return this.
         */
        Queue prefixes(final String... prefixes)
        {
            keys.put("prefixes", "[ " + quoted(prefixes) + " ]");
            return this;
        }

        /**
         * Set a key of the queue.
         *
         * @param key   the key, e.g. {@code queueLength}.
         * @param value its value as YAML text (or a number), or null to remove the key.
         * @return this.
         */
        Queue set(final String key, final Object value)
        {
            put(keys, key, value);
            return this;
        }

        /**
         * Set a key of the queue's {@code timeouts} section.
         *
         * @param key   the key, e.g. {@code queueWait}.
         * @param value its value as YAML text, e.g. {@code 300ms}.
         * @return this.
         */
        Queue timeout(final String key, final Object value)
        {
            put(section(keys, "timeouts"), key, value);
            return this;
        }

        /**
         * Set a key of the queue's {@code worker} section.
         *
         * @param key   the key, e.g. {@code shutdownTimeLimit}.
         * @param value its value as YAML text, or null to remove the key.
         * @return this.
         */
        Queue worker(final String key, final Object value)
        {
            put(section(keys, "worker"), key, value);
            return this;
        }

        /**
         * Set the queue's {@code worker.command}.
         *
         * @param arguments the program and its arguments, each written in double quotes (template tokens pass).
         * @return this.
         */
        Queue command(final String... arguments)
        {
            return worker("command", "[ " + quoted(arguments) + " ]");
        }

        /**
         * Set a variable of the queue's {@code worker.environment} section.
         *
         * @param name  the variable's name.
         * @param value its value, written in double quotes.
         * @return this.
         */
        Queue environment(final String name, final String value)
        {
            put(section(section(keys, "worker"), "environment"), name, quoted(value));
            return this;
        }

        private void write(final StringBuilder yaml)
        {
            boolean first = true;
            for (final Map.Entry<String, Object> entry : keys.entrySet())
            {
                yaml.append(first ? INDENT + "- " : INDENT + INDENT);
                first = false;
                writeEntry(yaml, entry, 3);
            }
        }
    }

    private static String quoted(final String... values)
    {
        return "\"" + String.join("\", \"", values) + "\"";
    }

    private static void put(final Map<String, Object> map, final String key, final Object value)
    {
        if (null == value)
        {
            map.remove(key);
        }
        else
        {
            map.put(key, value);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(final Map<String, Object> map, final String key)
    {
        return (Map<String, Object>)map.computeIfAbsent(key, (k) -> new LinkedHashMap<String, Object>());
    }

    private static void write(final StringBuilder yaml, final Map<String, Object> map, final int depth)
    {
        for (final Map.Entry<String, Object> entry : map.entrySet())
        {
            yaml.append(INDENT.repeat(depth));
            writeEntry(yaml, entry, depth + 1);
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeEntry(final StringBuilder yaml, final Map.Entry<String, Object> entry, final int depth)
    {
        yaml.append(entry.getKey()).append(':');
        if (entry.getValue() instanceof Map<?, ?> section)
        {
            yaml.append('\n');
            write(yaml, (Map<String, Object>)section, depth);
        }
        else
        {
            yaml.append(' ').append(entry.getValue()).append('\n');
        }
    }
}
