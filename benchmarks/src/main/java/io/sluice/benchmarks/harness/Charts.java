package io.sluice.benchmarks.harness;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The report's charts, drawn with XChart and written both as SVG (what the Markdown links) and PNG. Each target keeps
 * one colour in every chart.
 */
final class Charts
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;
    private static final Color[] TARGET_COLOURS = {
        new Color(0x1f77b4),
        new Color(0x2ca02c),
        new Color(0xff7f0e),
        new Color(0x7f7f7f),
        new Color(0x9467bd),
        new Color(0xd62728),
        new Color(0x8c564b) };
    private static final Color SPREAD_COLOUR = new Color(0x202020);
    private static final Color JMH_COLOUR = new Color(0x1f77b4);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font TEXT_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    static
    {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts()
    {
    }

    /**
     * One bar per target, each in its target's colour, with optional markers for each target's slowest and fastest
     * round.
     *
     * @param file   path without extension; {@code .svg} and {@code .png} are written.
     * @param title  chart title.
     * @param yTitle y-axis title, with its unit.
     * @param values the bar per target, in target order; a target without a figure is left out.
     * @param low    slowest round per target, or null for no spread markers.
     * @param high   fastest round per target, or null.
     * @throws IOException when a file cannot be written.
     */
    static void targetBars(
        final Path file,
        final String title,
        final String yTitle,
        final Map<TargetKind, Double> values,
        final Map<TargetKind, Double> low,
        final Map<TargetKind, Double> high) throws IOException
    {
        final List<TargetKind> kinds = new ArrayList<>();
        for (final TargetKind kind : TargetKind.values())
        {
            if (null != values.get(kind))
            {
                kinds.add(kind);
            }
        }
        if (kinds.isEmpty())
        {
            return;
        }
        final List<String> categories = kinds.stream().map(TargetKind::label).toList();
        final CategoryChart chart = chart(title, "", yTitle);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLegendVisible(null != low);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.BLACK);
        chart.getStyler().setLabelsPosition(0.5);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        for (int i = 0; i < kinds.size(); i++)
        {
            final List<Double> y = new ArrayList<>(Collections.nCopies(kinds.size(), (Double)null));
            y.set(i, values.get(kinds.get(i)));
            final CategorySeries series = chart.addSeries(kinds.get(i).label(), categories, y);
            series.setFillColor(TARGET_COLOURS[kinds.get(i).ordinal()]);
            series.setShowInLegend(false);
        }
        if (null != low && null != high)
        {
            spreadMarkers(chart, "slowest round", categories, kinds, low, false);
            spreadMarkers(chart, "fastest round", categories, kinds, high, true);
        }
        save(chart, file);
    }

    /**
     * One group per category (a scenario), one bar per target in its colour.
     *
     * @param file       path without extension.
     * @param title      chart title.
     * @param yTitle     y-axis title.
     * @param categories the groups, in order.
     * @param values     per target, one value (or null) per category.
     * @throws IOException when a file cannot be written.
     */
    static void groupedBars(
        final Path file,
        final String title,
        final String yTitle,
        final List<String> categories,
        final Map<TargetKind, List<Double>> values) throws IOException
    {
        if (categories.isEmpty() || values.isEmpty())
        {
            return;
        }
        final CategoryChart chart = chart(title, "", yTitle);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisLabelRotation(categories.size() > 5 ? 20 : 0);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        for (final Map.Entry<TargetKind, List<Double>> entry : values.entrySet())
        {
            final CategorySeries series = chart.addSeries(entry.getKey().label(), categories, entry.getValue());
            series.setFillColor(TARGET_COLOURS[entry.getKey().ordinal()]);
        }
        save(chart, file);
    }

    /**
     * One bar per benchmark with its error (JMH's 99.9 % confidence half-width) as an error bar. (One series: XChart
     * cannot leave gaps in a series with error bars, so baselines are told apart by name, not colour.)
     *
     * @param file   path without extension.
     * @param title  chart title.
     * @param yTitle y-axis title, with the unit.
     * @param labels one per bar.
     * @param scores the scores.
     * @param errors the errors; 0 where JMH gave none.
     * @throws IOException when a file cannot be written.
     */
    static void scoreBars(
        final Path file,
        final String title,
        final String yTitle,
        final List<String> labels,
        final List<Double> scores,
        final List<Double> errors) throws IOException
    {
        if (labels.isEmpty())
        {
            return;
        }
        final CategoryChart chart = chart(title, "", yTitle);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(labels.size() > 3 ? 25 : 0);
        chart.getStyler().setErrorBarsColor(SPREAD_COLOUR);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.BLACK);
        chart.addSeries("score", labels, scores, errors).setFillColor(JMH_COLOUR);
        save(chart, file);
    }

    private static void spreadMarkers(
        final CategoryChart chart,
        final String name,
        final List<String> categories,
        final List<TargetKind> kinds,
        final Map<TargetKind, Double> values,
        final boolean up)
    {
        final List<Double> y = new ArrayList<>();
        for (final TargetKind kind : kinds)
        {
            y.add(values.get(kind));
        }
        final CategorySeries series = chart.addSeries(name, categories, y);
        series.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        series.setMarker(up ? SeriesMarkers.TRIANGLE_UP : SeriesMarkers.TRIANGLE_DOWN);
        series.setMarkerColor(SPREAD_COLOUR);
    }

    private static CategoryChart chart(final String title, final String xTitle, final String yTitle)
    {
        final CategoryChart chart = new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
        final CategoryStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(false);
        styler.setPlotGridVerticalLinesVisible(false);
        styler.setChartTitleFont(TITLE_FONT);
        styler.setAxisTitleFont(TEXT_FONT);
        styler.setAxisTickLabelsFont(TEXT_FONT);
        styler.setLegendFont(TEXT_FONT);
        styler.setLabelsFont(TEXT_FONT);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setXAxisTitleVisible(!xTitle.isEmpty());
        styler.setYAxisMin(0.0);
        styler.setYAxisDecimalPattern("#,##0.##");
        styler.setAvailableSpaceFill(0.6);
        return chart;
    }

    private static void save(final CategoryChart chart, final Path file) throws IOException
    {
        Files.createDirectories(file.toAbsolutePath().getParent());
        VectorGraphicsEncoder.saveVectorGraphic(chart, file + ".svg", VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        BitmapEncoder.saveBitmap(chart, file + ".png", BitmapEncoder.BitmapFormat.PNG);
    }
}
