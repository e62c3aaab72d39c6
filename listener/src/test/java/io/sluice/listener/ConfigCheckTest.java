package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice check [--config FILE]} (nginx {@code -t}): a valid file exits 0 with the effective configuration,
 * defaults filled in, on standard output; a file with a mistake exits 2 with the one line {@code sluice run} gives,
 * naming the key. It binds no port and starts no worker. Each case runs the real {@link SluiceMain} in a child JVM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConfigCheckTest
{
    private static final String SAMPLE_HANDLER = "io.sluice.dispatch.sample.SampleHandler";

    @TempDir
    Path tempDir;

    @Test
    void shouldExit0AndPrintTheEffectiveConfigurationWithDefaults() throws Exception
    {
        final Path file = write("""
            listener:
              id: check-valid
            queues:
              - name: app
                prefixes: [ "http://+:18080/app/" ]
                hosting: shared-memory
                handler: %s
            """.formatted(SAMPLE_HANDLER));

        final SluiceCommandRun.Result result = check(file);

        assertEquals(0, result.status(), result.stderr());
        assertEquals(List.of("sluice: " + file + ": configuration is valid"), result.stderr().lines().toList());
        final String expectedStart = """
            listener:
              id: check-valid
              bind: 127.0.0.1
            """;
        assertTrue(result.stdout().startsWith(expectedStart), result.stdout());
        final List<String> lines = result.stdout().lines().map(String::strip).toList();
        // the listener's defaults
        assertTrue(lines.contains("shmDir: /dev/shm/sluice-check-valid"), result.stdout());
        assertTrue(lines.contains("maxRequestBytes: 16k"), result.stdout());
        assertTrue(lines.contains("maxPipelinedRequests: 32"), result.stdout());
        assertTrue(lines.contains("headerWait: 2m"), result.stdout());
        // the queue's and its worker's
        assertTrue(lines.contains("queueLength: 1000"), result.stdout());
        assertTrue(lines.contains("ringCapacity: 1m"), result.stdout());
        assertTrue(lines.contains("responseWindow: 256k"), result.stdout());
        assertTrue(lines.contains("processes: 1"), result.stdout());
        assertTrue(lines.contains("startupTimeLimit: 2m"), result.stdout());
        assertTrue(lines.contains("heartbeatTimeout: 10s"), result.stdout());
        assertFalse(Files.exists(Path.of("/dev/shm/sluice-check-valid")), "check created the shared-memory directory");
    }

    @Test
    void shouldPassTheDefaultConfiguration() throws Exception
    {
        final Path file = Path.of("..", "native-config", "sluice.yaml").toAbsolutePath().normalize();

        final SluiceCommandRun.Result result = check(file);

        assertEquals(0, result.status(), result.stderr());
        assertEquals(List.of("sluice: " + file + ": configuration is valid"), result.stderr().lines().toList());
        assertTrue(result.stdout().contains("- name: shm"), result.stdout());
    }

    @Test
    void shouldBindNoPortSoAPortInUseIsNoMistake() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(RawHttpClient.LOOPBACK_ADDRESS)))
        {
            final Path file = write(inProcess("http://+:" + taken.getLocalPort() + "/", SAMPLE_HANDLER));

            final SluiceCommandRun.Result result = check(file);

            assertEquals(0, result.status(), result.stderr());
            assertTrue(result.stdout().contains("http://+:" + taken.getLocalPort() + "/"), result.stdout());
        }
    }

    @Test
    void shouldExit2NamingTheKeyWhenAValueIsOutOfRange() throws Exception
    {
        assertExit2(write("""
            queues:
              - name: app
                prefixes: [ "http://+:18080/" ]
                hosting: loopback
                handler: %s
                worker: { processes: 0 }
            """.formatted(SAMPLE_HANDLER)), "queues[0].worker.processes: must be between 1 and 64 (was 0)");
    }

    @Test
    void shouldExit2NamingTheKeyWhenItIsUnknown() throws Exception
    {
        final Path file = write("""
            listener:
              maxConections: 10
            queues:
              - name: app
                prefixes: [ "http://+:18080/" ]
                hosting: in-process
                handler: %s
            """.formatted(SAMPLE_HANDLER));
        assertExit2(file, "listener.maxConections: unknown key");
    }

    @Test
    void shouldExit2NamingTheKeyWhenARequiredKeyIsMissing() throws Exception
    {
        assertExit2(write("""
            queues:
              - name: app
                hosting: in-process
                handler: %s
            """.formatted(SAMPLE_HANDLER)), "queues[0].prefixes: missing required key");
    }

    @Test
    void shouldExit2NamingTheLineWhenTheFileIsNotYaml() throws Exception
    {
        final Path file = write("queues: [ { name: app\n");
        final SluiceCommandRun.Result result = check(file);
        assertEquals(2, result.status(), result.stderr());
        assertEquals(
            List.of("sluice: " + file + ":2:1: invalid YAML: expected ',' or '}', but got <stream end>"),
            result.stderr().lines().toList());
    }

    @Test
    void shouldExit2NamingTheHandlerWhenItsClassDoesNotExist() throws Exception
    {
        assertExit2(
            write(inProcess("http://+:18080/", "io.sluice.NoSuchHandler")),
            "queues[0].handler: handler class not found on the class path: io.sluice.NoSuchHandler");
    }

    @Test
    void shouldExit2NamingTheKeyWhenItDoesNotMatchItsCertificate() throws Exception
    {
        final Path[] first = TlsClients.certificateFiles(tempDir.resolve("first"), "first.test");
        final Path[] second = TlsClients.certificateFiles(tempDir.resolve("second"), "second.test");
        assertExit2(write("""
            listener:
              tls:
                certificates:
                  - hosts: ["*"]
                    certificate: %s
                    key: %s
            queues:
              - name: app
                prefixes: [ "https://+:18443/" ]
                hosting: in-process
                handler: %s
            """.formatted(first[0], second[1], SAMPLE_HANDLER)),
            "listener.tls.certificates[0].key: does not match its certificate's public key");
    }

    @Test
    void shouldExit2WhenTheFileDoesNotExist() throws Exception
    {
        assertExit2(tempDir.resolve("missing.yaml"), "file not found");
    }

    private void assertExit2(final Path file, final String expectedStart) throws Exception
    {
        final SluiceCommandRun.Result result = check(file);
        assertEquals(2, result.status(), result.stderr());
        final List<String> lines = result.stderr().lines().toList();
        assertEquals(1, lines.size(), result.stderr());
        assertTrue(lines.get(0).startsWith("sluice: " + file + ": " + expectedStart), lines.get(0));
        assertEquals("", result.stdout(), "stdout");
    }

    private static String inProcess(final String prefix, final String handler)
    {
        return """
            queues:
              - name: app
                prefixes: [ "%s" ]
                hosting: in-process
                handler: %s
            """.formatted(prefix, handler);
    }

    private Path write(final String yaml) throws IOException
    {
        return Files.writeString(tempDir.resolve("sluice.yaml"), yaml, StandardCharsets.UTF_8);
    }

    private SluiceCommandRun.Result check(final Path configFile) throws Exception
    {
        final SluiceCommandRun.Result result =
            SluiceCommandRun.run(tempDir, StandardCharsets.UTF_8, "check", "--config", configFile.toString());
        assertFalse(result.childrenLeft(), "check started a process");
        return result;
    }
}
