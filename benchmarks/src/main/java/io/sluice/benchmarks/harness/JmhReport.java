package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns JMH's JSON results into {@code jmh-report.md} and {@code charts/jmh-*}: one section per benchmark class, a
 * table of every method and parameter set (score, error, unit, cost over the class's baseline, percentiles for sample
 * time) and a chart per mode.
 */
final class JmhReport
{
    private static final String CHARTS = "charts";
    private static final List<String> SHOWN_PERCENTILES = List.of("50.0", "99.0", "99.9");

    private final List<JmhResult> results;
    private final Machine machine;
    private final String title;
    private final String profile;

    /**
     * @param results the results, in JMH's order.
     * @param machine the machine they came from; null when unknown (a file rendered elsewhere).
     * @param title   the report's heading line after the title, e.g. the date and the command.
     * @param profile {@code quick}, {@code smoke} or empty for JMH's own settings.
     */
    JmhReport(final List<JmhResult> results, final Machine machine, final String title, final String profile)
    {
        this.results = List.copyOf(results);
        this.machine = machine;
        this.title = title;
        this.profile = profile;
    }

    /**
     * Write {@code jmh-report.md} and its charts.
     *
     * @param dir the output directory.
     * @return the report file.
     * @throws IOException when a file cannot be written.
     */
    Path write(final Path dir) throws IOException
    {
        for (final Map.Entry<String, List<JmhResult>> group : groups().entrySet())
        {
            final List<JmhResult> members = group.getValue();
            final JmhResult first = members.get(0);
            Charts.scoreBars(
                dir.resolve(CHARTS).resolve(chartName(first)),
                first.className() + " — " + first.modeName() + (first.higherIsBetter() ? " (higher is better)" :
                    " (lower is better)"),
                first.unit(),
                members.stream().map(JmhResult::label).toList(),
                members.stream().map(JmhResult::score).toList(),
                members.stream().map((r) -> null == r.scoreError() ? 0.0 : r.scoreError()).toList());
        }
        final Path report = dir.resolve("jmh-report.md");
        Files.writeString(report, render(), StandardCharsets.UTF_8);
        return report;
    }

    /**
     * @return the report as Markdown.
     */
    String render()
    {
        final StringBuilder md = new StringBuilder(8 * 1024);
        md.append("# Sluice JMH report\n\n").append(title).append("\n\n");
        if (results.isEmpty())
        {
            md.append("No results: the filter matched no benchmark, or every benchmark failed.\n");
            return md.toString();
        }
        final JmhResult first = results.get(0);
        md.append("JMH ").append(first.jmhVersion()).append(", JDK ").append(first.jdkVersion()).append(" (")
            .append(first.vmName()).append(")");
        if (null != machine)
        {
            md.append(", ").append(machine.oneLine());
        }
        md.append(".\n\n");
        md.append("Settings: ").append(String.join("; ", settings())).append(".\n\n");
        if (!profile.isEmpty())
        {
            md.append("> **").append(profile).append(" run**: few, short iterations, so the errors are wide and ")
                .append("small differences mean nothing. Run `bin/sluice jmh` without `--").append(profile)
                .append("` for figures to quote.\n\n");
        }
        md.append("How to read: *score ± error* is JMH's mean with the half-width of its 99.9 % confidence interval ")
            .append("(— when there were too few iterations to compute one). Time modes: lower is better; ")
            .append("throughput: higher is better. *× baseline* is how many times the cost of the class's baseline ")
            .append("method (same mode, same parameter values) the benchmark costs: what the measured step adds ")
            .append("beyond the least its job can cost. Sample time also shows the distribution's percentiles.\n\n");

        final Map<String, List<JmhResult>> byClass = new LinkedHashMap<>();
        for (final JmhResult result : results)
        {
            byClass.computeIfAbsent(result.className(), (k) -> new ArrayList<>()).add(result);
        }
        md.append("| class | benchmarks |\n| --- | ---: |\n");
        byClass.forEach((name, members) -> md.append("| [").append(name).append("](#")
            .append(name.toLowerCase(Locale.ROOT)).append(") | ").append(members.size()).append(" |\n"));
        md.append('\n');
        for (final Map.Entry<String, List<JmhResult>> entry : byClass.entrySet())
        {
            classSection(md, entry.getKey(), entry.getValue());
        }
        return md.toString();
    }

    private void classSection(final StringBuilder md, final String className, final List<JmhResult> members)
    {
        md.append("## ").append(className).append("\n\n");
        final boolean sampled = members.stream().anyMatch((r) -> !r.percentiles().isEmpty() &&
            "sample".equals(r.mode()));
        final List<String> columns = new ArrayList<>(List.of(
            "benchmark", "params", "mode", "score>", "± error>", "unit", "× baseline>"));
        if (sampled)
        {
            columns.addAll(List.of("p50>", "p99>", "p99.9>"));
        }
        columns.add("samples>");
        final Markdown table = Markdown.table(columns.toArray(new String[0]));
        for (final JmhResult result : members)
        {
            final List<String> cells = new ArrayList<>();
            cells.add(result.isBaseline() ? "*" + result.method() + "*" : "**" + result.method() + "**");
            cells.add(result.paramsText().isEmpty() ? "" : result.paramsText());
            cells.add(result.mode());
            cells.add(Markdown.figure(result.score()));
            cells.add(Markdown.figure(result.scoreError()));
            cells.add(result.unit());
            cells.add(baselineCell(result));
            if (sampled)
            {
                for (final String p : SHOWN_PERCENTILES)
                {
                    cells.add("sample".equals(result.mode()) ? Markdown.figure(result.percentiles().get(p)) : "");
                }
            }
            cells.add(String.format(Locale.ROOT, "%,d", result.samples()));
            table.row(cells.toArray(new String[0]));
        }
        md.append(table.render()).append('\n');
        final Set<String> charts = new LinkedHashSet<>();
        for (final JmhResult result : members)
        {
            charts.add(chartName(result));
        }
        for (final String chart : charts)
        {
            md.append("![").append(chart).append("](").append(CHARTS).append('/').append(chart).append(".svg) ");
        }
        md.append("\n\n");
    }

    private String baselineCell(final JmhResult result)
    {
        if (result.isBaseline())
        {
            return "1.00× (baseline)";
        }
        for (final JmhResult candidate : results)
        {
            if (result.hasBaseline(candidate))
            {
                return Markdown.ratio(result.costOver(candidate));
            }
        }
        return Markdown.NONE;
    }

    private List<String> settings()
    {
        final Set<String> settings = new LinkedHashSet<>();
        for (final JmhResult result : results)
        {
            settings.add(result.forks() + (result.forks() == 1 ? " fork" : " forks") + ", warm-up " +
                result.warmup() + ", measurement " + result.measurement() + ", " + result.threads() +
                (result.threads() == 1 ? " thread" : " threads"));
        }
        return new ArrayList<>(settings);
    }

    private Map<String, List<JmhResult>> groups()
    {
        final Map<String, List<JmhResult>> groups = new LinkedHashMap<>();
        for (final JmhResult result : results)
        {
            groups.computeIfAbsent(chartName(result), (k) -> new ArrayList<>()).add(result);
        }
        return groups;
    }

    private static String chartName(final JmhResult result)
    {
        return "jmh-" + result.className() + "-" + result.mode() + "-" +
            result.unit().replace('/', '_').replaceAll("[^A-Za-z0-9_]", "");
    }
}
