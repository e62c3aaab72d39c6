package io.sluice.listener.log;

import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log writer on its own: records written through {@link RequestLog} reach their file as W3C lines, in order,
 * none lost; a file is rotated by size and by day (the records' clock is a {@link CachedEpochClock} moved by hand);
 * a reopen writes to a new file at the path logrotate moved the old one from; a full ring drops and counts.
 */
class RequestLogTest
{
    private static final long DAY_MS = 86_400_000L;
    // 2026-12-05 03:00:00 UTC
    private static final long START_MS = 1_796_439_600_000L;
    private static final int RING_CAPACITY = 64 * 1024;
    private static final QueueBinding BINDING =
        new QueueBinding(new RequestQueue("app", 8), null, "/app/", 0, 0, 0, HostingMode.SHARED_MEMORY, 0);
    private static final ConnectionLogFacts CONNECTION = new ConnectionLogFacts()
    {
        public String clientAddress()
        {
            return "10.0.0.1";
        }

        public int clientPort()
        {
            return 40000;
        }

        public String serverAddress()
        {
            return "127.0.0.1";
        }

        public int serverPort()
        {
            return 8080;
        }
    };

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    @Test
    void shouldRotateBySizeAndLoseNoLine() throws IOException
    {
        clock.update(START_MS);
        final RequestLog log = new RequestLog(RING_CAPACITY, clock);
        final Path file = dir.resolve("access.log");
        final long rotateSize = 4096;
        final int id = log.accessLog(file, rotateSize, false);
        log.start();
        final int count = 200;
        for (int i = 0; i < count; i++)
        {
            while (!log.access(id, new Facts("/app/?n=" + i), 0))
            {
                Thread.onSpinWait();
            }
        }
        log.close();

        final List<Path> files = files();
        assertTrue(files.size() > 3, files.toString());
        final List<Integer> numbers = new ArrayList<>();
        for (final Path each : files)
        {
            assertTrue(Files.size(each) <= rotateSize, each + " is " + Files.size(each) + " bytes");
            final List<String> lines = Files.readAllLines(each, StandardCharsets.US_ASCII);
            assertEquals("#Software: Sluice", lines.get(0), each.toString());
            assertEquals("#Fields: " + W3cFormat.ACCESS_FIELDS, lines.get(3), each.toString());
            for (final String line : lines.subList(4, lines.size()))
            {
                numbers.add(Integer.parseInt(line.split(" ")[5].substring("n=".length())));
            }
            if (!each.equals(file))
            {
                final String name = each.getFileName().toString();
                assertTrue(name.matches("access\\.log\\.20261205-030000(-\\d+)?"), name);
            }
        }
        numbers.sort(Integer::compare);
        assertEquals(count, numbers.size());
        for (int i = 0; i < count; i++)
        {
            assertEquals(i, numbers.get(i));
        }
    }

    @Test
    void shouldRotateWhenTheDayChanges() throws IOException
    {
        clock.update(START_MS);
        final RequestLog log = new RequestLog(RING_CAPACITY, clock);
        final Path file = dir.resolve("access.log");
        final int id = log.accessLog(file, 0, true);
        log.start();
        assertTrue(log.access(id, new Facts("/app/?day=1"), 0));
        clock.update(START_MS + DAY_MS);
        assertTrue(log.access(id, new Facts("/app/?day=2"), 0));
        log.close();

        final Path rotated = dir.resolve("access.log.20261206-030000");
        assertEquals(List.of(file, rotated), files());
        assertTrue(Files.readString(rotated).contains(" /app/ day=1 "), Files.readString(rotated));
        assertFalse(Files.readString(rotated).contains("day=2"));
        assertTrue(Files.readString(file).startsWith("#Software: Sluice\n#Version: 1.0\n#Date: 2026-12-06 03:00:00\n"));
        assertTrue(Files.readString(file).contains(" /app/ day=2 "), Files.readString(file));
    }

    @Test
    void shouldWriteToANewFileAfterAReopen() throws Exception
    {
        clock.update(START_MS);
        final RequestLog log = new RequestLog(RING_CAPACITY, clock);
        final Path file = dir.resolve("access.log");
        final Path moved = dir.resolve("access.log.1");
        final int id = log.accessLog(file, 0, false);
        final Path errors = dir.resolve("httperr.log");
        log.errorLog(errors, 0, false);
        log.start();
        assertTrue(log.access(id, new Facts("/app/?before"), 0));
        awaitContains(file, "before");
        Files.move(file, moved);
        log.reopen();
        awaitContains(file, "#Fields");
        assertTrue(log.access(id, new Facts("/app/?after"), 0));
        log.close();

        assertTrue(Files.readString(moved).contains("before"));
        assertFalse(Files.readString(moved).contains("after"));
        assertTrue(Files.readString(file).contains("after"));
        // the error log was not moved: it goes on, its directives written once
        assertEquals(1, Files.readString(errors).split("#Fields", -1).length - 1, Files.readString(errors));
    }

    @Test
    void shouldWriteTheErrorLineWithItsReason() throws IOException
    {
        clock.update(START_MS);
        final RequestLog log = new RequestLog(RING_CAPACITY, clock);
        final Path file = dir.resolve("httperr.log");
        log.errorLog(file, 0, false);
        log.start();
        assertTrue(log.error(new Facts("/app/a b"), 503, ErrorReason.TIMER_QUEUE_WAIT, 0));
        log.close();

        final List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        assertEquals("#Fields: " + W3cFormat.ERROR_FIELDS, lines.get(3));
        assertEquals(
            "2026-12-05 03:00:00 10.0.0.1 40000 127.0.0.1 8080 HTTP/1.1 GET /app/a+b 503 Timer_QueueWait app",
            lines.get(4));
    }

    @Test
    void shouldDropAndCountWhenTheRingIsFull()
    {
        clock.update(START_MS);
        final RequestLog log = new RequestLog(RING_CAPACITY, clock);
        final int id = log.accessLog(dir.resolve("access.log"), 0, false);
        // not started: nothing drains the ring
        int written = 0;
        while (log.access(id, new Facts("/app/"), 0))
        {
            written++;
        }
        assertTrue(written > 10, "written " + written);
        assertEquals(1, log.droppedCount());
        assertFalse(log.access(id, new Facts("/app/"), 0));
        assertEquals(2, log.droppedCount());
    }

    @Test
    void shouldRefuseOneFileForBothLogs()
    {
        final RequestLog log = new RequestLog(RING_CAPACITY, clock);
        log.accessLog(dir.resolve("same.log"), 0, false);
        assertThrows(IllegalArgumentException.class, () -> log.errorLog(dir.resolve("same.log"), 0, false));
    }

    private List<Path> files() throws IOException
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.sorted().toList();
        }
    }

    private static void awaitContains(final Path file, final String text) throws Exception
    {
        for (int i = 0; i < 1000; i++)
        {
            if (Files.exists(file) && Files.readString(file).contains(text))
            {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError(file + " does not contain " + text);
    }

    private record Facts(String target) implements RequestLogFacts
    {
        public ConnectionLogFacts connectionFacts()
        {
            return CONNECTION;
        }

        public int protocol()
        {
            return PROTOCOL_HTTP_1_1;
        }

        public String method()
        {
            return "GET";
        }

        public String userAgent()
        {
            return "curl/8.0";
        }

        public String referer()
        {
            return null;
        }

        public QueueBinding binding()
        {
            return BINDING;
        }

        public int status()
        {
            return 200;
        }

        public long sentBytes()
        {
            return 130;
        }

        public long receivedBytes()
        {
            return 40;
        }

        public long durationNs(final long nowNs)
        {
            return 2_500_000;
        }
    }
}
