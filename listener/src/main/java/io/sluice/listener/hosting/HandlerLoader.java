package io.sluice.listener.hosting;

import io.sluice.dispatch.worker.Handler;
import io.sluice.listener.config.StartupException;

import java.lang.reflect.Modifier;

/**
 * Loads a {@link Handler} by class name, with a one-line error for a user's mistake.
 */
public final class HandlerLoader
{
    private HandlerLoader()
    {
    }

    /**
     * Check, without initialising it, that a class on the listener's class path can be a handler: it exists,
     * implements {@link Handler}, is not abstract and has a public constructor without arguments.
     *
     * @param className the class name, e.g. {@code io.sluice.dispatch.sample.SampleHandler}.
     * @param key       the key path that names it, for the message.
     * @throws StartupException naming {@code key} when it cannot be a handler.
     */
    public static void check(final String className, final String key)
    {
        final Class<?> type;
        try
        {
            type = Class.forName(className, false, HandlerLoader.class.getClassLoader());
        }
        catch (final ClassNotFoundException ex)
        {
            throw new StartupException(key, "handler class not found on the class path: " + className, ex);
        }
        catch (final LinkageError ex)
        {
            throw new StartupException(key, "handler class cannot be loaded: " + className + ": " + ex, ex);
        }
        if (!Handler.class.isAssignableFrom(type))
        {
            throw new StartupException(
                key, "handler class does not implement " + Handler.class.getName() + ": " + className);
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers()))
        {
            throw new StartupException(key, "handler class is abstract: " + className);
        }
        try
        {
            type.getConstructor();
        }
        catch (final NoSuchMethodException ex)
        {
            throw new StartupException(
                key, "handler class has no public constructor without arguments: " + className, ex);
        }
    }

    static Handler load(final String className)
    {
        try
        {
            final Class<?> type = Class.forName(className);
            if (!Handler.class.isAssignableFrom(type))
            {
                throw new IllegalStateException("handler class does not implement " + Handler.class.getName() +
                    ": " + className);
            }
            return (Handler)type.getConstructor().newInstance();
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalStateException("handler class not found: " + className, ex);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("handler class cannot be created: " + className + ": " + ex, ex);
        }
    }
}
