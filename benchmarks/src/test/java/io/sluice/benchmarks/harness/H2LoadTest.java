package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class H2LoadTest
{
    private static final String TIMED_H2C = """
        starting benchmark...
        spawning thread #0: 2 total client(s). Timing-based test with 0s of warm-up time and 1s of main duration.
        Application protocol: h2c
        Process Request Failure:2
        finished in 1.06s, 2000.00 req/s, 156.38KB/s
        requests: 2006 total, 2006 started, 2006 done, 2000 succeeded, 6 failed, 4 errored, 1 timeout
        status codes: 1990 2xx, 0 3xx, 7 4xx, 3 5xx
        traffic: 156.38KB (160132) total, 95.70KB (98000) headers (space savings 50.51%), 25.39KB (26000) data
                             min         max         mean         sd        +/- sd
        time for request:       44us       372us       169us        61us    74.50%
        """;

    @Test
    void shouldTakeTheSucceededRequestsOverTheLengthOfH2loadsOwnRate() throws IOException
    {
        final WrkResult result = H2Load.parse(Protocol.H2C, TIMED_H2C);

        assertEquals(2000, result.requests());
        assertEquals(1_000_000, result.durationUs());
        assertEquals(2000.0, result.rps(), 1e-9);
        assertEquals(160132, result.bytes());
        assertEquals(new WrkResult.Errors(4, 1, 0, 10, 1), result.errors());
    }

    @Test
    void shouldFailARunThatDidNotSpeakTheScenariosProtocol()
    {
        final IOException ex = assertThrows(IOException.class,
            () -> H2Load.parse(Protocol.H2, TIMED_H2C.replace("h2c", "http/1.1")));

        assertEquals("h2load spoke http/1.1, not h2", ex.getMessage());
        assertThrows(IOException.class, () -> H2Load.parse(Protocol.H2C, "starting benchmark...\n"));
    }

    @Test
    void shouldRunTheScenariosConnectionsAndStreamsForTheRunsLength()
    {
        final List<String> command = new H2Load("/usr/bin/h2load", List.of("taskset", "-c", "1"), 1, Path.of("/tmp"))
            .command(Scenario.H2_C16M32, "https://127.0.0.1:18443/shm/", 5);

        assertEquals(List.of("taskset", "-c", "1", "/usr/bin/h2load", "-t1", "-c16", "-m32", "-D5",
            "https://127.0.0.1:18443/shm/"), command);
    }

    @Test
    void shouldCheckOnAsManyConnectionsAsTheRunOpensWithACountOfRequests()
    {
        final List<String> command = new H2Load("/usr/bin/h2load", List.of("taskset", "-c", "1"), 1, Path.of("/tmp"))
            .checkCommand(Scenario.H2C_C16M32, "http://127.0.0.1:18080/inproc/");

        // a count, not a length of time: every connection opens before the timed run starts its clock
        assertEquals(List.of("taskset", "-c", "1", "/usr/bin/h2load", "-t1", "-c16", "-m4", "-n256",
            "http://127.0.0.1:18080/inproc/"), command);
    }
}
