package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.listener.counters.CounterType;
import io.sluice.listener.counters.ListenerCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice stat} as an operator runs it, in a process of its own: it prints a running listener's counters from
 * the counters file without connecting to the listener, exits 2 with one line when no listener file exists, says so
 * when the file's listener is gone, and prints again every interval with {@code --watch}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SluiceStatTest
{
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long STAT_TIMEOUT_S = 30;
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .yaml();

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @Test
    void shouldPrintCountersOfRunningListenerWithoutConnectingToIt() throws Exception
    {
        final TestListener listener = LISTENERS.start("stat", CONFIG);
        final int port = listener.port();
        listener.assertReady(READY_TIMEOUT_MS, "/inproc/");
        try (RawHttpClient client = new RawHttpClient(port))
        {
            assertEquals(200, client.send(RawHttpClient.get("/inproc/", port)).status());
            assertEquals(404, client.send(RawHttpClient.get("/nowhere", port)).status());
            assertEquals(200, client.send(RawHttpClient.get("/inproc/", port)).status());
        }
        final long ok;
        try (OutsideCounters outside = OutsideCounters.open(listener.shmDir()))
        {
            ok = outside.snapshot().value(CounterType.QUEUE_REQUESTS, "inproc", 1);
        }
        assertTrue(ok >= 3, "answered 2xx: " + ok);
        final long accepted = listener.listener().loopConnectionCounts().accepted(0);

        final Result stat = stat("--dir", listener.shmDir().toString());

        assertEquals(SluiceStat.EXIT_OK, stat.exitCode(), stat::toString);
        final List<String> lines = stat.out().lines().toList();
        assertTrue(lines.get(0).startsWith("sluice stat: " + listener.shmDir().resolve("counters.dat") +
            ", listener pid " + ProcessHandle.current().pid() + ", started "), lines.get(0));
        assertTrue(lines.get(1).matches("COUNTER +VALUE"), lines.get(1));
        assertEquals(ok, row(stat.out(), "sluice_queue_requests_total{queue=\"inproc\",class=\"2xx\"}"));
        assertEquals(0, row(stat.out(), "sluice_queue_requests_total{queue=\"inproc\",class=\"4xx\"}"));
        assertEquals(0, row(stat.out(), "sluice_queue_length{queue=\"inproc\"}"));
        assertEquals(ok, row(stat.out(), "sluice_queue_request_duration_seconds_count{queue=\"inproc\"}"));
        assertTrue(row(stat.out(), "sluice_connections_protocol_total{protocol=\"http/1.1\",tls=\"false\"}") >= 2);
        assertTrue(stat.err().isEmpty(), stat::toString);
        // stat made no connection to the listener
        assertEquals(accepted, listener.listener().loopConnectionCounts().accepted(0));
    }

    @Test
    void shouldExit2WithOneLineWhenNoListenerFileExists() throws Exception
    {
        final Path dir = Path.of("/dev/shm", "sluice-test-none-" +
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));

        final Result stat = stat("--dir", dir.toString());

        assertEquals(SluiceStat.EXIT_ERROR, stat.exitCode(), stat::toString);
        assertEquals("", stat.out());
        assertEquals("sluice stat: no listener counters file " + dir.resolve("counters.dat") + ": no listener " +
            "runs with this directory (--dir names the listener's shmDir)\n", stat.err());
    }

    @Test
    void shouldSayStaleWhenTheListenerOfTheFileIsGone() throws Exception
    {
        final Path dir = Path.of("/dev/shm", "sluice-test-stale-" +
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        final Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        try
        {
            try (SharedMemoryFiles.PrivateDirectory held = SharedMemoryFiles.openPrivateDirectory(dir))
            {
                final ListenerCounters counters = ListenerCounters.create(held, List.of("app"), 1);
                counters.queue("app").loop(0).answered(200);
            }
            // the file as a killed listener leaves it: its pid no longer runs
            try (FileChannel file = FileChannel.open(dir.resolve("counters.dat"), StandardOpenOption.WRITE))
            {
                file.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, gone.pid()), 16);
            }

            final Result stat = stat("--dir", dir.toString());

            assertEquals(SluiceStat.EXIT_STALE, stat.exitCode(), stat::toString);
            final List<String> lines = stat.out().lines().toList();
            assertEquals("sluice stat: STALE: listener pid " + gone.pid() + " is not running; these are its last " +
                "values", lines.get(1));
            assertEquals(1, row(stat.out(), "sluice_queue_requests_total{queue=\"app\",class=\"2xx\"}"));
        }
        finally
        {
            SharedMemoryFiles.deletePrivateDirectory(dir);
        }
    }

    @Test
    void shouldPrintAgainEveryIntervalWithWatch() throws Exception
    {
        final TestListener listener = LISTENERS.start("stat-watch", CONFIG);
        listener.assertReady(READY_TIMEOUT_MS, "/inproc/");
        final Process process = launch("--watch", "200ms", "--dir", listener.shmDir().toString());
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            int tables = 0;
            String line;
            while (tables < 3 && null != (line = out.readLine()))
            {
                if (line.startsWith("sluice stat: " + listener.shmDir().resolve("counters.dat")))
                {
                    tables++;
                }
            }
            assertEquals(3, tables);
            assertTrue(process.isAlive(), "watching until stopped");
        }
        finally
        {
            process.destroy();
            process.waitFor(STAT_TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    private static long row(final String out, final String counter)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(counter) + " +([0-9]+)$").matcher(out);
        assertTrue(matcher.find(), counter + " in:\n" + out);
        return Long.parseLong(matcher.group(1));
    }

    private static Process launch(final String... args) throws IOException
    {
        return command(args).redirectErrorStream(true).start();
    }

    private static ProcessBuilder command(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("stat"));
        command.addAll(List.of(args));
        return new ProcessBuilder(SluiceCommandRun.commandLine(command.toArray(String[]::new)))
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    }

    private static Result stat(final String... args) throws Exception
    {
        final Path out = Files.createTempFile("sluice-stat", ".out");
        final Path err = Files.createTempFile("sluice-stat", ".err");
        try
        {
            final Process process = command(args)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            assertTrue(process.waitFor(STAT_TIMEOUT_S, TimeUnit.SECONDS), "stat did not end");
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private record Result(int exitCode, String out, String err)
    {
    }
}
