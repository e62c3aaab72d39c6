package io.sluice.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One entry of JMH's JSON result file ({@code -rf json}): one benchmark method, in one mode, with one set of
 * parameter values.
 *
 * @param benchmark   fully qualified {@code class.method}.
 * @param className   the class's simple name.
 * @param method      the method.
 * @param mode        JMH's short mode name: {@code thrpt}, {@code avgt}, {@code sample}, {@code ss}.
 * @param threads     benchmark threads.
 * @param forks       forks measured.
 * @param params      parameter values by name, in JMH's order.
 * @param score       the primary score.
 * @param scoreError  half-width of JMH's 99.9 % confidence interval; null when JMH could not compute one (too few
 *                    iterations).
 * @param unit        e.g. {@code ns/op}, {@code ops/us}.
 * @param percentiles the score distribution by percentile ({@code "50.0"} …), for sample time.
 * @param samples     measurements behind the score: iterations, or samples for sample time.
 * @param jmhVersion  JMH's version.
 * @param jdkVersion  the forks' JDK.
 * @param vmName      the forks' VM.
 * @param warmup      e.g. {@code 5 × 1 s}.
 * @param measurement e.g. {@code 5 × 1 s}.
 */
record JmhResult(
    String benchmark,
    String className,
    String method,
    String mode,
    int threads,
    int forks,
    Map<String, String> params,
    double score,
    Double scoreError,
    String unit,
    Map<String, Double> percentiles,
    long samples,
    String jmhVersion,
    String jdkVersion,
    String vmName,
    String warmup,
    String measurement)
{
    /**
     * Methods whose name starts with this are a class's baseline.
     */
    static final String BASELINE_PREFIX = "baseline";

    /**
     * Read a JMH JSON result file.
     *
     * @param file the file.
     * @return its entries, in file order.
     * @throws IOException when it cannot be read or is not JMH's JSON.
     */
    static List<JmhResult> read(final Path file) throws IOException
    {
        return parse(new ObjectMapper().readTree(file.toFile()));
    }

    /**
     * @param root the parsed JSON: an array of JMH results.
     * @return the entries, in order.
     * @throws IOException when it is not JMH's JSON.
     */
    static List<JmhResult> parse(final JsonNode root) throws IOException
    {
        if (null == root || !root.isArray())
        {
            throw new IOException("not a JMH JSON result (an array of benchmarks expected)");
        }
        final List<JmhResult> results = new ArrayList<>();
        for (final JsonNode node : root)
        {
            results.add(parseOne(node));
        }
        return results;
    }

    /**
     * @return true for a baseline method.
     */
    boolean isBaseline()
    {
        return method.startsWith(BASELINE_PREFIX);
    }

    /**
     * @return true when a higher score is better (throughput); false for the time modes.
     */
    boolean higherIsBetter()
    {
        return "thrpt".equals(mode);
    }

    /**
     * @return the mode as a reader knows it, e.g. {@code average time}.
     */
    String modeName()
    {
        return switch (mode)
        {
            case "thrpt" -> "throughput";
            case "avgt" -> "average time";
            case "sample" -> "sample time";
            case "ss" -> "single shot";
            default -> mode;
        };
    }

    /**
     * @return the parameters as {@code name=value, …}, or empty.
     */
    String paramsText()
    {
        final List<String> parts = new ArrayList<>();
        params.forEach((name, value) -> parts.add(name + "=" + value));
        return String.join(", ", parts);
    }

    /**
     * @return a short label for a chart: the method and the parameter values.
     */
    String label()
    {
        return params.isEmpty() ? method : method + " [" + String.join(", ", params.values()) + "]";
    }

    /**
     * @param candidate another result.
     * @return true when {@code candidate} is this result's baseline: a baseline method of the same class and mode
     * whose parameters all have the same values here (a baseline may have fewer parameters).
     */
    boolean hasBaseline(final JmhResult candidate)
    {
        if (!candidate.isBaseline() || !candidate.className.equals(className) || !candidate.mode.equals(mode) ||
            !candidate.unit.equals(unit))
        {
            return false;
        }
        for (final Map.Entry<String, String> param : candidate.params.entrySet())
        {
            if (!param.getValue().equals(params.get(param.getKey())))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param baseline this result's baseline.
     * @return how many times the baseline's cost this result's is: score over baseline for the time modes, baseline
     * over score for throughput; null when a score is not positive.
     */
    Double costOver(final JmhResult baseline)
    {
        if (score <= 0 || baseline.score <= 0)
        {
            return null;
        }
        return higherIsBetter() ? baseline.score / score : score / baseline.score;
    }

    private static JmhResult parseOne(final JsonNode node) throws IOException
    {
        final String benchmark = text(node, "benchmark");
        final int dot = benchmark.lastIndexOf('.');
        if (dot <= 0)
        {
            throw new IOException("JMH benchmark name without a class: " + benchmark);
        }
        final String fullClass = benchmark.substring(0, dot);
        final JsonNode metric = node.path("primaryMetric");
        if (metric.isMissingNode())
        {
            throw new IOException("JMH result without primaryMetric: " + benchmark);
        }

        final Map<String, String> params = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> param : node.path("params").properties())
        {
            params.put(param.getKey(), param.getValue().asText());
        }
        final Map<String, Double> percentiles = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> percentile : metric.path("scorePercentiles").properties())
        {
            final Double value = number(percentile.getValue());
            if (null != value)
            {
                percentiles.put(percentile.getKey(), value);
            }
        }

        final Double score = number(metric.path("score"));
        if (null == score)
        {
            throw new IOException("JMH result without a score: " + benchmark);
        }
        return new JmhResult(
            benchmark,
            fullClass.substring(fullClass.lastIndexOf('.') + 1),
            benchmark.substring(dot + 1),
            text(node, "mode"),
            node.path("threads").asInt(1),
            node.path("forks").asInt(1),
            params,
            score,
            number(metric.path("scoreError")),
            text(metric, "scoreUnit"),
            percentiles,
            samples(metric),
            node.path("jmhVersion").asText("?"),
            node.path("jdkVersion").asText("?"),
            node.path("vmName").asText("?"),
            iterations(node, "warmupIterations", "warmupTime"),
            iterations(node, "measurementIterations", "measurementTime"));
    }

    private static long samples(final JsonNode metric)
    {
        long samples = 0;
        for (final JsonNode fork : metric.path("rawData"))
        {
            samples += fork.size();
        }
        for (final JsonNode fork : metric.path("rawDataHistogram"))
        {
            for (final JsonNode iteration : fork)
            {
                for (final JsonNode pair : iteration)
                {
                    samples += pair.path(1).asLong();
                }
            }
        }
        return samples;
    }

    private static String iterations(final JsonNode node, final String count, final String time)
    {
        return node.path(count).asInt() + " × " + node.path(time).asText("?");
    }

    private static String text(final JsonNode node, final String field) throws IOException
    {
        final JsonNode value = node.get(field);
        if (null == value || !value.isTextual())
        {
            throw new IOException("JMH result without " + field + ": " + node.path("benchmark").asText());
        }
        return value.asText();
    }

    /**
     * JMH writes a value it could not compute as the string {@code "NaN"}.
     */
    private static Double number(final JsonNode value)
    {
        if (value.isNumber())
        {
            return value.asDouble();
        }
        if (value.isTextual())
        {
            try
            {
                final double parsed = Double.parseDouble(value.asText().trim().toLowerCase(Locale.ROOT)
                    .replace("nan", "NaN").replace("infinity", "Infinity"));
                return Double.isNaN(parsed) || Double.isInfinite(parsed) ? null : parsed;
            }
            catch (final NumberFormatException ex)
            {
                return null;
            }
        }
        return null;
    }
}
