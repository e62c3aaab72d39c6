package io.sluice.listener;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts and stops the {@link TestListener}s of a test class, so that the class holds no start-up or close-down code
 * of its own. Register it on a static field with {@code @RegisterExtension}:
 * <ul>
 *     <li>{@link #perClass}: one listener started before the class's {@code @BeforeAll} methods and closed after its
 *     {@code @AfterAll} methods (worker start-up is the slow part of most end-to-end tests);</li>
 *     <li>{@link #perTest}: a fresh listener before each test's {@code @BeforeEach} methods, closed after its
 *     {@code @AfterEach} methods;</li>
 *     <li>{@link #onDemand}: none until a test calls {@link #start}.</li>
 * </ul>
 * A listener started through {@link #start} is closed after the test that started it (or after the class, when a
 * {@code @BeforeAll} method started it). With {@link #awaitReady} the extension awaits each path's first 200 after
 * starting its listener and asserts that it came ({@link TestListener#assertReady}). When a test fails, the worker logs
 * of the listeners open at the time are kept ({@link TestListener.KeepLogsOnFailure}).
 * <pre>{@code
 * @RegisterExtension
 * static final ListenerExtension LISTENER =
 *     ListenerExtension.perClass("e2e", CONFIG).awaitReady(READY_TIMEOUT_MS, "/shm/");
 * }</pre>
 */
final class ListenerExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback, AfterAllCallback
{
    private final String idPrefix;
    private final String config;
    private final boolean perTest;
    private final List<TestListener> classScoped = new ArrayList<>();
    private final List<TestListener> testScoped = new ArrayList<>();
    private long readyTimeoutMs;
    private String[] readyPaths = new String[0];
    private TestListener listener;
    private boolean inTest;

    private ListenerExtension(final String idPrefix, final String config, final boolean perTest)
    {
        this.idPrefix = idPrefix;
        this.config = config;
        this.perTest = perTest;
    }

    /**
     * @param idPrefix start of the listener id, e.g. the test's short name.
     * @param config   the configuration template ({@link TestListener}'s tokens).
     * @return an extension that starts one listener for the whole class.
     */
    static ListenerExtension perClass(final String idPrefix, final String config)
    {
        return new ListenerExtension(idPrefix, config, false);
    }

    /**
     * @param idPrefix start of the listener id, e.g. the test's short name.
     * @param config   the configuration template ({@link TestListener}'s tokens).
     * @return an extension that starts a fresh listener for each test.
     */
    static ListenerExtension perTest(final String idPrefix, final String config)
    {
        return new ListenerExtension(idPrefix, config, true);
    }

    /**
     * @return an extension that starts nothing itself and closes what {@link #start} started.
     */
    static ListenerExtension onDemand()
    {
        return new ListenerExtension(null, null, false);
    }

    /**
     * Await each path's first 200 after the extension starts its listener, and assert that it came.
     *
     * @param timeoutMs how long to wait for each path.
     * @param paths     the paths, in order.
     * @return this.
     */
    ListenerExtension awaitReady(final long timeoutMs, final String... paths)
    {
        this.readyTimeoutMs = timeoutMs;
        this.readyPaths = paths.clone();
        return this;
    }

    /**
     * @return the listener this extension started for the class or the current test; null before it starts one.
     */
    TestListener get()
    {
        return listener;
    }

    /**
     * @return the port of the listener this extension started.
     */
    int port()
    {
        return listener.port();
    }

    /**
     * @return the {@link Listener} this extension started.
     */
    Listener listener()
    {
        return listener.listener();
    }

    /**
     * Start another listener, closed after the current test, or after the class when no test is running.
     *
     * @param idPrefix start of the listener id.
     * @param config   the configuration template.
     * @return the started listener.
     */
    TestListener start(final String idPrefix, final String config)
    {
        return start(idPrefix, config, SystemNanoClock.INSTANCE);
    }

    /**
     * Start another listener on a clock of the test's, closed after the current test, or after the class when no test
     * is running.
     *
     * @param idPrefix  start of the listener id.
     * @param config    the configuration template.
     * @param nanoClock the clock of the hosts' timers and the workers' lifetimes.
     * @return the started listener.
     */
    TestListener start(final String idPrefix, final String config, final NanoClock nanoClock)
    {
        final TestListener started = TestListener.start(idPrefix, config, nanoClock);
        (inTest ? testScoped : classScoped).add(started);
        return started;
    }

    /**
     * {@inheritDoc}
     */
    public void beforeAll(final ExtensionContext context) throws InterruptedException
    {
        if (null != config && !perTest)
        {
            listener = startReady();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void beforeEach(final ExtensionContext context) throws InterruptedException
    {
        inTest = true;
        if (perTest)
        {
            listener = startReady();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void afterTestExecution(final ExtensionContext context)
    {
        if (context.getExecutionException().isPresent())
        {
            TestListener.keepLogsOfOpenListeners(context.getDisplayName());
        }
    }

    /**
     * {@inheritDoc}
     */
    public void afterEach(final ExtensionContext context)
    {
        inTest = false;
        if (perTest)
        {
            listener = null;
        }
        closeAll(testScoped);
    }

    /**
     * {@inheritDoc}
     */
    public void afterAll(final ExtensionContext context)
    {
        listener = null;
        closeAll(classScoped);
    }

    private TestListener startReady() throws InterruptedException
    {
        final TestListener started = start(idPrefix, config);
        started.assertReady(readyTimeoutMs, readyPaths);
        return started;
    }

    private static void closeAll(final List<TestListener> listeners)
    {
        RuntimeException failure = null;
        for (final TestListener open : listeners)
        {
            try
            {
                open.close();
            }
            catch (final RuntimeException ex)
            {
                if (null == failure)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        listeners.clear();
        if (null != failure)
        {
            throw failure;
        }
    }
}
