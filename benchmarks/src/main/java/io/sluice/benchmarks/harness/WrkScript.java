package io.sluice.benchmarks.harness;

/**
 * Writes the wrk Lua script for a scenario: the request (method, body, pipelining) and a {@code done()} that prints
 * the run's figures as one JSON line ({@link WrkResult#MARKER}).
 * <p>
 * Cost to the load generator: a plain request stays wrk's static request (no Lua per request); a pipelined scenario
 * builds its batch once in {@code init()} and returns it from {@code request()}, as wrk's {@code pipeline.lua} does. No
 * {@code response()} is defined, since one makes wrk copy every response's headers and body into Lua.
 * <p>
 * The histogram: wrk's {@code latency(i)} returns the i-th distinct value and its count, but walks the value range to
 * find it, so listing all costs {@code distinct × range} steps. The script lists it only under
 * {@value #HISTOGRAM_BUDGET} steps (well under a second; a steady run is far below it), else leaves it empty and the
 * harness falls back to the run's own percentiles.
 */
final class WrkScript
{
    /**
     * Most {@code distinct values × value range} steps the script spends listing the latency histogram.
     */
    static final long HISTOGRAM_BUDGET = 300_000_000L;

    private WrkScript()
    {
    }

    /**
     * @param scenario the request shape.
     * @return the Lua script.
     */
    static String forScenario(final Scenario scenario)
    {
        final StringBuilder lua = new StringBuilder(2048);
        lua.append("-- Written by the Sluice bench harness for scenario ").append(scenario.name())
            .append(": ").append(scenario.title()).append('\n');
        lua.append("wrk.method = \"").append(scenario.method()).append("\"\n");
        if (scenario.bodyLength() > 0)
        {
            lua.append("wrk.body = string.rep(\"x\", ").append(scenario.bodyLength()).append(")\n");
            lua.append("wrk.headers[\"Content-Type\"] = \"application/octet-stream\"\n");
        }
        if (scenario.pipelineDepth() > 1)
        {
            lua.append("local depth = ").append(scenario.pipelineDepth()).append('\n');
            lua.append("""
                local batch = nil
                init = function(args)
                  local r = {}
                  for i = 1, depth do
                    r[i] = wrk.format(nil, nil)
                  end
                  batch = table.concat(r)
                end
                request = function()
                  return batch
                end
                """);
        }
        lua.append("local histogram_budget = ").append(HISTOGRAM_BUDGET).append('\n');
        lua.append("""
            done = function(summary, latency, requests)
              local e = summary.errors
              local n = #latency
              local min, max = latency.min, latency.max
              if n == 0 then
                min, max = 0, 0
              end
              local entries = {}
              if n > 0 and (max - min + 1) * n <= histogram_budget then
                for i = 1, n do
                  local v, c = latency(i)
                  entries[i] = string.format("[%d,%d]", v, c)
                end
              end
              io.write(string.format(
                '%s{"requests":%d,"duration_us":%d,"bytes":%d,' ..
                '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
                '"latency_us":{"min":%d,"max":%d,"mean":%.3f,"stdev":%.3f,"p50":%d,"p90":%d,"p99":%d,"p99_9":%d},' ..
                '"histogram":[%s]}\\n',
                "@MARKER@", summary.requests, summary.duration, summary.bytes,
                e.connect, e.read, e.write, e.status, e.timeout,
                min, max, n > 0 and latency.mean or 0, n > 0 and latency.stdev or 0,
                latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
                table.concat(entries, ",")))
            end
            """.replace("@MARKER@", WrkResult.MARKER));
        return lua.toString();
    }
}
