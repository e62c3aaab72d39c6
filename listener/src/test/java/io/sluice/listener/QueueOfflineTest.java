package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Taking a queue offline and back (IIS {@code app_offline.htm}), in every hosting model, with real workers over real
 * sockets: through the admin port ({@code POST /queues/<name>/offline}) and the {@code sluice offline|online} commands.
 * Offline, a new request is answered 503 with the queue's page while one in flight is still answered, and the
 * workers stop once they have finished; online, they start again and the queue serves 200.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueueOfflineTest
{
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final String PAGE = "<html><body>down for maintenance</body></html>";

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @TempDir
    Path tempDir;

    private static String config(final String model, final int adminPort)
    {
        final TestConfig.Queue queue = switch (model)
        {
            case "inproc" -> TestConfig.inProcess("q", SampleHandler.class);
            case "shm" -> TestConfig.sharedMemory("q", SampleHandler.class);
            default -> TestConfig.loopback("q", SampleHandler.class);
        };
        queue.set("offlineBody", "\"" + PAGE + "\"");
        return TestConfig.listener()
            .listener("bind", "127.0.0.1")
            .listener("adminPort", adminPort)
            .queue(queue)
            .yaml();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldAnswerTheOfflinePageThenServeAgainOnline(final String model) throws Exception
    {
        final int adminPort = TestListener.freePort();
        final TestListener listener = LISTENERS.start("offline", config(model, adminPort));
        listener.assertReady(READY_TIMEOUT_MS, "/q/");
        final int port = listener.port();
        final WorkerSupervisor supervisor = "inproc".equals(model) ? null : listener.supervisor("q");
        final List<Long> workers = null == supervisor ? List.of() : supervisor.pids();
        assertEquals("inproc".equals(model) ? 0 : 1, workers.size(), workers::toString);

        try (RawHttpClient slow = new RawHttpClient(port))
        {
            slow.write(RawHttpClient.get("/q/sleep?ms=700", port));
            Thread.sleep(200);

            final RawHttpClient.Response offline = post(adminPort, "/queues/q/offline");
            assertEquals(200, offline.status(), offline::toString);
            assertEquals("queue q offline", offline.bodyText().strip());

            try (RawHttpClient client = new RawHttpClient(port))
            {
                final RawHttpClient.Response refused = client.send(RawHttpClient.get("/q/", port));
                assertEquals(503, refused.status(), refused::toString);
                assertEquals("text/html; charset=utf-8", refused.header("content-type"));
                assertEquals(PAGE, refused.bodyText());
            }

            final RawHttpClient.Response inFlight = slow.readResponse(false);
            assertEquals(200, inFlight.status(), "the request in flight was not finished: " + inFlight);
            assertEquals("slept", inFlight.bodyText());
        }
        for (final long pid : workers)
        {
            final ProcessHandle worker = ProcessHandle.of(pid).orElse(null);
            if (null != worker)
            {
                worker.onExit().get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
        if (null != supervisor)
        {
            assertTrue(supervisor.isDormant());
        }
        final String offlineStatus = get(adminPort, "/status").bodyText();
        assertTrue(offlineStatus.contains("\"q\": {\"state\": \"offline\""), offlineStatus);

        final Path configFile = tempDir.resolve("sluice.yaml");
        // the file the command reads: the listener's, for its admin port (the command starts nothing)
        Files.writeString(configFile, config(model, adminPort)
            .replace("${PORT}", Integer.toString(port))
            .replace("${ID}", "offline-command")
            .replace("${SHM_DIR}", tempDir.resolve("shm").toString())
            .replace("${LOG_DIR}", tempDir.toString()));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = AdminCommand.run(
            new String[]{ "online", "q", "--config", configFile.toString() },
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertEquals("queue q online\n", out.toString(StandardCharsets.UTF_8));

        final RawHttpClient.Response online = listener.awaitOk("/q/", READY_TIMEOUT_MS);
        assertNotNull(online);
        assertEquals(200, online.status(), online::toString);
        assertEquals("Hello, World!", online.bodyText());
        if (null != supervisor)
        {
            final List<Long> restarted = supervisor.pids();
            assertEquals(1, restarted.size(), restarted::toString);
            assertFalse(workers.contains(restarted.get(0)), "not a new worker");
            assertEquals(0, supervisor.workers().get(0).restarts(), "going offline is no failure");
        }
        final String onlineStatus = get(adminPort, "/status").bodyText();
        assertTrue(onlineStatus.contains("\"q\": {\"state\": \"online\""), onlineStatus);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "offline", "online", "recycle" })
    void shouldRefuseAnUnknownQueueAndAnotherMethod(final String operation) throws Exception
    {
        final int adminPort = TestListener.freePort();
        LISTENERS.start("offline-refusals", config("inproc", adminPort));

        assertEquals(404, post(adminPort, "/queues/nothere/" + operation).status());
        assertEquals(405, get(adminPort, "/queues/q/" + operation).status());
        assertEquals(404, post(adminPort, "/queues/q/sideways").status());
    }

    static RawHttpClient.Response post(final int adminPort, final String path) throws Exception
    {
        try (RawHttpClient admin = new RawHttpClient(adminPort))
        {
            return admin.send(RawHttpClient.request(
                "POST", path, RawHttpClient.LOOPBACK_ADDRESS + ":" + adminPort, "Content-Length: 0"));
        }
    }

    static RawHttpClient.Response get(final int adminPort, final String path) throws Exception
    {
        try (RawHttpClient admin = new RawHttpClient(adminPort))
        {
            return admin.send(RawHttpClient.get(path, adminPort));
        }
    }
}
