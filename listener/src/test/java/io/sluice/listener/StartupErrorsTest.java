package io.sluice.listener;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Start-up errors follow the configuration rules: what a key names but cannot be used when the listener starts (a port
 * in use, an address this host does not have, a handler class or worker command that does not exist, a shared-memory
 * directory that is not the listener's) makes {@code sluice run} exit 2 with exactly one line on standard error,
 * {@code sluice: <file>: <key>: <problem>}, before any worker starts or any queue answers. Each case runs the real
 * {@link SluiceMain} in a child JVM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartupErrorsTest
{
    private static final String SAMPLE_HANDLER = "io.sluice.dispatch.sample.SampleHandler";

    @TempDir
    Path tempDir;

    @Test
    void shouldExit2NamingHandlerWhenInProcessHandlerClassDoesNotExist() throws Exception
    {
        assertOneLineExit2(
            config(freePort(), "", """
                  - name: app
                    prefixes: [ "http://+:${PORT}/" ]
                    hosting: in-process
                    handler: io.sluice.NoSuchHandler
                """),
            "queues[0].handler: handler class not found on the class path: io.sluice.NoSuchHandler");
    }

    @Test
    void shouldExit2NamingTheKeyWhenItDoesNotMatchItsCertificate() throws Exception
    {
        final Path[] first = TlsClients.certificateFiles(tempDir.resolve("first"), "first.test");
        final Path[] second = TlsClients.certificateFiles(tempDir.resolve("second"), "second.test");
        assertOneLineExit2(
            config(freePort(), """
                  tls:
                    certificates:
                      - hosts: ["*"]
                        certificate: %s
                        key: %s
                """.formatted(first[0], second[1]), """
                  - name: app
                    prefixes: [ "https://+:${PORT}/" ]
                    hosting: in-process
                    handler: %s
                """.formatted(SAMPLE_HANDLER)),
            "listener.tls.certificates[0].key: does not match its certificate's public key");
    }

    @Test
    void shouldExit2NamingHandlerWhenWorkerHandlerClassDoesNotExist() throws Exception
    {
        assertOneLineExit2(
            config(freePort(), "", """
                  - name: app
                    prefixes: [ "http://+:${PORT}/app/" ]
                    hosting: in-process
                    handler: %s
                  - name: shm
                    prefixes: [ "http://+:${PORT}/shm/" ]
                    hosting: shared-memory
                    handler: io.sluice.NoSuchHandler
                """.formatted(SAMPLE_HANDLER)),
            "queues[1].handler: handler class not found on the class path: io.sluice.NoSuchHandler");
    }

    @Test
    void shouldExit2NamingHandlerWhenClassIsNotHandler() throws Exception
    {
        assertOneLineExit2(
            config(freePort(), "", """
                  - name: app
                    prefixes: [ "http://+:${PORT}/" ]
                    hosting: loopback
                    handler: java.lang.String
                """),
            "queues[0].handler: handler class does not implement io.sluice.dispatch.worker.Handler: java.lang.String");
    }

    @Test
    void shouldExit2NamingCommandWhenWorkerProgramIsNotInPath() throws Exception
    {
        final String output = assertOneLineExit2(
            config(freePort(), "", """
                  - name: app
                    prefixes: [ "http://+:${PORT}/" ]
                    hosting: loopback
                    handler: %s
                    worker:
                      command: [ "no-such-sluice-worker", "--port", "0" ]
                """.formatted(SAMPLE_HANDLER)),
            "queues[0].worker.command: program not found in PATH (");
        assertTrue(output.endsWith("): no-such-sluice-worker"), output);
    }

    @Test
    void shouldExit2NamingCommandWhenWorkerProgramIsNotExecutable() throws Exception
    {
        final Path script = Files.writeString(tempDir.resolve("worker.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        assertOneLineExit2(
            config(freePort(), "", """
                  - name: app
                    prefixes: [ "http://+:${PORT}/" ]
                    hosting: shared-memory
                    handler: %s
                    worker:
                      command: [ "%s" ]
                """.formatted(SAMPLE_HANDLER, script)),
            "queues[0].worker.command: not an executable file: " + script);
    }

    @Test
    void shouldExit2NamingBindWhenHostNameDoesNotResolve() throws Exception
    {
        assertOneLineExit2(
            config(freePort(), "  bind: no-such-host.invalid\n", inProcessQueue()),
            "listener.bind: cannot resolve host name (was 'no-such-host.invalid')");
    }

    @Test
    void shouldExit2NamingBindWhenAddressIsNotThisHosts() throws Exception
    {
        // 192.0.2.0/24 is TEST-NET-1: documentation only, on no host
        final int port = freePort();
        assertOneLineExit2(
            config(port, "  bind: 192.0.2.1\n", inProcessQueue()),
            "listener.bind: cannot listen on 192.0.2.1:" + port + ": Cannot assign requested address");
    }

    @Test
    void shouldExit2NamingAdminBindWhenAddressIsNotThisHosts() throws Exception
    {
        final int adminPort = freePort();
        assertOneLineExit2(
            config(freePort(), "  adminPort: " + adminPort + "\n  adminBind: 192.0.2.1\n", inProcessQueue()),
            "listener.adminBind: cannot listen on admin port 192.0.2.1:" + adminPort +
            ": Cannot assign requested address");
    }

    @Test
    void shouldExit2NamingPrefixWhenPortIsInUse() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(RawHttpClient.LOOPBACK_ADDRESS)))
        {
            final int freePort = freePort();
            assertOneLineExit2(
                config(freePort, "", """
                      - name: app
                        prefixes: [ "http://+:${PORT}/app/" ]
                        hosting: in-process
                        handler: %s
                      - name: other
                        prefixes: [ "http://+:${PORT}/other/", "http://+:%d/" ]
                        hosting: loopback
                        handler: %s
                    """.formatted(SAMPLE_HANDLER, taken.getLocalPort(), SAMPLE_HANDLER)),
                "queues[1].prefixes[1]: cannot listen on 127.0.0.1:" + taken.getLocalPort() +
                ": Address already in use");
        }
    }

    @Test
    void shouldExit2NamingPrefixWhenPortIsInUseWithOneSocketPerEventLoop() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(RawHttpClient.LOOPBACK_ADDRESS)))
        {
            assertOneLineExit2(
                config(taken.getLocalPort(), "  bind: 127.0.0.1\n  eventLoops: 2\n", inProcessQueue()),
                "queues[0].prefixes[0]: cannot listen on 127.0.0.1:" + taken.getLocalPort() +
                ": Address already in use");
        }
    }

    @Test
    void shouldExit2NamingPrefixWhenAnotherProcessOfTheSameUserListensWithReusePort() throws Exception
    {
        // SO_REUSEPORT would let the listener's sockets join this one's group (same user): never share silently
        try (ServerSocketChannel taken = ServerSocketChannel.open())
        {
            taken.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            taken.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            taken.bind(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, 0));
            final int port = ((InetSocketAddress)taken.getLocalAddress()).getPort();
            assertOneLineExit2(
                config(port, "  bind: 127.0.0.1\n  eventLoops: 2\n", inProcessQueue()),
                "queues[0].prefixes[0]: cannot listen on 127.0.0.1:" + port + ": Address already in use");
        }
    }

    @Test
    void shouldExit2NamingBindWhenAddressIsNotThisHostsWithOneSocketPerEventLoop() throws Exception
    {
        final int port = freePort();
        assertOneLineExit2(
            config(port, "  bind: 192.0.2.1\n  eventLoops: 2\n", inProcessQueue()),
            "listener.bind: cannot listen on 192.0.2.1:" + port + ": Cannot assign requested address");
    }

    @Test
    void shouldExit2NamingAdminPortWhenItIsInUse() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(RawHttpClient.LOOPBACK_ADDRESS)))
        {
            assertOneLineExit2(
                config(freePort(), "  adminPort: " + taken.getLocalPort() + "\n", """
                      - name: app
                        prefixes: [ "http://+:${PORT}/" ]
                        hosting: loopback
                        handler: %s
                    """.formatted(SAMPLE_HANDLER)),
                "listener.adminPort: cannot listen on admin port 127.0.0.1:" + taken.getLocalPort() +
                ": Address already in use");
        }
    }

    @Test
    void shouldExit2NamingShmDirWhenItIsOwnedByAnotherUser() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "changing a file's owner needs root");
        final UserPrincipal nobody = FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByName("nobody");
        final Path shmDir = Path.of("/dev/shm", "sluice-test-" +
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        Files.createDirectory(shmDir, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        try
        {
            Files.write(shmDir.resolve(SharedMemoryFiles.MARKER_FILE_NAME), new byte[0]);
            Files.write(shmDir.resolve("bait"), new byte[]{42});
            Files.setOwner(shmDir, nobody);

            assertOneLineExit2(
                config(freePort(), "  shmDir: " + shmDir + "\n", """
                      - name: shm
                        prefixes: [ "http://+:${PORT}/" ]
                        hosting: shared-memory
                        handler: %s
                    """.formatted(SAMPLE_HANDLER)),
                "listener.shmDir: cannot use " + shmDir + ": " + shmDir + " is owned by nobody, not by root " +
                "(the listener's user)");
            assertTrue(Files.exists(shmDir.resolve("bait")), "the other user's directory was emptied");
        }
        finally
        {
            Files.deleteIfExists(shmDir.resolve("bait"));
            Files.deleteIfExists(shmDir.resolve(SharedMemoryFiles.MARKER_FILE_NAME));
            Files.deleteIfExists(shmDir);
        }
    }

    @Test
    void shouldExit2NamingHandlerWhenItsStaticInitialiserThrows() throws Exception
    {
        // it used to leave a listener running with its ports held, answering nothing
        assertOneLineExit2(
            config(freePort(), "", """
                  - name: app
                    prefixes: [ "http://+:${PORT}/app/" ]
                    hosting: in-process
                    handler: %s
                  - name: broken
                    prefixes: [ "http://+:${PORT}/broken/" ]
                    hosting: in-process
                    handler: %s
                """.formatted(SAMPLE_HANDLER, ThrowingInitHandler.class.getName())),
            "queues[1].handler: handler class cannot be created: " + ThrowingInitHandler.class.getName() +
            ": static configuration missing");
    }

    @Test
    void shouldExit2NamingHandlerWhenItsConstructorThrows() throws Exception
    {
        assertOneLineExit2(
            config(freePort(), "", """
                  - name: app
                    prefixes: [ "http://+:${PORT}/" ]
                    hosting: in-process
                    handler: %s
                """.formatted(ThrowingConstructorHandler.class.getName())),
            "queues[0].handler: handler class cannot be created: " + ThrowingConstructorHandler.class.getName() +
            ": database URL not set");
    }

    @Test
    void shouldExit2NamingShmDirWhenAnotherListenerIsUsingIt() throws Exception
    {
        final Path shmDir = Path.of("/dev/shm", "sluice-test-" +
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        final String yaml = """
            listener:
              id: first-%s
              shmDir: %s
            queues:
            %s""".formatted(
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()),
            shmDir,
            shmQueue().replace("${PORT}", Integer.toString(freePort())));
        final Listener first = new Listener(ConfigLoader.parse(yaml, "first.yaml")).start();
        try
        {
            final Path rings = shmDir.resolve("shm-0").resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
            final Object ringsFile = Files.getAttribute(rings, "unix:ino");

            assertOneLineExit2(
                config(freePort(), "  eventLoops: 1\n  shmDir: " + shmDir + "\n", shmQueue()),
                "listener.shmDir: cannot use " + shmDir + ": in use by listener pid " +
                ProcessHandle.current().pid());

            assertEquals(ringsFile, Files.getAttribute(rings, "unix:ino"), "the running listener's ring file");
            assertTrue(Files.exists(shmDir.resolve("shm-0").resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME)),
                "the running listener's doorbell");
        }
        finally
        {
            first.close();
        }
        assertFalse(Files.exists(shmDir), "removed by its listener");
    }

    @Test
    void shouldExit2NamingShmDirWhenDoorbellPathIsTooLongForUnixSocket() throws Exception
    {
        final Path shmDir = tempDir.resolve("d".repeat(100));
        final String output = assertOneLineExit2(
            config(freePort(), "  eventLoops: 1\n  shmDir: " + shmDir + "\n", shmQueue()),
            "listener.shmDir: is too long for queue shm: its doorbell socket " + shmDir +
            "/shm-1/doorbell.sock would be ");
        assertTrue(output.contains("a Unix socket path holds at most 107"), output);
        assertFalse(Files.exists(shmDir), "created");
    }

    @Test
    void shouldExit2WithOperatingSystemReasonWhenShmDirIsUnderFile() throws Exception
    {
        final Path file = Files.writeString(tempDir.resolve("file"), "x");
        final Path shmDir = file.resolve("x");
        assertOneLineExit2(
            config(freePort(), "  eventLoops: 1\n  shmDir: " + shmDir + "\n", shmQueue()),
            "listener.shmDir: cannot use " + shmDir + ": " + file + ": Not a directory");
    }

    @Test
    void shouldExit2NamingShmDirWhenFolderAboveIsWritableByOthersWithoutStickyBit() throws Exception
    {
        final Path shared = Files.createDirectory(tempDir.resolve("pub"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        final Path shmDir = shared.resolve("sl");
        assertOneLineExit2(
            config(freePort(), "  eventLoops: 1\n  shmDir: " + shmDir + "\n", shmQueue()),
            "listener.shmDir: cannot use " + shmDir + ": " + shared + " is writable by group or others without the " +
            "sticky bit (mode 0777); another user could replace what is in it");
        assertFalse(Files.exists(shmDir), "created");
    }

    @Test
    void shouldExit2NamingShmDirWhenFolderAboveIsOwnedByAnotherUser() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "changing a file's owner needs root");
        final UserPrincipal nobody = FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByName("nobody");
        final Path shared = Files.createDirectory(tempDir.resolve("theirs"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setOwner(shared, nobody);
        final Path shmDir = shared.resolve("sl");
        assertOneLineExit2(
            config(freePort(), "  eventLoops: 1\n  shmDir: " + shmDir + "\n", shmQueue()),
            "listener.shmDir: cannot use " + shmDir + ": " + shared + " is owned by nobody, not by root (the " +
            "listener's user); another user could replace what is in it");
        assertFalse(Files.exists(shmDir), "created");
    }

    private static String shmQueue()
    {
        return """
              - name: shm
                prefixes: [ "http://+:${PORT}/" ]
                hosting: shared-memory
                handler: %s
            """.formatted(SAMPLE_HANDLER);
    }

    private static String inProcessQueue()
    {
        return """
              - name: app
                prefixes: [ "http://+:${PORT}/" ]
                hosting: in-process
                handler: %s
            """.formatted(SAMPLE_HANDLER);
    }

    private Path config(final int port, final String listenerKeys, final String queues) throws IOException
    {
        final String id = "startup-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        final String yaml = "listener:\n  id: " + id + "\n" + listenerKeys + "queues:\n" +
            queues.replace("${PORT}", Integer.toString(port));
        return Files.writeString(tempDir.resolve("sluice.yaml"), yaml, StandardCharsets.UTF_8);
    }

    /**
     * Run {@code sluice run --config file} and check it exits 2 with one line {@code sluice: <file>: <expected>...}.
     *
     * @return that line.
     */
    private String assertOneLineExit2(final Path configFile, final String expectedStart) throws Exception
    {
        final SluiceCommandRun.Result result =
            SluiceCommandRun.run(tempDir, StandardCharsets.ISO_8859_1, "run", "--config", configFile.toString());
        final String errors = result.stderr();
        assertEquals(2, result.status(), "exit code; stderr:\n" + errors);
        final List<String> lines = errors.lines().toList();
        assertEquals(1, lines.size(), "stderr lines:\n" + errors);
        final String line = lines.get(0);
        assertTrue(line.startsWith("sluice: " + configFile + ": " + expectedStart), line);
        assertEquals("", result.stdout(), "stdout");
        return line;
    }

    private static int freePort()
    {
        return TestListener.freePort();
    }
}
