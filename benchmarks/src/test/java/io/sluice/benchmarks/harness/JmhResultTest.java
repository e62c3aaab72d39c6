package io.sluice.benchmarks.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhResultTest
{
    @Test
    void shouldReadClassMethodModeScoreAndUnit() throws IOException
    {
        final JmhResult baseline = results().get(0);

        assertEquals("MessageCodecBenchmark", baseline.className());
        assertEquals("baselineCopy", baseline.method());
        assertEquals("avgt", baseline.mode());
        assertEquals(10.0, baseline.score(), 1e-12);
        assertEquals(0.5, baseline.scoreError(), 1e-12);
        assertEquals("ns/op", baseline.unit());
        assertEquals(10, baseline.samples());
        assertEquals("5 × 1 s", baseline.warmup());
        assertTrue(baseline.isBaseline());
    }

    @Test
    void shouldReadAnErrorJmhCouldNotComputeAsMissing() throws IOException
    {
        assertNull(results().get(1).scoreError());
    }

    @Test
    void shouldReadParametersInOrderAndSampleTimePercentiles() throws IOException
    {
        final JmhResult sampled = results().get(4);

        assertEquals(Map.of("payloadLength", "1024", "burstLength", "1"), sampled.params());
        assertEquals("payloadLength=1024, burstLength=1", sampled.paramsText());
        assertEquals("twoThreads [1024, 1]", sampled.label());
        assertEquals(4.1, sampled.percentiles().get("99.0"), 1e-12);
        assertEquals(2000, sampled.samples());
        assertEquals("sample time", sampled.modeName());
    }

    @Test
    void shouldMatchABaselineOfTheSameClassModeAndParameterValues() throws IOException
    {
        final List<JmhResult> results = results();

        assertTrue(results.get(1).hasBaseline(results.get(0)));
        assertTrue(results.get(3).hasBaseline(results.get(2)));
        assertFalse(results.get(4).hasBaseline(results.get(2)));
        assertFalse(results.get(3).hasBaseline(results.get(0)));
    }

    @Test
    void shouldExpressCostOverTheBaselineWhateverTheMode() throws IOException
    {
        final List<JmhResult> results = results();

        assertEquals(2.5, results.get(1).costOver(results.get(0)), 1e-12);
        assertEquals(4.0, results.get(3).costOver(results.get(2)), 1e-12);
    }

    @Test
    void shouldRejectSomethingThatIsNotAnArray()
    {
        final IOException ex = assertThrows(IOException.class,
            () -> JmhResult.parse(new ObjectMapper().readTree("{\"benchmark\": \"x\"}")));

        assertEquals("not a JMH JSON result (an array of benchmarks expected)", ex.getMessage());
    }

    static List<JmhResult> results() throws IOException
    {
        return JmhResult.parse(new ObjectMapper().readTree(JmhSamples.JSON));
    }
}
