package io.sluice.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's building blocks: a GitHub-flavoured Markdown table, and the number formats every table shares
 * (a missing figure is an em dash, never 0 or NaN).
 */
final class Markdown
{
    /**
     * What a table shows for a figure that does not exist.
     */
    static final String NONE = "—";

    private final List<String> header;
    private final List<Boolean> rightAligned;
    private final List<List<String>> rows = new ArrayList<>();

    private Markdown(final List<String> header, final List<Boolean> rightAligned)
    {
        this.header = header;
        this.rightAligned = rightAligned;
    }

    /**
     * Start a table. A column whose name ends with {@code >} is right-aligned (numbers); the marker is not shown.
     *
     * @param columns column names.
     * @return the table.
     */
    static Markdown table(final String... columns)
    {
        final List<String> names = new ArrayList<>();
        final List<Boolean> right = new ArrayList<>();
        for (final String column : columns)
        {
            final boolean isRight = column.endsWith(">");
            names.add(isRight ? column.substring(0, column.length() - 1) : column);
            right.add(isRight);
        }
        return new Markdown(names, right);
    }

    /**
     * @param cells one cell per column; {@code |} is escaped.
     * @return this.
     */
    Markdown row(final String... cells)
    {
        if (cells.length != header.size())
        {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + header.size() +
                " columns");
        }
        final List<String> row = new ArrayList<>();
        for (final String cell : cells)
        {
            row.add(null == cell ? NONE : cell.replace("|", "\\|").replace("\n", " "));
        }
        rows.add(row);
        return this;
    }

    /**
     * @return true when no row was added.
     */
    boolean isEmpty()
    {
        return rows.isEmpty();
    }

    /**
     * @return the table as Markdown, ending with a newline.
     */
    String render()
    {
        final StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (final boolean right : rightAligned)
        {
            out.append(right ? " ---: |" : " --- |");
        }
        out.append('\n');
        for (final List<String> row : rows)
        {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return out.toString();
    }

    /**
     * @param value a count or rate, may be null.
     * @return it rounded with thousands separators, e.g. {@code 141,203}.
     */
    static String count(final Double value)
    {
        return null == value ? NONE : String.format(Locale.ROOT, "%,d", Math.round(value));
    }

    /**
     * @param value microseconds or another small figure, may be null.
     * @return three significant figures at most below 100 ({@code 7.12}, {@code 45.3}), whole numbers with separators
     * above.
     */
    static String figure(final Double value)
    {
        if (null == value || value.isNaN() || value.isInfinite())
        {
            return NONE;
        }
        final double magnitude = Math.abs(value);
        if (magnitude >= 100)
        {
            return String.format(Locale.ROOT, "%,d", Math.round(value));
        }
        if (magnitude >= 10)
        {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /**
     * @param value a ratio, may be null.
     * @return e.g. {@code 0.87×}.
     */
    static String ratio(final Double value)
    {
        return null == value || value.isNaN() || value.isInfinite() ? NONE :
            String.format(Locale.ROOT, "%.2f×", value);
    }

    /**
     * @param value a percentage, may be null.
     * @return e.g. {@code 98 %}.
     */
    static String percent(final Double value)
    {
        return null == value ? NONE : String.format(Locale.ROOT, "%.0f %%", value);
    }
}
