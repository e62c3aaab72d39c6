package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScenarioTest
{
    @Test
    void shouldNeedOneUpstreamConnectionPerStreamOverHttp2()
    {
        assertEquals(16 * 32, Scenario.H2_C16M32.upstreamConnections());
        assertEquals(16 * 32, Scenario.H2C_C16M32.upstreamConnections());
    }

    @Test
    void shouldNeedOneUpstreamConnectionPerClientConnectionOverHttp1()
    {
        assertEquals(64, Scenario.HELLO_C64.upstreamConnections());
        assertEquals(32, Scenario.named("pipeline-16").upstreamConnections());
        assertEquals(256, Scenario.named("hello-c256").upstreamConnections());
    }

    @Test
    void shouldSizeNginxKeepaliveForTheBusiestScenario()
    {
        assertEquals(512, Scenario.ALL.stream().mapToInt(Scenario::upstreamConnections).max().orElse(0));
    }
}
