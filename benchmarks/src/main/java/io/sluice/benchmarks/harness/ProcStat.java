package io.sluice.benchmarks.harness;

/**
 * The fields of one {@code /proc/<pid>/stat} line the harness uses (proc(5)): times are in clock ticks
 * ({@code getconf CLK_TCK}, usually 100 a second).
 *
 * @param pid          process id (field 1).
 * @param comm         command name without the parentheses (field 2); may hold spaces and parentheses.
 * @param state        state letter (field 3), e.g. {@code S}, {@code R}, {@code Z}.
 * @param ppid         parent process id (field 4).
 * @param utimeTicks   user time of the process's threads, live and exited (field 14).
 * @param stimeTicks   system time of the process's threads (field 15).
 * @param cutimeTicks  user time of children it has waited for (field 16).
 * @param cstimeTicks  system time of children it has waited for (field 17).
 */
record ProcStat(
    long pid,
    String comm,
    char state,
    long ppid,
    long utimeTicks,
    long stimeTicks,
    long cutimeTicks,
    long cstimeTicks)
{
    private static final int UTIME_AFTER_COMM = 11;
    private static final int FIELDS_AFTER_COMM_NEEDED = 15;

    /**
     * Parse one stat line. The command name is found between the first {@code (} and the <em>last</em> {@code )},
     * since it may itself contain both.
     *
     * @param line the content of {@code /proc/<pid>/stat}.
     * @return the fields.
     * @throws IllegalArgumentException when the line is not a stat line.
     */
    static ProcStat parse(final String line)
    {
        final int open = line.indexOf('(');
        final int close = line.lastIndexOf(')');
        if (open < 1 || close < open)
        {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + abbreviate(line));
        }
        final String[] rest = line.substring(close + 1).trim().split(" +");
        if (rest.length < FIELDS_AFTER_COMM_NEEDED || rest[0].length() != 1)
        {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + abbreviate(line));
        }
        try
        {
            return new ProcStat(
                Long.parseLong(line.substring(0, open).trim()),
                line.substring(open + 1, close),
                rest[0].charAt(0),
                Long.parseLong(rest[1]),
                Long.parseLong(rest[UTIME_AFTER_COMM]),
                Long.parseLong(rest[UTIME_AFTER_COMM + 1]),
                Long.parseLong(rest[UTIME_AFTER_COMM + 2]),
                Long.parseLong(rest[UTIME_AFTER_COMM + 3]));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + abbreviate(line), ex);
        }
    }

    /**
     * @return user and system time of the process and of the children it has reaped, in clock ticks: what it and
     * everything it ran has cost, as long as it lives.
     */
    long totalTicks()
    {
        return utimeTicks + stimeTicks + cutimeTicks + cstimeTicks;
    }

    /**
     * @return the time of children the process has reaped, in clock ticks.
     */
    long reapedChildrenTicks()
    {
        return cutimeTicks + cstimeTicks;
    }

    private static String abbreviate(final String line)
    {
        return line.length() > 80 ? line.substring(0, 80) + "…" : line;
    }
}
