package io.sluice.listener;

import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.tls.PemFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Listener#reload} with the settings source injected (the file's text, or its mistake): queues and prefixes
 * come and go, limits change for the requests routed after, settings that need a restart keep their running values,
 * an invalid source changes nothing, a request in flight finishes with what it started with, and a queue whose worker
 * settings change is recycled with new workers ready before the old ones stop. Real listener, real sockets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ListenerReloadTest
{
    private static final String HANDLER = "io.sluice.dispatch.sample.SampleHandler";
    private static final long READY_TIMEOUT_MS = 30_000;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @TempDir
    Path tempDir;

    @Test
    void shouldServeAnAddedQueueAndStopRoutingARemovedOne() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-queues", config(TestConfig.inProcess("a", HANDLER)));
        assertEquals(404, get(listener, "/b/").status());

        final ReloadOutcome added = reload(listener,
            config(TestConfig.inProcess("a", HANDLER), TestConfig.inProcess("b", HANDLER)));

        assertTrue(added.applied(), added.line());
        assertEquals("reload 1 applied: queues added [b]; ports unchanged", added.line());
        assertEquals("Hello, World!", get(listener, "/b/").bodyText());

        final ReloadOutcome removed = reload(listener, config(TestConfig.inProcess("b", HANDLER)));

        assertEquals("reload 2 applied: removed [a] (draining); ports unchanged", removed.line());
        assertEquals(404, get(listener, "/a/").status());
        assertEquals(200, get(listener, "/b/").status());
        assertEquals(null, listener.listener().queue("a"));
    }

    @Test
    void shouldRouteANewPrefixOnAnOpenKeepAliveConnection() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-prefix", config(TestConfig.inProcess("a", HANDLER)));
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            assertEquals(404, client.send(RawHttpClient.get("/more/", listener.port())).status());

            reload(listener, config(TestConfig.inProcess("a", HANDLER)
                .prefixes("http://+:${PORT}/a/", "http://+:${PORT}/more/")));

            final RawHttpClient.Response response = client.send(RawHttpClient.get("/more/", listener.port()));
            assertEquals(200, response.status(), response::toString);
        }
    }

    @Test
    void shouldListenOnAPortANewPrefixNamesAndCloseItWhenNoPrefixNamesIt() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-port", config(TestConfig.inProcess("a", HANDLER)));
        final int otherPort = TestListener.freePort();
        final String withPort = config(TestConfig.inProcess("a", HANDLER),
            TestConfig.inProcess("b", HANDLER).prefixes("http://+:" + otherPort + "/b/"));

        final ReloadOutcome bound = reload(listener, withPort);

        assertEquals("reload 1 applied: queues added [b]; ports bound [" + otherPort + "]", bound.line());
        try (RawHttpClient client = new RawHttpClient(otherPort))
        {
            assertEquals(200, client.send(RawHttpClient.get("/b/", otherPort)).status());
        }

        final ReloadOutcome closed = reload(listener, config(TestConfig.inProcess("a", HANDLER)));

        assertEquals("reload 2 applied: removed [b] (draining); closed [" + otherPort + "]", closed.line());
        assertThrows(ConnectException.class, () -> new RawHttpClient(otherPort).close());
    }

    @Test
    void shouldKeepTheRunningConfigurationWhenTheSourceHasAMistake() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-invalid", config(TestConfig.inProcess("a", HANDLER)));
        final ListenerConfiguration running = listener.listener().configuration();

        final ReloadOutcome outcome = listener.listener().reload("sluice.yaml", () ->
        {
            throw new ConfigException("sluice.yaml: queues[0].queueLength: must be between 1 and 1000000 (was 0)");
        });

        assertFalse(outcome.applied());
        assertEquals("reload 1 refused, running configuration kept: sluice.yaml: queues[0].queueLength: must be " +
            "between 1 and 1000000 (was 0)", outcome.line());
        assertSame(running, listener.listener().configuration());
        assertEquals(200, get(listener, "/a/").status());
        assertSame(outcome, listener.listener().lastReload());
    }

    @Test
    void shouldRefuseTheWholeReloadWhenAQueueNamesAMissingHandler() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-handler", config(TestConfig.inProcess("a", HANDLER)));
        final int otherPort = TestListener.freePort();

        final ReloadOutcome outcome = reload(listener, config(
            TestConfig.inProcess("a", HANDLER).prefixes("http://+:${PORT}/a/", "http://+:" + otherPort + "/a/"),
            TestConfig.inProcess("b", "io.sluice.NoSuchHandler")));

        assertFalse(outcome.applied());
        assertTrue(outcome.line().startsWith("reload 1 refused, running configuration kept: " +
            "sluice.yaml: queues[1].handler: handler class not found on the class path: io.sluice.NoSuchHandler"),
            outcome.line());
        assertEquals(List.of(listener.port()), listener.listener().serverChannels().ports());
        assertEquals(404, get(listener, "/b/").status());
    }

    @Test
    void shouldApplyANewQueueLimitToRequestsRoutedAfterTheReload() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-limit", config(TestConfig.inProcess("a", HANDLER)));
        final byte[] body = new byte[2048];
        assertEquals(200, post(listener, "/a/echo", body).status());

        final ReloadOutcome outcome = reload(listener, config(
            TestConfig.inProcess("a", HANDLER).set("maxRequestBodySize", "1k")));

        assertEquals("reload 1 applied: limits changed [a]; ports unchanged", outcome.line());
        assertEquals(413, post(listener, "/a/echo", body).status());
    }

    @Test
    void shouldApplyNewConnectionLimitsToConnectionsAcceptedAfterTheReload() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-conn", config(TestConfig.inProcess("a", HANDLER)));
        final String longPath = "/a/" + (("x".repeat(99)) + "/").repeat(15);
        try (RawHttpClient before = new RawHttpClient(listener.port()))
        {
            assertEquals(200, before.send(RawHttpClient.get(longPath, listener.port())).status());

            final ReloadOutcome outcome = reload(listener, TestConfig.listener().listener("maxUrlLength", "1k")
                .queue(TestConfig.inProcess("a", HANDLER)).yaml());

            assertEquals("reload 1 applied: queues unchanged; listener [maxUrlLength]; ports unchanged",
                outcome.line());
            // the connection accepted before keeps its limits; a new one gets the new
            assertEquals(200, before.send(RawHttpClient.get(longPath, listener.port())).status());
            assertEquals(414, get(listener, longPath).status());
        }
    }

    @Test
    void shouldServeNewHandshakesWithTheCertificateReadAtTheReloadAndLeaveOpenConnectionsAsTheyAre() throws Exception
    {
        final Path live = Files.createDirectories(tempDir.resolve("live"));
        final Path[] first = TlsClients.certificateFiles(tempDir.resolve("first"), "first.test");
        final Path[] second = TlsClients.certificateFiles(tempDir.resolve("second"), "second.test");
        final Path certificate = Files.copy(first[0], live.resolve("server.pem"));
        final Path key = Files.copy(first[1], live.resolve("server.key"));
        final String template = TestConfig.listener()
            .listener("tls", "{ certificates: [ { hosts: [\"*\"], certificate: \"" + certificate + "\", key: \"" +
                key + "\" } ] }")
            .queue(TestConfig.inProcess("a", HANDLER).prefixes("https://+:${PORT}/a/")).yaml();
        final TestListener listener = LISTENERS.start("reload-tls", template);
        try (SSLSocket before = TlsClients.connect(listener.port(), null, null);
            RawHttpClient beforeClient = new RawHttpClient(before))
        {
            assertEquals(certificateOf(first), TlsClients.serverCertificate(before));
            assertEquals(200, beforeClient.send(RawHttpClient.get("/a/", listener.port())).status());

            // the certificate renewed in place, as an operator's tooling does: same paths, new files
            Files.copy(second[0], certificate, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second[1], key, StandardCopyOption.REPLACE_EXISTING);
            final ReloadOutcome outcome = reload(listener, template);

            assertEquals("reload 1 applied: queues unchanged; listener [tls]; ports unchanged", outcome.line());
            try (SSLSocket after = TlsClients.connect(listener.port(), null, null);
                RawHttpClient afterClient = new RawHttpClient(after))
            {
                assertEquals(certificateOf(second), TlsClients.serverCertificate(after));
                assertEquals(200, afterClient.send(RawHttpClient.get("/a/", listener.port())).status());
            }
            assertEquals(200, beforeClient.send(RawHttpClient.get("/a/", listener.port())).status());
            assertEquals(certificateOf(first), TlsClients.serverCertificate(before));
        }
    }

    private static X509Certificate certificateOf(final Path[] files)
    {
        return PemFiles.readChain(files[0], "test")[0];
    }

    @Test
    void shouldNameWhatNeedsARestartAndApplyTheRest() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-restart", config(TestConfig.inProcess("a", HANDLER)));

        final ReloadOutcome outcome = reload(listener, TestConfig.listener().listener("eventLoops", 2)
            .queue(TestConfig.inProcess("a", HANDLER)).queue(TestConfig.inProcess("b", HANDLER)).yaml());

        assertTrue(outcome.applied());
        assertEquals("reload 1 applied: queues added [b]; ports unchanged; needs restart: " +
            "listener.eventLoops (running 1, file 2)", outcome.line());
        assertEquals(1, listener.listener().configuration().eventLoops());
        assertEquals(200, get(listener, "/b/").status());
    }

    @Test
    void shouldFinishARequestInFlightOnARemovedQueue() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-inflight",
            config(TestConfig.inProcess("a", HANDLER), TestConfig.inProcess("b", HANDLER)));
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            client.write(RawHttpClient.get("/a/sleep?ms=500", listener.port()));
            assertEquals(1, listener.awaitQueueLength("a", 1));
            final var queue = listener.listener().queue("a");

            reload(listener, config(TestConfig.inProcess("b", HANDLER)));

            final RawHttpClient.Response answer = client.readResponse(false);
            assertEquals(200, answer.status(), answer::toString);
            assertEquals(0, queue.length());
            assertEquals(404, get(listener, "/a/").status());
        }
    }

    @Test
    void shouldRecycleASharedMemoryQueueWithNewWorkersReadyBeforeTheOldStop() throws Exception
    {
        recycle("reload-recycle-shm", TestConfig.sharedMemory("w", HANDLER));
    }

    @Test
    void shouldRecycleALoopbackQueueWithNewWorkersReadyBeforeTheOldStop() throws Exception
    {
        recycle("reload-recycle-lb", TestConfig.loopback("w", HANDLER));
    }

    private void recycle(final String id, final TestConfig.Queue queue) throws Exception
    {
        final TestListener listener = LISTENERS.start(id, config(queue));
        listener.assertReady(READY_TIMEOUT_MS, "/w/");
        final WorkerSupervisor oldWorkers = listener.supervisor("w");
        final List<Long> oldPids = oldWorkers.pids();
        assertEquals(1, oldPids.size());
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            // a request in flight on the old worker when the reload starts
            client.write(RawHttpClient.get("/w/sleep?ms=1500", listener.port()));
            assertEquals(1, listener.awaitQueueLength("w", 1));

            final ReloadOutcome outcome = reload(listener, config(queue.worker("processes", 2)));

            assertEquals("reload 1 applied: recycled [w] (new workers ready, previous ones draining); " +
                "ports unchanged", outcome.line());
            final WorkerSupervisor newWorkers = listener.supervisor("w");
            assertNotEquals(oldWorkers, newWorkers);
            // routed to only once every new worker was ready
            assertEquals(2, newWorkers.readyCount());
            for (final long pid : newWorkers.pids())
            {
                assertFalse(oldPids.contains(pid));
            }
            assertEquals(200, get(listener, "/w/").status());
            final RawHttpClient.Response answer = client.readResponse(false);
            assertEquals(200, answer.status(), answer::toString);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ProcessHandle.of(oldPids.get(0)).map(ProcessHandle::isAlive).orElse(false) &&
            System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(20);
        }
        assertFalse(ProcessHandle.of(oldPids.get(0)).map(ProcessHandle::isAlive).orElse(false),
            "the old worker still runs");
    }

    @Test
    void shouldRecycleTheWorkersOfAQueueWhoseWorkerEnvironmentChangesAndKeepItsHost() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-workers", config(TestConfig.sharedMemory("w", HANDLER)));
        listener.assertReady(READY_TIMEOUT_MS, "/w/");
        final var host = listener.listener().host("w");
        final long oldPid = listener.supervisor("w").pid(0);

        final ReloadOutcome outcome = reload(listener, config(
            TestConfig.sharedMemory("w", HANDLER).environment("RELOADED", "1")));

        assertEquals("reload 1 applied: workers recycled [w] (overlapped: each replacement takes over once ready); " +
            "ports unchanged", outcome.line());
        assertSame(host, listener.listener().host("w"));
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((listener.supervisor("w").pid(0) == oldPid ||
            ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false)) && System.nanoTime() - deadlineNs < 0)
        {
            assertEquals(200, get(listener, "/w/").status());
            Thread.sleep(20);
        }
        assertNotEquals(oldPid, listener.supervisor("w").pid(0));
        assertFalse(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false), "the old worker still runs");
        assertEquals(200, get(listener, "/w/").status());
    }

    @Test
    void shouldRefuseARecycleWhoseNewWorkersNeverBecomeReadyAndKeepTheOldOnes() throws Exception
    {
        final TestListener listener = LISTENERS.start("reload-notready", config(TestConfig.sharedMemory("w", HANDLER)));
        listener.assertReady(READY_TIMEOUT_MS, "/w/");
        final WorkerSupervisor oldWorkers = listener.supervisor("w");
        final Path script = listener.logDir().resolve("exits.sh");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\nexit 3\n", StandardCharsets.US_ASCII);
        assertTrue(script.toFile().setExecutable(true));

        final ReloadOutcome outcome = reload(listener, config(TestConfig.sharedMemory("w", HANDLER)
            .command(script.toString()).worker("startupRetryCount", 0).worker("startupTimeLimit", "2s")));

        assertFalse(outcome.applied(), outcome.line());
        assertTrue(outcome.line().startsWith("reload 1 refused, running configuration kept: sluice.yaml: " +
            "queues[0].worker: queue w: 0 of 1 new worker(s) ready within"), outcome.line());
        assertSame(oldWorkers, listener.supervisor("w"));
        assertEquals(200, get(listener, "/w/").status());
    }

    private static String config(final TestConfig.Queue... queues)
    {
        final TestConfig config = TestConfig.listener();
        for (final TestConfig.Queue queue : queues)
        {
            config.queue(queue);
        }
        return config.yaml();
    }

    private static ReloadOutcome reload(final TestListener listener, final String template)
    {
        final Supplier<ListenerConfiguration> source = () -> listener.configuration(template);
        return listener.listener().reload("sluice.yaml", source);
    }

    private static RawHttpClient.Response get(final TestListener listener, final String path) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            return client.send(RawHttpClient.get(path, listener.port()));
        }
    }

    private static RawHttpClient.Response post(final TestListener listener, final String path, final byte[] body)
        throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            return client.send(RawHttpClient.post(path, listener.port(), "application/octet-stream", body));
        }
    }
}
