package io.sluice.listener;

import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.LogFileConfiguration;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.http.HttpConnectionConfig;
import io.sluice.listener.log.RequestLog;
import io.sluice.listener.queue.QueueBinding;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listener's access and error logs: one {@link RequestLog} (its files and writer thread) and the access log file
 * each queue's requests go to. The files are declared at start, in this order: the listener's access log, its error
 * log, then each queue's own access log; a queue added by a reload logs to the listener's. Closed after the event
 * loops, so that what they logged last is written.
 */
final class ListenerLogs
{
    private final RequestLog requestLog = new RequestLog();
    private final Map<String, Integer> accessLogFileIds = new ConcurrentHashMap<>();
    private final int listenerAccessLog;

    /**
     * Declare the listener's access and error logs.
     *
     * @param config the configuration started with.
     */
    ListenerLogs(final ListenerConfiguration config)
    {
        listenerAccessLog = declare(config.accessLog());
        if (config.errorLog().enabled())
        {
            requestLog.errorLog(
                config.errorLog().path(), config.errorLog().rotateSizeLength(), config.errorLog().rotateDaily());
        }
    }

    /**
     * Declare a queue's access log at start: its own, or the listener's when it names none.
     *
     * @param queue the queue.
     * @return the access log file its requests are logged to.
     */
    int declareQueue(final QueueConfiguration queue)
    {
        final int accessLog = null == queue.accessLog() ? listenerAccessLog : declare(queue.accessLog());
        accessLogFileIds.put(queue.name(), accessLog);
        return accessLog;
    }

    /**
     * @param queueName a queue's name.
     * @return the access log file its requests are logged to: its own, as at start, or the listener's (a queue added
     * by a reload: log files are declared at start).
     */
    int accessLogFileId(final String queueName)
    {
        return accessLogFileIds.getOrDefault(queueName, listenerAccessLog);
    }

    /**
     * @param config a configuration.
     * @return its connection settings, with the listener's request log and access log file.
     */
    HttpConnectionConfig connectionConfig(final ListenerConfiguration config)
    {
        return config.connectionConfig()
            .requestLog(requestLog.isEnabled() ? requestLog : null)
            .accessLogFileId(listenerAccessLog);
    }

    /**
     * Open the declared files and start the writer.
     *
     * @param config the configuration started with, to name the key of a file that cannot be opened.
     * @throws StartupException naming the error log's or the access log's key when its file cannot be opened.
     */
    void start(final ListenerConfiguration config)
    {
        try
        {
            requestLog.start();
        }
        catch (final UncheckedIOException ex)
        {
            final String key = null != config.errorLog().path() &&
                ex.getMessage().contains(config.errorLog().path().toString()) ?
                ConfigKeys.LISTENER_ERROR_LOG : ConfigKeys.LISTENER_ACCESS_LOG;
            throw new StartupException(key, ex.getMessage(), ex);
        }
    }

    /**
     * @return the access and error logs.
     */
    RequestLog requestLog()
    {
        return requestLog;
    }

    /**
     * Close and open the files again at their paths; the writer thread does it.
     */
    void reopen()
    {
        requestLog.reopen();
    }

    /**
     * Write what is logged and close the files.
     */
    void close()
    {
        requestLog.close();
    }

    private int declare(final LogFileConfiguration accessLog)
    {
        return accessLog.enabled() ?
            requestLog.accessLog(accessLog.path(), accessLog.rotateSizeLength(), accessLog.rotateDaily()) :
            QueueBinding.ACCESS_LOG_NONE;
    }
}
