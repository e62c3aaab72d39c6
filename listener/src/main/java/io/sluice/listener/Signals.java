package io.sluice.listener;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.logging.Logger;

/**
 * Runs an action when the process receives a POSIX signal, through the JDK's {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, present on JDK 17 and 25). It is reached by reflection: the compiler warns on every
 * direct use of that API, and the build turns warnings into errors. The action runs on the JDK's signal dispatch
 * thread; it must return quickly (hand the work to another thread).
 */
final class Signals
{
    private static final Logger LOG = Logger.getLogger(Signals.class.getName());

    private Signals()
    {
    }

    /**
     * @param name   the signal without {@code SIG}, e.g. {@code USR1}.
     * @param action what to do each time it arrives.
     * @return true when installed; false (logged) when the JDK or the OS does not let the signal be handled.
     */
    static boolean handle(final String name, final Runnable action)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object signal = signalClass.getConstructor(String.class).newInstance(name);
            final InvocationHandler invocation = (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "handle":
                        action.run();
                        return null;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        return "SignalHandler[SIG" + name + "]";
                }
            };
            final Object handler = Proxy.newProxyInstance(
                handlerClass.getClassLoader(), new Class<?>[]{ handlerClass }, invocation);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            LOG.warning(() -> "cannot handle SIG" + name + ": " + ex);
            return false;
        }
    }
}
