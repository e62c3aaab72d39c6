package io.sluice.listener.hosting.inprocess;

import io.sluice.dispatch.worker.Handler;
import io.sluice.listener.config.StartupException;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Loads a {@link Handler} by class name, with a one-line error naming the key for a user's mistake: one path for the
 * start-up check and the load.
 */
public final class HandlerLoader
{
    private static final int MAX_UNWRAP = 8;

    private HandlerLoader()
    {
    }

    /**
     * Check, without initialising it, that a class on the listener's class path can be a handler: it exists,
     * implements {@link Handler}, is not abstract and has a public constructor without arguments. For a handler that
     * runs in a worker process, which loads it there.
     *
     * @param className the class name, e.g. {@code io.sluice.dispatch.sample.SampleHandler}.
     * @param key       the key path that names it, for the message.
     * @throws StartupException naming {@code key} when it cannot be a handler.
     */
    public static void check(final String className, final String key)
    {
        constructor(className, key);
    }

    /**
     * Create a handler the listener runs itself: the checks of {@link #check(String, String)}, then the class is
     * initialised and its constructor called. Whatever that throws (a static initialiser's exception, a constructor's,
     * an error linking the class) is a start-up error naming {@code key}, with the handler's own cause:
     * {@code handler class cannot be created: <class>: <cause message>}.
     *
     * @param className the class name, e.g. {@code io.sluice.dispatch.sample.SampleHandler}.
     * @param key       the key path that names it, for the message.
     * @return a new instance.
     * @throws StartupException naming {@code key} when it cannot be a handler or cannot be created.
     */
    public static Handler create(final String className, final String key)
    {
        final Constructor<?> constructor = constructor(className, key);
        try
        {
            return (Handler)constructor.newInstance();
        }
        catch (final Throwable ex)
        {
            final Throwable cause = cause(ex);
            throw new StartupException(key, "handler class cannot be created: " + className + ": " +
                (null == cause.getMessage() ? cause.getClass().getName() : cause.getMessage()), cause);
        }
    }

    private static Throwable cause(final Throwable ex)
    {
        Throwable cause = ex;
        for (int i = 0; i < MAX_UNWRAP; i++)
        {
            if (cause instanceof InvocationTargetException && null != cause.getCause())
            {
                cause = cause.getCause();
            }
            else if (cause instanceof ExceptionInInitializerError && null != cause.getCause())
            {
                cause = cause.getCause();
            }
            else
            {
                break;
            }
        }
        return cause;
    }

    private static Constructor<?> constructor(final String className, final String key)
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
            return type.getConstructor();
        }
        catch (final NoSuchMethodException ex)
        {
            throw new StartupException(
                key, "handler class has no public constructor without arguments: " + className, ex);
        }
    }
}
