package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WrkResultTest
{
    private static final String WRK_OUTPUT = """
        Running 5s test @ http://127.0.0.1:18080/shm/
          1 threads and 64 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency   451.02us   80.13us   3.21ms   91.30%
            Req/Sec   141.20k     3.10k  146.90k    72.00%
          706004 requests in 5.00s, 61.95MB read
        Requests/sec: 141198.12
        Transfer/sec:     12.39MB
        SLUICE_WRK_RESULT {"requests":706004,"duration_us":5000012,"bytes":64962368,\
        "errors":{"connect":0,"read":1,"write":0,"status":2,"timeout":3},\
        "latency_us":{"min":80,"max":3210,"mean":451.020,"stdev":80.130,"p50":440,"p90":520,"p99":780,"p99_9":1900},\
        "histogram":[[80,3],[440,500],[3210,1]]}
        """;

    @Test
    void shouldParseTheResultLineAmongWrkOutput()
    {
        final WrkResult result = WrkResult.parse(WRK_OUTPUT);

        assertEquals(706004, result.requests());
        assertEquals(5000012, result.durationUs());
        assertEquals(64962368, result.bytes());
        assertEquals(new WrkResult.Errors(0, 1, 0, 2, 3), result.errors());
        assertEquals(new WrkResult.Latency(80, 3210, 451.02, 80.13, 440, 520, 780, 1900), result.latency());
        assertEquals(3, result.histogram().length);
        assertArrayEquals(new long[] { 440, 500 }, result.histogram()[1]);
    }

    @Test
    void shouldComputeRequestsPerSecondFromWrksOwnDuration()
    {
        assertEquals(706004 / 5.000012, WrkResult.parse(WRK_OUTPUT).rps(), 1e-6);
    }

    @Test
    void shouldCountEveryErrorKind()
    {
        assertEquals(6, WrkResult.parse(WRK_OUTPUT).errors().total());
    }

    @Test
    void shouldAcceptAnEmptyHistogram()
    {
        final WrkResult result = WrkResult.parse(WRK_OUTPUT.replace("[[80,3],[440,500],[3210,1]]", "[]"));

        assertEquals(0, result.histogram().length);
    }

    @Test
    void shouldRejectOutputWithoutAResultLine()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> WrkResult.parse("unable to connect to 127.0.0.1:1 Connection refused\n"));

        assertEquals("wrk printed no SLUICE_WRK_RESULT line; its output:\nunable to connect to 127.0.0.1:1 " +
            "Connection refused\n", ex.getMessage());
    }

    @Test
    void shouldRejectAResultWithoutErrors()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> WrkResult.parse("SLUICE_WRK_RESULT {\"requests\":1,\"duration_us\":1,\"bytes\":1}"));

        assertTrue(ex.getMessage().startsWith("wrk result lacks errors: "), ex.getMessage());
    }

    @Test
    void shouldRejectANonNumericCount()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> WrkResult.parse(WRK_OUTPUT.replace("\"requests\":706004", "\"requests\":\"many\"")));

        assertEquals("wrk result field requests is not a number: \"many\"", ex.getMessage());
    }
}
