package io.sluice.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * What one wrk run reports through the harness's Lua {@code done()} ({@link WrkScript}): one line on wrk's standard
 * output, {@value #MARKER} followed by a JSON object.
 *
 * @param requests   responses completed.
 * @param durationUs length of the run as wrk measured it, in microseconds.
 * @param bytes      bytes read.
 * @param errors     wrk's error counters.
 * @param latency    wrk's latency statistics, in microseconds.
 * @param histogram  wrk's latency distribution as {@code [value µs, count]} pairs in rising order, or empty when the
 *                   script judged it too costly to walk (a very long tail); see {@link WrkScript}.
 */
record WrkResult(long requests, long durationUs, long bytes, Errors errors, Latency latency, long[][] histogram)
{
    /**
     * Start of the line that carries the result.
     */
    static final String MARKER = "SLUICE_WRK_RESULT ";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * wrk's error counters. wrk counts a response with a status of 400 or more in {@code status}; the harness checks
     * each target's status and body before measuring, so a 3xx never passes for a success.
     *
     * @param connect connections that could not be opened.
     * @param read    read errors (including a connection the server closed).
     * @param write   write errors.
     * @param status  responses with status 400 or more.
     * @param timeout requests without an answer within wrk's timeout.
     */
    record Errors(long connect, long read, long write, long status, long timeout)
    {
        /**
         * @return every error counted.
         */
        long total()
        {
            return connect + read + write + status + timeout;
        }
    }

    /**
     * wrk's latency statistics, in microseconds. wrk measures from writing a request (or a pipelined batch) to reading
     * its response, closed loop, and corrects its histogram for coordinated omission.
     *
     * @param min    shortest.
     * @param max    longest.
     * @param mean   mean.
     * @param stdev  standard deviation.
     * @param p50    median.
     * @param p90    90th percentile.
     * @param p99    99th percentile.
     * @param p999   99.9th percentile.
     */
    record Latency(long min, long max, double mean, double stdev, long p50, long p90, long p99, long p999)
    {
    }

    /**
     * @return requests per second over wrk's own measured duration; 0 when it measured none.
     */
    double rps()
    {
        return durationUs > 0 ? requests * 1e6 / durationUs : 0.0;
    }

    /**
     * Find and parse the result line in wrk's standard output.
     *
     * @param stdout everything wrk printed on standard output.
     * @return the result.
     * @throws IllegalArgumentException when there is no result line or it is not the expected JSON.
     */
    static WrkResult parse(final String stdout)
    {
        for (final String line : stdout.split("\n"))
        {
            if (line.startsWith(MARKER))
            {
                return parseJson(line.substring(MARKER.length()).trim());
            }
        }
        throw new IllegalArgumentException("wrk printed no " + MARKER.trim() + " line; its output:\n" + stdout);
    }

    private static WrkResult parseJson(final String json)
    {
        final JsonNode root;
        try
        {
            root = MAPPER.readTree(json);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("wrk result is not JSON: " + json, ex);
        }
        final JsonNode errors = required(root, "errors");
        final JsonNode latency = required(root, "latency_us");
        final JsonNode pairs = root.path("histogram");
        final long[][] histogram = new long[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++)
        {
            final JsonNode pair = pairs.get(i);
            if (pair.size() != 2 || !pair.get(0).canConvertToLong() || !pair.get(1).canConvertToLong())
            {
                throw new IllegalArgumentException("wrk histogram entry is not [value, count]: " + pair);
            }
            histogram[i] = new long[] { pair.get(0).asLong(), pair.get(1).asLong() };
        }
        return new WrkResult(
            requiredLong(root, "requests"),
            requiredLong(root, "duration_us"),
            requiredLong(root, "bytes"),
            new Errors(
                requiredLong(errors, "connect"),
                requiredLong(errors, "read"),
                requiredLong(errors, "write"),
                requiredLong(errors, "status"),
                requiredLong(errors, "timeout")),
            new Latency(
                requiredLong(latency, "min"),
                requiredLong(latency, "max"),
                required(latency, "mean").asDouble(),
                required(latency, "stdev").asDouble(),
                requiredLong(latency, "p50"),
                requiredLong(latency, "p90"),
                requiredLong(latency, "p99"),
                requiredLong(latency, "p99_9")),
            histogram);
    }

    private static JsonNode required(final JsonNode node, final String field)
    {
        final JsonNode value = node.get(field);
        if (null == value || value.isNull())
        {
            throw new IllegalArgumentException("wrk result lacks " + field + ": " + node);
        }
        return value;
    }

    private static long requiredLong(final JsonNode node, final String field)
    {
        final JsonNode value = required(node, field);
        if (!value.isNumber())
        {
            throw new IllegalArgumentException("wrk result field " + field + " is not a number: " + value);
        }
        return value.asLong();
    }
}
