package io.sluice.listener.config;

/**
 * A deployment file that cannot be used: missing or unreadable, not YAML, or YAML that does not describe a valid
 * configuration. The message is one self-explanatory line that names the file, the offending key path and value,
 * e.g. {@code sluice.yaml: queues[1].hosting: must be one of in-process, shared-memory, loopback (was 'shm')}, so
 * that the command line can print it as it is and exit.
 */
public class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the file, the key path, the problem and the value found.
     */
    public ConfigException(final String message)
    {
        super(message);
    }

    /**
     * @param message one line naming the file, the key path, the problem and the value found.
     * @param cause   the underlying failure (I/O or YAML syntax), kept for logs; the message already explains it.
     */
    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
