package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns {@link BenchResults} into {@code report.md} and its charts: the headline with its ratios, the ratios in every
 * scenario, a table per scenario, the idle figure, what needs a reader's attention, the machine and the method.
 */
final class BenchReport
{
    /**
     * Load average (1 minute, before starting) above which the report warns that other work shared the machine. The
     * load average after the run is no guide: the run itself keeps two cores busy.
     */
    static final double BUSY_LOAD_AVERAGE = 1.0;

    private static final String CHARTS = "charts";

    /**
     * The flags listed together, one line each, with what they mean; errors get a line per target instead.
     */
    private static final Map<String, String> FLAG_KINDS = new LinkedHashMap<>();

    static
    {
        FLAG_KINDS.put(TargetSummary.Flag.CLIENT_BOUND, "**Load generator at its limit** (wrk's core at least " +
            Math.round(TargetSummary.CLIENT_BOUND_PERCENT) + " % busy: the server may have more to give, so its " +
            "requests/s is a floor and CPU per request the fair comparison): ");
        FLAG_KINDS.put(TargetSummary.Flag.CONTENDED, "**Contended** (other processes took at least " +
            Math.round(TargetSummary.CONTENDED_PERCENT) + " % of the servers' CPU: requests/s understated): ");
        FLAG_KINDS.put(TargetSummary.Flag.STEAL, "**Hypervisor steal** (at least " +
            Math.round(TargetSummary.CONTENDED_PERCENT) + " % of the servers' CPU): ");
        FLAG_KINDS.put(TargetSummary.Flag.NOISY, "**Noisy** (fastest and slowest round more than " +
            Math.round(100 * TargetSummary.NOISY_SPREAD) + " % of the median apart; more rounds or longer runs " +
            "narrow it): ");
    }

    private final BenchResults results;
    private final Map<String, Map<TargetKind, TargetSummary>> byScenario = new LinkedHashMap<>();

    /**
     * @param results what the run measured.
     */
    BenchReport(final BenchResults results)
    {
        this.results = results;
        for (final Scenario scenario : results.scenarios())
        {
            byScenario.put(scenario.name(), new EnumMap<>(TargetKind.class));
        }
        for (final TargetSummary summary : results.summaries())
        {
            byScenario.computeIfAbsent(summary.scenario(), (k) -> new EnumMap<>(TargetKind.class))
                .put(TargetKind.of(summary.target()), summary);
        }
    }

    /**
     * Write {@code report.md} and {@code charts/} into a directory.
     *
     * @param dir the results directory.
     * @return the report file.
     * @throws IOException when a file cannot be written.
     */
    Path write(final Path dir) throws IOException
    {
        writeCharts(dir.resolve(CHARTS));
        final Path report = dir.resolve("report.md");
        Files.writeString(report, render(), StandardCharsets.UTF_8);
        return report;
    }

    /**
     * @return the report as Markdown.
     */
    String render()
    {
        final StringBuilder md = new StringBuilder(16 * 1024);
        header(md);
        goals(md);
        headline(md);
        if (!results.scenarios().isEmpty())
        {
            md.append(tlsCostSection(byScenario));
            ratioTables(md);
            scenarios(md);
        }
        scaling(md);
        attention(md);
        machine(md);
        method(md);
        return md.toString();
    }

    /**
     * @param summaries one scenario's summaries by target.
     * @return the table of one scenario: a row per target, measured or not.
     */
    static String scenarioTable(final Map<TargetKind, TargetSummary> summaries)
    {
        final Markdown table = Markdown.table("target", "req/s (median)>", "spread (min–max)>", "p50 µs>",
            "p99 µs>", "p99.9 µs>", "server CPU µs/req>", "server core>", "wrk core>", "others on CPU>", "errors>");
        for (final TargetKind kind : TargetKind.values())
        {
            final TargetSummary s = summaries.get(kind);
            if (null == s)
            {
                continue;
            }
            if (!s.isMeasured())
            {
                table.row(kind.label(), s.status() + ": " + firstLine(s.note()), "", "", "", "", "", "", "", "", "");
                continue;
            }
            table.row(
                kind.label(),
                "**" + Markdown.count(s.rpsMedian()) + "**",
                s.rounds() > 1 ? Markdown.count(s.rpsMin()) + "–" + Markdown.count(s.rpsMax()) + " (" +
                    spreadPercent(s) + ")" : "1 round",
                Markdown.figure(s.p50Us()),
                Markdown.figure(s.p99Us()),
                Markdown.figure(s.p999Us()),
                Markdown.figure(s.cpuUsPerRequest()),
                Markdown.percent(s.serverCorePercent()),
                Markdown.percent(s.clientCorePercent()),
                Markdown.percent(s.otherCorePercent()),
                s.errors() > 0 ? "**" + s.errors() + "** ⚠" : "0");
        }
        return table.render();
    }

    /**
     * @param byScenario every scenario's summaries by target.
     * @return the section on what TLS adds to each target's server CPU per request, when the run measured the hello
     * over HTTPS: a row per target with the cleartext and HTTPS keep-alive figures and their ratio, and the CPU per
     * request and requests/s with a new TLS connection per request; empty when the run did not measure HTTPS.
     */
    static String tlsCostSection(final Map<String, Map<TargetKind, TargetSummary>> byScenario)
    {
        final Map<TargetKind, TargetSummary> http = byScenario.getOrDefault(Scenario.HELLO_C64.name(), Map.of());
        final Map<TargetKind, TargetSummary> https = byScenario.getOrDefault(Scenario.HTTPS_C64.name(), Map.of());
        final Map<TargetKind, TargetSummary> handshake =
            byScenario.getOrDefault(Scenario.TLS_HANDSHAKE.name(), Map.of());
        if (https.values().stream().noneMatch(TargetSummary::isMeasured) &&
            handshake.values().stream().noneMatch(TargetSummary::isMeasured))
        {
            return "";
        }
        final boolean clientBound = handshake.values().stream().anyMatch((h) -> h.isMeasured() &&
            null != h.clientCorePercent() && h.clientCorePercent() >= TargetSummary.CLIENT_BOUND_PERCENT);
        final Markdown table = Markdown.table("target", "http CPU µs/req>", "https CPU µs/req>", "https / http>",
            "https req/s>", "new TLS connection per request: CPU µs/req>", "handshakes/s>");
        for (final TargetKind kind : TargetKind.values())
        {
            final TargetSummary plain = measured(http.get(kind));
            final TargetSummary tls = measured(https.get(kind));
            final TargetSummary fresh = measured(handshake.get(kind));
            if (null == tls && null == fresh)
            {
                continue;
            }
            table.row(
                kind.label(),
                null != plain ? Markdown.figure(plain.cpuUsPerRequest()) : Markdown.NONE,
                null != tls ? Markdown.figure(tls.cpuUsPerRequest()) : Markdown.NONE,
                Markdown.ratio(Ratio.ratio(tls, plain, TargetSummary::cpuUsPerRequest)),
                null != tls ? Markdown.count(tls.rpsMedian()) : Markdown.NONE,
                null != fresh ? Markdown.figure(fresh.cpuUsPerRequest()) : Markdown.NONE,
                null != fresh ? Markdown.count(fresh.rpsMedian()) : Markdown.NONE);
        }
        return "## What TLS adds\n\nServer CPU per request of the hello GET in cleartext (" +
            Scenario.HELLO_C64.name() + ") and over HTTPS (" + Scenario.HTTPS_C64.name() + "), both on 64 " +
            "keep-alive connections, so the ratio is what encrypting a request and its response adds once the " +
            "connection is open; then with a new TLS connection for every request (" + Scenario.TLS_HANDSHAKE.name() +
            ": a full handshake each, no session resumption), where the handshake is most of the cost. One " +
            "certificate (EC P-256) and the same TLS versions for every target.\n\n" + table.render() + "\n" +
            (clientBound ? "> In " + Scenario.TLS_HANDSHAKE.name() + " the load generator's core was at least " +
            Math.round(TargetSummary.CLIENT_BOUND_PERCENT) + " % busy: the handshakes/s are its limit, not the " +
            "servers'; compare the CPU per request.\n\n" : "");
    }

    private static TargetSummary measured(final TargetSummary summary)
    {
        return null != summary && summary.isMeasured() ? summary : null;
    }

    private void header(final StringBuilder md)
    {
        final BenchResults.Settings settings = results.settings();
        md.append("# Sluice end-to-end benchmark\n\n");
        md.append(results.started()).append(" · ").append(settings.profile()).append(" profile · ")
            .append(String.format(Locale.ROOT, "%.0f s", results.elapsedSeconds())).append(" · ")
            .append(results.machine().oneLine()).append("\n\n");
        md.append("wrk drives each target on loopback, one target at a time, alternating round by round ")
            .append("(A B C D E, A B C D E, …) so that drift in the machine hits every target alike. ")
            .append(settings.pinned() ? "Every server-side process runs on CPU " + settings.serverCpus() +
                " and wrk on CPU " + settings.clientCpus() + ", so requests/s and server CPU per request measure " +
                "the server's own cost. " : "Nothing was pinned to a CPU (--no-pin): figures include contention " +
                "between server and load generator. ")
            .append("Ratios compare targets measured in this same run.\n\n");
        if ("smoke".equals(settings.profile()))
        {
            md.append("> **smoke profile**: one 1 s run per target and no warm-up, to show that every path works ")
                .append("end to end. The JIT has not compiled the paths yet: these figures are not measurements.\n\n");
        }
        else if (!"default".equals(settings.profile()))
        {
            md.append("> **").append(settings.profile()).append(" profile**: short runs and few rounds. ")
                .append("Treat differences under about 10 % as noise.\n\n");
        }
        final List<Double> load = results.loadAverageStart();
        if (!load.isEmpty() && load.get(0) > BUSY_LOAD_AVERAGE)
        {
            md.append("> **Shared machine**: load average ").append(loadText(load)).append(" at the start. Other ")
                .append("work competed for both cores; spreads and tails are wider than on a quiet machine, and ")
                .append("\"others on CPU\" says which runs it hit.\n\n");
        }
    }

    private void goals(final StringBuilder md)
    {
        md.append(goalsSection(results.goals()));
    }

    /**
     * @param checks the targets with one run's figures, as {@link Goal#check} gives them.
     * @return the targets section: how many were met, then a row per target.
     */
    static String goalsSection(final List<Goal.Check> checks)
    {
        final long met = checks.stream().filter((c) -> Goal.Check.MET.equals(c.verdict())).count();
        final long notMeasured = checks.stream().filter((c) -> Goal.Check.NOT_MEASURED.equals(c.verdict())).count();
        final StringBuilder md = new StringBuilder(2048);
        md.append("## Targets\n\n");
        md.append(met).append(" of ").append(checks.size()).append(" met, ").append(checks.size() - met - notMeasured)
            .append(" not met, ").append(notMeasured).append(" not measured in this run. Ratios are numerator over ")
            .append("denominator in this run; the scaling rows compare a target at ").append(Goal.LOOPS)
            .append(" event loops with itself at ").append(Goal.BASE_LOOPS).append(".\n\n");
        final Markdown table = Markdown.table("scenario", "ratio", "figure", "target>", "measured>", "verdict",
            "set in");
        for (final Goal.Check check : checks)
        {
            final String measured = null == check.measured() ? Markdown.NONE : "%".equals(unit(check)) ?
                String.format(Locale.ROOT, "%.2f %%", check.measured()) : Markdown.ratio(check.measured());
            table.row(check.scenario(), check.ratio(), check.metric(), check.target(), measured,
                Goal.Check.NOT_MET.equals(check.verdict()) ? "**" + check.verdict() + "**" : check.verdict(),
                check.section());
        }
        md.append(table.render()).append('\n');
        return md.toString();
    }

    private static String unit(final Goal.Check check)
    {
        return Goal.IDLE.equals(check.scenario()) ? "%" : "×";
    }

    private void headline(final StringBuilder md)
    {
        final Scenario headline = results.scenarios().stream().filter(Scenario::isHeadline).findFirst()
            .orElse(null);
        if (null == headline)
        {
            return;
        }
        final Map<TargetKind, TargetSummary> summaries = byScenario.get(headline.name());
        md.append("## Headline: ").append(headline.title()).append("\n\n");
        final double contended = summaries.values().stream()
            .filter((s) -> null != s.otherCorePercent()).mapToDouble(TargetSummary::otherCorePercent).max().orElse(0);
        if (contended >= TargetSummary.CONTENDED_PERCENT)
        {
            md.append(String.format(Locale.ROOT, "> **Contended**: other processes took up to %.0f %% ", contended))
                .append("of the servers' CPU during these runs (\"others on CPU\"), so requests/s ")
                .append("understate the targets they hit. Server CPU per request is the robust figure then; ")
                .append("repeat the run on a quiet machine before quoting requests/s.\n\n");
        }
        md.append(scenarioTable(summaries)).append('\n');
        md.append(chartLinks(headline)).append("\n\n");

        final Markdown ratios = Markdown.table("ratio", "req/s>", "server CPU µs/req>", "p99>", "what it answers");
        for (final Ratio ratio : results.ratios().getOrDefault(headline.name(), List.of()))
        {
            ratios.row(ratio.name(), Markdown.ratio(ratio.rps()), Markdown.ratio(ratio.cpuPerRequest()),
                Markdown.ratio(ratio.p99()), Ratio.Pair.valueOf(pairName(ratio)).meaning());
        }
        md.append("Ratios (numerator over denominator; req/s above 1× means the numerator serves more, CPU and p99 ")
            .append("above 1× mean it costs more or waits longer):\n\n");
        md.append(ratios.render()).append('\n');
        idle(md);
    }

    private void idle(final StringBuilder md)
    {
        final BenchResults.IdleCpu idle = results.idle();
        if (null == idle)
        {
            md.append("Idle CPU: not measured (no listener).\n\n");
            return;
        }
        md.append("**Idle CPU**: the listener and its workers, idle for ")
            .append(String.format(Locale.ROOT, "%.0f s", idle.seconds())).append(" after the last run, used ")
            .append(String.format(Locale.ROOT, "**%.2f %%** of one core", idle.percentOfCore()));
        final List<String> parts = new ArrayList<>();
        idle.percentOfCoreByProcess().forEach((name, pct) ->
            parts.add(name + String.format(Locale.ROOT, " %.2f %%", pct)));
        if (!parts.isEmpty())
        {
            md.append(" (").append(String.join(", ", parts)).append(')');
        }
        md.append(". The resolution is one clock tick (1/").append(results.settings().clockTicksPerSecond())
            .append(" s) per process.\n\n");
    }

    private void ratioTables(final StringBuilder md)
    {
        md.append("## Ratios in every scenario\n\n");
        md.append("![requests/s relative to in-process](charts/relative-rps.svg)\n\n");
        ratioTable(md, "Requests/s (above 1×: the numerator serves more)", Ratio::rps);
        ratioTable(md, "Server CPU per request (above 1×: the numerator costs more)", Ratio::cpuPerRequest);
        ratioTable(md, "p99 latency (above 1×: the numerator's tail is longer)", Ratio::p99);
    }

    private void ratioTable(final StringBuilder md, final String title, final Function<Ratio, Double> value)
    {
        final List<String> columns = new ArrayList<>();
        columns.add("scenario");
        for (final Ratio.Pair pair : Ratio.Pair.values())
        {
            columns.add(pair.label() + ">");
        }
        final Markdown table = Markdown.table(columns.toArray(new String[0]));
        for (final Scenario scenario : results.scenarios())
        {
            final List<String> cells = new ArrayList<>();
            cells.add(scenario.name());
            for (final Ratio ratio : results.ratios().getOrDefault(scenario.name(), List.of()))
            {
                cells.add(Markdown.ratio(value.apply(ratio)));
            }
            while (cells.size() < columns.size())
            {
                cells.add(Markdown.NONE);
            }
            table.row(cells.toArray(new String[0]));
        }
        md.append("**").append(title).append("**\n\n").append(table.render()).append('\n');
    }

    private void scenarios(final StringBuilder md)
    {
        md.append("## Scenarios\n\n");
        for (final Scenario scenario : results.scenarios())
        {
            final Map<TargetKind, TargetSummary> summaries = byScenario.get(scenario.name());
            md.append("### ").append(scenario.name()).append(": ").append(scenario.title()).append("\n\n");
            md.append(scenarioTable(summaries)).append('\n');
            md.append(chartLinks(scenario)).append("\n\n");
        }
    }

    private void scaling(final StringBuilder md)
    {
        final ScalingResults scaling = results.scaling();
        if (null == scaling)
        {
            return;
        }
        md.append(scalingSection(scaling));
    }

    /**
     * @param scaling the scaling scenario's results.
     * @return its section of the report: the layout, then per target and event loop count requests/s and server CPU
     * per request, each against the first loop count.
     */
    static String scalingSection(final ScalingResults scaling)
    {
        final StringBuilder md = new StringBuilder(2048);
        md.append("## Scaling over event loops: hello GET, 64 connections\n\n");
        md.append("One listener per event loop count (").append(scaling.plan()).append("); server side ")
            .append("on CPU ").append(scaling.serverCpus()).append(", wrk on CPU ").append(scaling.loadCpus())
            .append(". With more loops than serving CPUs the loops share them: the CPU per request then shows what ")
            .append("running more loops costs, not what more cores gain.\n\n");
        final int baseLoops = scaling.loopCounts().get(0);
        final Markdown table = Markdown.table("target", "event loops>", "req/s (median)>", "server CPU µs/req>",
            "server core>", "wrk core>", "CPU/req vs " + baseLoops + " loop" + (baseLoops == 1 ? "" : "s") + ">",
            "req/s vs " + baseLoops + ">");
        for (final TargetKind kind : TargetKind.values())
        {
            for (final ScalingResults.Row row : scaling.rows())
            {
                final TargetSummary s = row.summary();
                if (!s.target().equals(kind.key()))
                {
                    continue;
                }
                if (!s.isMeasured())
                {
                    table.row(kind.label(), String.valueOf(row.loops()), s.status() + ": " + firstLine(s.note()),
                        "", "", "", "", "");
                    continue;
                }
                final ScalingResults.LoopRatio ratio = scaling.ratio(row.loops(), kind.key());
                table.row(
                    kind.label(),
                    String.valueOf(row.loops()),
                    "**" + Markdown.count(s.rpsMedian()) + "**",
                    Markdown.figure(s.cpuUsPerRequest()),
                    Markdown.percent(s.serverCorePercent()),
                    Markdown.percent(s.clientCorePercent()),
                    null != ratio ? Markdown.ratio(ratio.cpuPerRequestRatio()) : Markdown.NONE,
                    null != ratio ? Markdown.ratio(ratio.requestsPerSecondRatio()) : Markdown.NONE);
            }
        }
        md.append(table.render()).append('\n');
        return md.toString();
    }

    private void attention(final StringBuilder md)
    {
        final List<String> lines = new ArrayList<>(results.warnings());
        final Map<String, Map<String, List<String>>> grouped = new LinkedHashMap<>();
        for (final String kind : FLAG_KINDS.keySet())
        {
            grouped.put(kind, new LinkedHashMap<>());
        }
        for (final TargetSummary summary : results.summaries())
        {
            if (TargetSummary.FAILED.equals(summary.status()))
            {
                lines.add("**" + summary.scenario() + " / " + summary.target() + " failed**: " + summary.note());
            }
            else if (TargetSummary.SKIPPED.equals(summary.status()) && summary.note().startsWith("starved"))
            {
                lines.add("**" + summary.scenario() + " / " + summary.target() + " not measured**, " +
                    summary.note());
            }
            for (final TargetSummary.Flag flag : summary.flags())
            {
                if (TargetSummary.Flag.ERRORS.equals(flag.kind()) || !grouped.containsKey(flag.kind()))
                {
                    lines.add("**" + summary.scenario() + " / " + summary.target() + "**: " + flag.text());
                    continue;
                }
                grouped.get(flag.kind()).computeIfAbsent(summary.scenario(), (k) -> new ArrayList<>())
                    .add(summary.target() + String.format(Locale.ROOT, " %.0f %%", flag.value()));
            }
        }
        for (final Map.Entry<String, Map<String, List<String>>> group : grouped.entrySet())
        {
            if (!group.getValue().isEmpty())
            {
                final List<String> parts = new ArrayList<>();
                group.getValue().forEach((scenario, targets) ->
                    parts.add(scenario + ": " + String.join(", ", targets)));
                lines.add(FLAG_KINDS.get(group.getKey()) + String.join("; ", parts) + ".");
            }
        }
        md.append("## Needs attention\n\n");
        if (lines.isEmpty())
        {
            md.append("Nothing: every target answered correctly, no run had errors, no figure was flagged.\n\n");
            return;
        }
        for (final String line : lines)
        {
            md.append("- ").append(line.replace("\n", "\n  ")).append('\n');
        }
        md.append('\n');
    }

    private void machine(final StringBuilder md)
    {
        final Machine machine = results.machine();
        md.append("## Machine\n\n");
        final Markdown table = Markdown.table("", "");
        table.row("CPU", machine.cpuModel());
        table.row("CPUs online", Integer.toString(machine.cpus()));
        table.row("memory", machine.memoryMiB() / 1024 + " GiB");
        table.row("kernel", machine.kernel());
        table.row("OS", machine.os());
        table.row("JVM (servers)", String.join("; ", machine.javaVersion()));
        table.row("JVM flags (servers)", "`" + String.join(" ", machine.jvmFlags()) + "`");
        machine.tools().forEach(table::row);
        table.row("load average (1/5/15 min)", "start " + loadText(results.loadAverageStart()) + ", end " +
            loadText(results.loadAverageEnd()) + " (the end includes this run's own load)");
        md.append(table.render()).append('\n');
    }

    private void method(final StringBuilder md)
    {
        final BenchResults.Settings settings = results.settings();
        md.append("## How this was measured\n\n");
        final Markdown targets = Markdown.table("target", "URL", "server side (CPU counted)", "status");
        for (final BenchResults.TargetInfo target : results.targets())
        {
            targets.row(target.label(), null != target.url() ? "`" + target.url() + "`" : null, target.serverSide(),
                null == target.note() ? "ran" : "not run: " + firstLine(target.note()));
        }
        md.append(targets.render()).append('\n');
        md.append("- Plan: ").append(settings.plan()).append("; time budget ").append(settings.timeLimitSeconds())
            .append(" s. Before each scenario every target is checked (status and exact body, every response of a ")
            .append("pipelined batch) and warmed up; warm-up runs are kept in results.json as round 0.\n");
        md.append("- Load: wrk, ").append(settings.wrkThreads()).append(settings.wrkThreads() == 1 ? " thread" :
            " threads").append(", keep-alive connections, closed loop (a connection sends its next request when the ")
            .append("last is answered), the scripts in `scripts/`. Latency is wrk's (with its coordinated-omission ")
            .append("correction), from sending to the last byte of the response; percentiles come from every round's ")
            .append("histogram merged (HdrHistogram), else the median of the rounds'. At saturation the percentiles ")
            .append("are mostly queueing: compare them between targets, not with an SLO.\n");
        md.append("- CPU: user + system time from `/proc/<pid>/stat` of every server-side process (with the children ")
            .append("they reaped), read before and after each run, over the requests wrk completed. Resolution: one ")
            .append("clock tick (1/").append(settings.clockTicksPerSecond()).append(" s) per process per run. ")
            .append("\"server core\" is that CPU time over the run's length: 100 % means the server side kept its ")
            .append("core busy; \"wrk core\" is the same for wrk — near 100 % the load generator is the limit; ")
            .append("\"others on CPU\" is the process time of the servers' CPU not spent by the target's processes ")
            .append("(other processes on the machine, the idle targets): above a few % the server was starved and ")
            .append("its figures are low. results.json also has each run's interrupt time on that CPU (loopback TCP ")
            .append("work for what the server side sends, not in any process's time) and the hypervisor's steal.\n");
        md.append("- Sluice: one listener serves inproc, shm and loopback (`").append(settings.listenerConfig())
            .append("`: the configuration measured, moved to a free port with admin off). The bare server is ")
            .append("`io.sluice.benchmarks.BareHelloServer` (same response bytes). nginx (`nginx/nginx.conf`) ")
            .append("has one worker and upstream keep-alive to the same loopback worker the listener uses, adds its ")
            .append("token as the listener does, and buffers neither request nor response (Sluice streams both).\n");
        md.append("- The bare server only says hello, so it has no figure in the echo scenarios. The sample handler ")
            .append("has no large GET, so the 1 MiB response is measured as a 1 MiB echo (1 MiB each way).\n");
        if (results.scenarios().stream().anyMatch((s) -> s.protocol().isTls()))
        {
            md.append("- TLS: one certificate made for the run (`tls/`, EC P-256, self-signed) served by the ")
                .append("listener's https port and by nginx's TLS ports (`ssl http2`: ALPN offers h2 and ")
                .append("http/1.1), with the TLS versions of the listener's configuration; nginx return 200 ")
                .append("(`return 200` with the same body) is measured in the TLS scenarios only. Each target is ")
                .append("checked over TLS trusting that certificate alone. The new-connection scenario runs ")
                .append("`openssl s_time -new` (a full handshake per connection; wrk and h2load would resume the ")
                .append("first session), one process per connection (`scripts/tls-handshake.sh`), timed by the ")
                .append("harness; it has no latency figures, and when its load core is near 100 % the handshakes/s ")
                .append("are the load generator's limit and the CPU per request is the comparison.\n");
        }
        if (results.scenarios().stream().anyMatch((s) -> s.protocol().isHttp2()))
        {
            md.append("- HTTP/2: h2load, the scenario's connections with 32 streams in flight each for the run's ")
                .append("length, h2 over TLS by ALPN (a run that negotiates anything else fails) and h2c with prior ")
                .append("knowledge; each target first answers 16 GETs on each of the scenario's connections, ")
                .append("4 streams at a time, 2xx with the hello's bytes (a count, so that every connection of the ")
                .append("timed run opens on a server that has opened as many: h2load -D would never stop one still ")
                .append("in its handshake when its time is up). ")
                .append("Requests/s are h2load's (succeeded requests over its measured length); it gives no ")
                .append("latency percentiles. nginx speaks h2 on its TLS ports and h2c on ports of its own; its proxy ")
                .append("forwards each stream over HTTP/1.1 keep-alive, as Sluice's loopback model does.\n");
        }
        if (results.scenarios().stream().anyMatch((s) -> Protocol.WEBSOCKET == s.protocol()))
        {
            md.append("- WebSocket echo (`ws-echo`): the sample handler's echo at `<prefix>ws`, driven by the ")
                .append("harness's own client (`WsEchoClient`: Netty, one event loop, a JVM of its own pinned to the ")
                .append("load CPUs like wrk, `scripts/ws-echo.sh`): each connection upgrades, then keeps one 32-byte ")
                .append("masked binary message outstanding and checks that every echo is the message it sent ")
                .append("(framed by the client itself after Netty's handshake, in one reused buffer per connection). ")
                .append("Each run's client first echoes 1 s uncounted, so that its code is compiled, and the CPU ")
                .append("times are read once it starts counting; ")
                .append("\"req/s\" are echoed messages per second, CPU/req the server side's CPU per message. It ")
                .append("runs on the three Sluice targets only: nginx has no WebSocket echo to compare with.\n");
        }
        md.append("- Files here: `results.json` (every run, raw), `report.md`, `charts/` (SVG and PNG), ")
            .append("`listener.yaml`, `nginx/`, `scripts/*.lua`, `logs/`. Repeat one run by hand with the command ")
            .append("the script header names, e.g. `taskset -c 1 wrk -t1 -c64 -d5s -s scripts/hello-c64.lua <url>`.\n");
    }

    private String chartLinks(final Scenario scenario)
    {
        final String rps = "![requests/s, " + scenario.name() + "](" + CHARTS + "/rps-" + scenario.name() + ".svg)";
        if (!scenario.hasLatency())
        {
            return rps + "\n\nNo latency figures: " + scenario.noLatencyReason() + ". Compare requests/s and CPU " +
                "per request.";
        }
        return rps + " ![p99 latency, " + scenario.name() + "](" + CHARTS + "/p99-" + scenario.name() + ".svg)";
    }

    private void writeCharts(final Path dir) throws IOException
    {
        final List<String> scenarioNames = new ArrayList<>();
        final Map<TargetKind, List<Double>> relative = new EnumMap<>(TargetKind.class);
        for (final Scenario scenario : results.scenarios())
        {
            final Map<TargetKind, TargetSummary> summaries = byScenario.get(scenario.name());
            final Map<TargetKind, Double> rps = new EnumMap<>(TargetKind.class);
            final Map<TargetKind, Double> low = new EnumMap<>(TargetKind.class);
            final Map<TargetKind, Double> high = new EnumMap<>(TargetKind.class);
            final Map<TargetKind, Double> p99 = new EnumMap<>(TargetKind.class);
            for (final Map.Entry<TargetKind, TargetSummary> entry : summaries.entrySet())
            {
                final TargetSummary s = entry.getValue();
                if (s.isMeasured())
                {
                    rps.put(entry.getKey(), s.rpsMedian());
                    low.put(entry.getKey(), s.rpsMin());
                    high.put(entry.getKey(), s.rpsMax());
                    p99.put(entry.getKey(), s.p99Us());
                }
            }
            final boolean spread = summaries.values().stream().anyMatch((s) -> s.rounds() > 1);
            Charts.targetBars(dir.resolve("rps-" + scenario.name()),
                "Requests/s — " + scenario.title() + (spread ? " (▲▼ fastest and slowest round)" : ""),
                "requests/s (median of rounds)", rps, spread ? low : null, spread ? high : null);
            if (scenario.hasLatency())
            {
                Charts.targetBars(dir.resolve("p99-" + scenario.name()), "p99 latency — " + scenario.title(),
                    "p99 latency (µs)", p99, null, null);
            }

            scenarioNames.add(scenario.name());
            final TargetSummary inproc = summaries.get(TargetKind.INPROC);
            for (final TargetKind kind : TargetKind.values())
            {
                relative.computeIfAbsent(kind, (k) -> new ArrayList<>())
                    .add(Ratio.ratio(summaries.get(kind), inproc, TargetSummary::rpsMedian));
            }
        }
        relative.values().removeIf((values) -> values.stream().allMatch((v) -> null == v));
        Charts.groupedBars(dir.resolve("relative-rps"), "Requests/s relative to Sluice in-process (1.00 = in-process)",
            "× in-process requests/s", scenarioNames, relative);
    }

    private static String pairName(final Ratio ratio)
    {
        return (ratio.numerator() + "_" + ratio.denominator()).replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static String spreadPercent(final TargetSummary s)
    {
        return String.format(Locale.ROOT, "±%.0f %%", 50 * (s.rpsMax() - s.rpsMin()) / s.rpsMedian());
    }

    private static String loadText(final List<Double> load)
    {
        if (load.isEmpty())
        {
            return "unknown";
        }
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", load.get(0), load.get(1), load.get(2));
    }

    private static String firstLine(final String text)
    {
        if (null == text)
        {
            return "";
        }
        final int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
