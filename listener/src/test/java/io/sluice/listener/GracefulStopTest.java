package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM stops the listener gracefully: it stops accepting connections at once, lets the requests in flight finish
 * (here a slow one on each out-of-process model), stops its workers, removes its shared memory and exits 0. A
 * shared-memory worker asked to stop (end-of-file on its standard input) finishes the requests it holds first.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GracefulStopTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .queue(TestConfig.loopback("loopback", SampleHandler.class))
        .yaml();

    private static final String IN_PROCESS_CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .yaml();

    private static final long SLOW_MS = 1_500;
    private static final long IN_FLIGHT_WAIT_MS = 300;

    @Test
    void shouldFinishRequestsInFlightRefuseNewConnectionsAndExitZeroOnSigterm() throws Exception
    {
        try (ChildListener child = ChildListener.start("graceful", CONFIG, "/shm/", "/loopback/"))
        {
            final int port = child.port();
            final List<ProcessHandle> workers = child.workers();
            assertEquals(2, workers.size(), "workers: " + workers);

            final long termNs;
            final long refusedMs;
            try (RawHttpClient shm = new RawHttpClient(port); RawHttpClient loopback = new RawHttpClient(port))
            {
                shm.write(RawHttpClient.get("/shm/sleep?ms=" + SLOW_MS, port));
                loopback.write(RawHttpClient.get("/loopback/sleep?ms=" + SLOW_MS, port));
                Thread.sleep(IN_FLIGHT_WAIT_MS);

                termNs = System.nanoTime();
                child.process().destroy();
                refusedMs = awaitRefused(port, termNs);
                assertTrue(refusedMs < SLOW_MS - IN_FLIGHT_WAIT_MS,
                    "new connections still accepted " + refusedMs + " ms after SIGTERM");

                final RawHttpClient.Response shmResponse = shm.readResponse(false);
                final RawHttpClient.Response loopbackResponse = loopback.readResponse(false);
                assertEquals(200, shmResponse.status(), shmResponse::toString);
                assertEquals("slept", shmResponse.bodyText());
                assertEquals(200, loopbackResponse.status(), loopbackResponse::toString);
                assertEquals("slept", loopbackResponse.bodyText());
            }

            final long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termNs);
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), "the listener did not exit");
            System.out.printf("SIGTERM: new connections refused after %d ms, requests in flight answered after " +
                "%d ms, exit %d after %d ms%n", refusedMs, answeredMs, child.process().exitValue(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termNs));
            assertEquals(0, child.process().exitValue(), child.output());
            ListenerKilledTest.awaitExit(workers, System.nanoTime());
            assertFalse(Files.exists(child.shmDir()), "shared memory left behind");
        }
    }

    @Test
    void shouldLetSharedMemoryWorkerFinishRequestItHoldsWhenAskedToStop() throws Exception
    {
        final TestListener listener = TestListener.start("worker-stop", IN_PROCESS_CONFIG);
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            assertEquals(200, listener.awaitOk("/shm/", 20_000).status());
            final long pid = listener.supervisor("shm").pid(0);
            client.write(RawHttpClient.get("/shm/sleep?ms=" + SLOW_MS, listener.port()));
            Thread.sleep(IN_FLIGHT_WAIT_MS);

            // close() does not wait for requests in flight; the worker, asked to stop, finishes the one it holds
            final Thread closer = new Thread(listener::close, "closer");
            closer.start();
            final RawHttpClient.Response response = client.readResponse(false);
            closer.join(30_000);

            assertEquals(200, response.status(), response::toString);
            assertEquals("slept", response.bodyText());
            assertTrue(ProcessHandle.of(pid).map((p) -> !p.isAlive()).orElse(true), "the worker is still running");
        }
        finally
        {
            listener.close();
        }
    }

    /**
     * @return ms from SIGTERM until a new connection was refused.
     */
    private static long awaitRefused(final int port, final long termNs) throws InterruptedException
    {
        final long deadlineNs = termNs + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadlineNs < 0)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port), 1_000);
            }
            catch (final ConnectException ex)
            {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termNs);
            }
            catch (final IOException ex)
            {
                // try again
            }
            Thread.sleep(10);
        }
        throw new AssertionError("new connections were still accepted 10 s after SIGTERM");
    }
}
