package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class STimeTest
{
    @Test
    void shouldReadTheConnectionsOfOneProcess()
    {
        final String output = """
            Collecting connection statistics for 2 seconds
            ********************************************

            1447 connections in 0.77s; 1879.22 connections/user sec, bytes read 225732
            1447 connections in 2 real seconds, 156 bytes read per connection
            """;

        assertEquals(1447, STime.connections(output));
        assertEquals(6, STime.connections("6 connections in 0.00s; inf connections/user sec, bytes read 804\n" +
            "6 connections in 2 real seconds, 134 bytes read per connection\n"));
        assertEquals(-1, STime.connections("Unable to get connection\n"));
    }

    @Test
    void shouldSendAnHttp11HeadThatClosesTheConnectionThroughTheWwwPath()
    {
        final List<String> command = new STime("/usr/bin/openssl", List.of("taskset", "-c", "1"), Path.of("/tmp"))
            .command("127.0.0.1", 18443, "/shm/", 5);

        assertEquals(List.of("taskset", "-c", "1", "/usr/bin/openssl", "s_time", "-connect", "127.0.0.1:18443", "-new",
            "-time", "5", "-www", "/shm/ HTTP/1.1\r\nHost: 127.0.0.1:18443\r\nConnection: close\r\nX-Load: s_time"),
            command);
    }
}
