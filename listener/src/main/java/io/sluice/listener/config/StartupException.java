package io.sluice.listener.config;

/**
 * The listener cannot start because of something a key of the deployment file names: a port already in use, a bind
 * address this host does not have, a handler class or worker command that does not exist, a handler that cannot be
 * created, a shared-memory directory that is not the listener's or is in use by another listener. The message is one line, {@code <key path>: <problem>}, e.g.
 * {@code queues[0].prefixes[0]: cannot listen on 127.0.0.1:8080: Address already in use}; the command line prefixes
 * the file name, as for a {@link ConfigException}, and exits 2.
 */
public class StartupException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key     the key path that decides what failed, e.g. {@code listener.bind}.
     * @param problem one line: what is wrong, with the value.
     */
    public StartupException(final String key, final String problem)
    {
        super(key + ": " + ConfigValues.oneLine(problem));
        this.key = key;
    }

    /**
     * @param key     the key path that decides what failed, e.g. {@code listener.bind}.
     * @param problem one line: what is wrong, with the value.
     * @param cause   the underlying failure, kept for logs; the message already explains it.
     */
    public StartupException(final String key, final String problem, final Throwable cause)
    {
        super(key + ": " + ConfigValues.oneLine(problem), cause);
        this.key = key;
    }

    /**
     * @return the key path named by the message, e.g. {@code queues[1].worker.command}.
     */
    public String key()
    {
        return key;
    }
}
