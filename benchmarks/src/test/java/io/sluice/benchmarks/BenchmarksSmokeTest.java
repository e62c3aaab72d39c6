package io.sluice.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every benchmark method a few times directly, without JMH, to show it works and checks its result; and runs
 * {@link BareHelloServer} once. Not a measurement: nothing here is timed.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BenchmarksSmokeTest
{
    private static final int INVOCATIONS = 20;
    // Both sides of a round trip busy-spin: on a loaded 2-core machine one can take a scheduler slice.
    private static final int ROUND_TRIPS = 10;
    private static final String HELLO_RESPONSE =
        "HTTP/1.1 200 OK\r\n" +
        "content-type: text/plain\r\n" +
        "content-length: 13\r\n" +
        "\r\n" +
        "Hello, World!";

    @ParameterizedTest
    @ValueSource(ints = { 64, 1024, 65536 })
    void shouldEchoEachPayloadInTheBaseline(final int payloadLength)
    {
        final RingRoundTripBenchmark benchmark = new RingRoundTripBenchmark();
        final RingRoundTripBenchmark.Baseline state = new RingRoundTripBenchmark.Baseline();
        state.payloadLength = payloadLength;
        state.setUp();

        for (int i = 1; i <= INVOCATIONS; i++)
        {
            assertEquals(i, benchmark.baselineSameThreadEncodeDecode(state));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 64, 1024, 65536 })
    void shouldEchoEachPayloadAcrossTwoThreads(final int payloadLength) throws IOException
    {
        final RingRoundTripBenchmark benchmark = new RingRoundTripBenchmark();
        final RingRoundTripBenchmark.TwoThreads state = new RingRoundTripBenchmark.TwoThreads();
        state.payloadLength = payloadLength;
        state.burstLength = 1;
        state.setUp();
        try
        {
            for (int i = 1; i <= ROUND_TRIPS; i++)
            {
                assertEquals(i, benchmark.twoThreads(state));
            }
        }
        finally
        {
            state.tearDown();
        }
        assertFalse(Files.exists(state.dir));
    }

    @Test
    void shouldEchoBurstsLargerThanTheRingsAcrossTwoThreads() throws IOException
    {
        final RingRoundTripBenchmark benchmark = new RingRoundTripBenchmark();
        final RingRoundTripBenchmark.TwoThreads state = new RingRoundTripBenchmark.TwoThreads();
        state.payloadLength = 65536;
        state.burstLength = 40;
        state.setUp();
        try
        {
            assertEquals(40, benchmark.twoThreads(state));
            assertEquals(80, benchmark.twoThreads(state));
        }
        finally
        {
            state.tearDown();
        }
    }

    @Test
    void shouldEchoAcrossTwoProcesses() throws IOException
    {
        final RingRoundTripBenchmark benchmark = new RingRoundTripBenchmark();
        final RingRoundTripBenchmark.TwoProcesses state = new RingRoundTripBenchmark.TwoProcesses();
        state.payloadLength = 1024;
        state.burstLength = 4;
        state.setUp();
        try
        {
            for (int i = 1; i <= ROUND_TRIPS; i++)
            {
                assertEquals(4L * i, benchmark.twoProcesses(state));
            }
            assertTrue(state.echoAlive());
        }
        finally
        {
            state.tearDown();
        }
        assertFalse(state.echoAlive());
        assertFalse(Files.exists(state.dir));
    }

    @Test
    void shouldFailTheRoundTripWhenTheEchoIsGone() throws IOException
    {
        final RingRoundTripBenchmark benchmark = new RingRoundTripBenchmark();
        final RingRoundTripBenchmark.TwoThreads state = new RingRoundTripBenchmark.TwoThreads();
        state.payloadLength = 64;
        state.burstLength = 1;
        state.setUp();
        try
        {
            assertEquals(1, benchmark.twoThreads(state));
            state.stopEcho();

            final IllegalStateException ex =
                assertThrows(IllegalStateException.class, () -> benchmark.twoThreads(state));
            assertEquals("echo peer is gone: waiting for requestId=2", ex.getMessage());
        }
        finally
        {
            state.tearDown();
        }
    }

    @Test
    void shouldEncodeAndDecodeTheTypicalHead()
    {
        final MessageCodecBenchmark benchmark = new MessageCodecBenchmark();
        benchmark.setUp();

        assertEquals(309, benchmark.encodedLength());
        for (int i = 0; i < INVOCATIONS; i++)
        {
            assertEquals(309, benchmark.encode());
            assertEquals(309, benchmark.decode());
            assertEquals(309, benchmark.encodeDecode());
            assertEquals(309, benchmark.baselineCopy());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 10, 1000 })
    void shouldRouteMatchingAndNotMatchingPaths(final int prefixCount)
    {
        final PrefixRouterLookupBenchmark benchmark = new PrefixRouterLookupBenchmark();
        benchmark.prefixCount = prefixCount;
        benchmark.setUp();

        final String expected = "queue-" + ((prefixCount / 2) | 1);
        for (int i = 0; i < INVOCATIONS; i++)
        {
            assertEquals(expected, benchmark.routeMatching());
            assertNull(benchmark.routeNotMatching());
            assertEquals(expected, benchmark.baselineHashMap());
        }
    }

    @Test
    void shouldDecodeGetAndPostAndReleaseEverything()
    {
        final RequestParseBenchmark benchmark = new RequestParseBenchmark();
        benchmark.setUp();
        try
        {
            for (int i = 0; i < INVOCATIONS; i++)
            {
                assertEquals(8, benchmark.decodeGet());
                assertEquals(7, benchmark.decodePost1KiB());
                assertEquals("/app/orders/12345", benchmark.baselineNormalizePath());
            }
        }
        finally
        {
            benchmark.tearDown();
        }
    }

    @Test
    void shouldAnswerHelloAndStopOnSigterm() throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(AbstractBenchmark.JVM_ARGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BareHelloServer.class.getName());
        command.add("0");
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            final BufferedReader stdout =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            final String ready = stdout.readLine();
            assertTrue(null != ready && ready.startsWith(BareHelloServer.READY_LINE_PREFIX), "ready line: " + ready);
            final int port = Integer.parseInt(ready.substring(BareHelloServer.READY_LINE_PREFIX.length()));

            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(BareHelloServer.BIND_ADDRESS_DEFAULT, port), 5_000);
                socket.setSoTimeout(5_000);
                final OutputStream out = socket.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals(HELLO_RESPONSE, readExactly(socket.getInputStream(), HELLO_RESPONSE.length()));
            }

            process.destroy();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(143, process.exitValue());
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static String readExactly(final InputStream in, final int length) throws IOException
    {
        final byte[] bytes = in.readNBytes(length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
