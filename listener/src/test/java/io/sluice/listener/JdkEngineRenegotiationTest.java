package io.sluice.listener;

import io.sluice.listener.process.WorkerCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A listener on the JDK's TLS engine (the fallback when OpenSSL does not load, forced here with Netty's
 * {@code io.netty.handler.ssl.noOpenSsl}) refuses a renegotiation the client starts, as the OpenSSL engine does: each
 * one costs the listener a full handshake. Runs {@code SluiceMain} in a child JVM, since the JDK reads the setting once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdkEngineRenegotiationTest
{
    private static final int READY_ATTEMPTS = 300;
    private static final long READY_PAUSE_MS = 100;

    @TempDir
    Path tempDir;

    @Test
    void shouldRefuseAClientInitiatedRenegotiationOnTheJdkEngine() throws Exception
    {
        final int port = TestListener.freePort();
        final Path config = tempDir.resolve("sluice.yaml");
        Files.writeString(config,
            "listener:\n  id: reneg-" + Long.toHexString(System.nanoTime()) + "\n  bind: 127.0.0.1\n" +
            "  shmDir: " + tempDir.resolve("shm") + "\n  adminPort: 0\n" +
            "  tls:\n    certificates:\n      - hosts: [\"*\"]\n        certificate: self-signed\n" +
            "    protocols: [TLSv1.2]\n    selfSignedDir: " + tempDir.resolve("tls") + "\n" +
            "queues:\n  - name: app\n    prefixes: [ \"https://+:" + port + "/\" ]\n    hosting: in-process\n" +
            "    handler: io.sluice.dispatch.sample.SampleHandler\n",
            StandardCharsets.US_ASCII);
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(WorkerCommand.workerJvmFlags());
        command.addAll(List.of(
            "-Dio.netty.handler.ssl.noOpenSsl=true", "-cp", System.getProperty("java.class.path"),
            SluiceMain.class.getName(), "run", "--config", config.toString()));
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(tempDir.resolve("listener.log").toFile())
            .start();
        try
        {
            try (SSLSocket socket = awaitHandshake(port))
            {
                assertEquals("TLSv1.2", socket.getSession().getProtocol());
                assertTrue(exchange(socket).startsWith("HTTP/1.1 200"));
                socket.startHandshake();
                assertThrows(IOException.class, () -> exchange(socket), "renegotiation refused");
            }
            try (SSLSocket again = TlsClients.connect(port, null, null))
            {
                assertTrue(exchange(again).startsWith("HTTP/1.1 200"), "the listener serves on");
            }
            final String log = Files.readString(tempDir.resolve("listener.log"));
            assertTrue(log.contains("JDK engine"), log);
        }
        finally
        {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static SSLSocket awaitHandshake(final int port) throws Exception
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return TlsClients.connect(port, null, null);
            }
            catch (final IOException ex)
            {
                if (i == READY_ATTEMPTS)
                {
                    throw ex;
                }
                Thread.sleep(READY_PAUSE_MS);
            }
        }
    }

    private static String exchange(final Socket socket) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        final InputStream in = socket.getInputStream();
        final byte[] head = new byte[12];
        int read = 0;
        while (read < head.length)
        {
            final int n = in.read(head, read, head.length - read);
            if (n < 0)
            {
                throw new IOException("closed after " + read + " bytes");
            }
            read += n;
        }
        final byte[] rest = new byte[4096];
        in.read(rest);
        return new String(head, StandardCharsets.US_ASCII);
    }
}
