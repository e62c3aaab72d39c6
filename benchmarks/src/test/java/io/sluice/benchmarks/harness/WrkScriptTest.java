package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WrkScriptTest
{
    @Test
    void shouldLeaveAPlainGetAsWrksStaticRequest()
    {
        final String lua = WrkScript.forScenario(Scenario.HELLO_C64);

        assertTrue(lua.contains("wrk.method = \"GET\"\n"), lua);
        assertFalse(lua.contains("request = function"), lua);
        assertFalse(lua.contains("response = function"), lua);
        assertFalse(lua.contains("wrk.body"), lua);
    }

    @Test
    void shouldSendTheEchoBodyAsOctetStream()
    {
        final String lua = WrkScript.forScenario(Scenario.ECHO_4K);

        assertTrue(lua.contains("wrk.method = \"POST\"\n"), lua);
        assertTrue(lua.contains("wrk.body = string.rep(\"x\", 4096)\n"), lua);
        assertTrue(lua.contains("wrk.headers[\"Content-Type\"] = \"application/octet-stream\"\n"), lua);
    }

    @Test
    void shouldBuildThePipelinedBatchOnceAndReturnItPerRequest()
    {
        final String lua = WrkScript.forScenario(Scenario.named("pipeline-16"));

        assertTrue(lua.contains("local depth = 16\n"), lua);
        assertTrue(lua.contains("r[i] = wrk.format(nil, nil)"), lua);
        assertTrue(lua.contains("batch = table.concat(r)"), lua);
        assertTrue(lua.contains("request = function()\n  return batch\nend"), lua);
    }

    @Test
    void shouldPrintTheResultLineThatWrkResultParses()
    {
        final String lua = WrkScript.forScenario(Scenario.HELLO_C64);

        assertTrue(lua.contains("\"" + WrkResult.MARKER + "\", summary.requests"), lua);
        assertTrue(lua.contains("\"p99_9\":%d"), lua);
        assertTrue(lua.contains("local histogram_budget = " + WrkScript.HISTOGRAM_BUDGET + "\n"), lua);
    }
}
