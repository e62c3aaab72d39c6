package io.sluice.listener.config;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing and printing of single configuration values: sizes, durations, names, Java class names, and the
 * {@code (was ...)} rendering of a value in an error message. Stateless.
 */
final class ConfigValues
{
    /**
     * Returned by {@link #parseSize(Object)} and {@link #parseDurationMs(Object)} when the value is not a size or a
     * duration at all.
     */
    static final long NOT_PARSED = Long.MIN_VALUE;

    /**
     * Longest value text quoted in full in an error message.
     */
    static final int MAX_QUOTED_LENGTH = 80;

    private static final Pattern SIZE = Pattern.compile("(-?[0-9]+)([kKmMgG]?)");
    private static final Pattern DURATION = Pattern.compile("(-?[0-9]+)(ms|s|m|h)?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE + 1);

    private ConfigValues()
    {
    }

    /**
     * Parse a size in bytes: a YAML integer, or text of an integer with an optional binary suffix ({@code k} = 1024,
     * {@code m} = 1024², {@code g} = 1024³, either case).
     *
     * @param value as loaded from YAML.
     * @return the number of bytes, clamped to the range of a long, or {@link #NOT_PARSED} when it is not a size.
     */
    static long parseSize(final Object value)
    {
        if (isInteger(value))
        {
            return clamp(toBigInteger(value));
        }
        if (!(value instanceof String))
        {
            return NOT_PARSED;
        }
        final Matcher matcher = SIZE.matcher((String)value);
        if (!matcher.matches())
        {
            return NOT_PARSED;
        }
        final int shift;
        switch (matcher.group(2))
        {
            case "k":
            case "K":
                shift = 10;
                break;
            case "m":
            case "M":
                shift = 20;
                break;
            case "g":
            case "G":
                shift = 30;
                break;
            default:
                shift = 0;
                break;
        }
        return clamp(new BigInteger(matcher.group(1)).shiftLeft(shift));
    }

    /**
     * Parse a duration: a YAML integer of milliseconds, or text of an integer with an optional unit ({@code ms},
     * {@code s}, {@code m}, {@code h}; no unit means milliseconds).
     *
     * @param value as loaded from YAML.
     * @return the duration in ms, clamped to the range of a long, or {@link #NOT_PARSED} when it is not a duration.
     */
    static long parseDurationMs(final Object value)
    {
        if (isInteger(value))
        {
            return clamp(toBigInteger(value));
        }
        if (!(value instanceof String))
        {
            return NOT_PARSED;
        }
        final Matcher matcher = DURATION.matcher((String)value);
        if (!matcher.matches())
        {
            return NOT_PARSED;
        }
        final String unit = matcher.group(2);
        final long multiplier;
        if (null == unit || "ms".equals(unit))
        {
            multiplier = 1;
        }
        else if ("s".equals(unit))
        {
            multiplier = 1000;
        }
        else if ("m".equals(unit))
        {
            multiplier = 60_000;
        }
        else
        {
            multiplier = 3_600_000;
        }
        return clamp(new BigInteger(matcher.group(1)).multiply(BigInteger.valueOf(multiplier)));
    }

    /**
     * Render a duration the way the file would write it, for range messages: {@code 0ms}, {@code 1ms},
     * {@code 24h}.
     *
     * @param durationMs a duration in ms.
     * @return the shortest exact form among h, m, s and ms.
     */
    static String formatDurationMs(final long durationMs)
    {
        if (durationMs != 0 && durationMs % 3_600_000 == 0)
        {
            return (durationMs / 3_600_000) + "h";
        }
        if (durationMs != 0 && durationMs % 60_000 == 0)
        {
            return (durationMs / 60_000) + "m";
        }
        if (durationMs != 0 && durationMs % 1000 == 0)
        {
            return (durationMs / 1000) + "s";
        }
        return durationMs + "ms";
    }

    /**
     * Render a size the way the file would write it, for range messages: {@code 64k}, {@code 1g}, {@code 100}.
     *
     * @param size a size in bytes.
     * @return the shortest exact form among g, m, k and plain bytes.
     */
    static String formatSize(final long size)
    {
        if (size != 0 && size % (1L << 30) == 0)
        {
            return (size >> 30) + "g";
        }
        if (size != 0 && size % (1L << 20) == 0)
        {
            return (size >> 20) + "m";
        }
        if (size != 0 && size % (1L << 10) == 0)
        {
            return (size >> 10) + "k";
        }
        return Long.toString(size);
    }

    /**
     * @param value as loaded from YAML.
     * @return true for a YAML integer of any magnitude.
     */
    static boolean isInteger(final Object value)
    {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    }

    /**
     * @param value a YAML integer, see {@link #isInteger(Object)}.
     * @return its value, clamped to the range of a long.
     */
    static long integerValue(final Object value)
    {
        return clamp(toBigInteger(value));
    }

    /**
     * @param text candidate listener id or queue name.
     * @return true when it is 1 to 32 characters of {@code A-Z a-z 0-9 _ -}.
     */
    static boolean isName(final String text)
    {
        return NAME.matcher(text).matches();
    }

    /**
     * @param text candidate environment variable name.
     * @return true when it is letters, digits and {@code _}, not starting with a digit (POSIX portable names).
     */
    static boolean isEnvironmentName(final String text)
    {
        return ENVIRONMENT_NAME.matcher(text).matches();
    }

    /**
     * Syntax check of a binary class name: dot-separated Java identifiers ({@code $} allowed, as in nested classes).
     * Whether the class exists is checked when the queue starts, not here.
     *
     * @param text candidate class name.
     * @return true when the syntax is that of a class name.
     */
    static boolean isClassName(final String text)
    {
        if (text.isEmpty())
        {
            return false;
        }
        boolean segmentStart = true;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '.')
            {
                if (segmentStart)
                {
                    return false;
                }
                segmentStart = true;
            }
            else if (segmentStart ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c))
            {
                segmentStart = false;
            }
            else
            {
                return false;
            }
        }
        return !segmentStart;
    }

    /**
     * Render a loaded value for the {@code (was ...)} part of a message: text in single quotes with control
     * characters escaped and long text shortened, numbers and booleans as they are, empty collections as
     * {@code []} or {@code {}}, others by kind. Never contains a line break.
     *
     * @param value as loaded from YAML.
     * @return one-line rendering.
     */
    static String describe(final Object value)
    {
        if (null == value)
        {
            return "null";
        }
        if (value instanceof String)
        {
            return quote((String)value);
        }
        if (value instanceof Number || value instanceof Boolean)
        {
            return value.toString();
        }
        if (value instanceof Map)
        {
            return ((Map<?, ?>)value).isEmpty() ? "{}" : "a mapping";
        }
        if (value instanceof List)
        {
            return ((List<?>)value).isEmpty() ? "[]" : "a list";
        }
        return "a value of type " + value.getClass().getSimpleName();
    }

    /**
     * @param text any text.
     * @return the text in single quotes, control characters escaped, shortened past {@link #MAX_QUOTED_LENGTH}.
     */
    static String quote(final String text)
    {
        final StringBuilder builder = new StringBuilder(Math.min(text.length(), MAX_QUOTED_LENGTH) + 8).append('\'');
        final int length = Math.min(text.length(), MAX_QUOTED_LENGTH);
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c == '\n')
            {
                builder.append("\\n");
            }
            else if (c == '\r')
            {
                builder.append("\\r");
            }
            else if (c == '\t')
            {
                builder.append("\\t");
            }
            else if (c < 0x20 || c == 0x7f)
            {
                builder.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                builder.append(c);
            }
        }
        if (text.length() > MAX_QUOTED_LENGTH)
        {
            builder.append("...");
        }
        return builder.append('\'').toString();
    }

    /**
     * @param text any text, e.g. a parser's message.
     * @return the text with every run of whitespace, line breaks included, replaced by one space, trimmed.
     */
    static String oneLine(final String text)
    {
        return text.replaceAll("\\s+", " ").trim();
    }

    private static BigInteger toBigInteger(final Object value)
    {
        return value instanceof BigInteger ? (BigInteger)value : BigInteger.valueOf(((Number)value).longValue());
    }

    private static long clamp(final BigInteger value)
    {
        if (value.compareTo(LONG_MAX) > 0)
        {
            return Long.MAX_VALUE;
        }
        if (value.compareTo(LONG_MIN) < 0)
        {
            return Long.MIN_VALUE + 1;
        }
        return value.longValue();
    }
}
