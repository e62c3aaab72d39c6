package io.sluice.listener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads the listener's W3C log files as a test sees them: the writer thread writes them a little after the event
 * (batched), so a line is waited for.
 */
final class LogLines
{
    private static final long POLL_MS = 10;

    private LogLines()
    {
    }

    /**
     * @param file the log file.
     * @return its lines; none when it does not exist yet.
     */
    static List<String> lines(final Path file) throws IOException
    {
        try
        {
            return Files.readAllLines(file, StandardCharsets.US_ASCII);
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
    }

    /**
     * @param file the log file.
     * @return its record lines (not the {@code #} directives), each split into its fields.
     */
    static List<String[]> records(final Path file) throws IOException
    {
        final List<String[]> records = new ArrayList<>();
        for (final String line : lines(file))
        {
            if (!line.startsWith("#"))
            {
                records.add(line.split(" ", -1));
            }
        }
        return records;
    }

    /**
     * Wait for a record line matching a condition.
     *
     * @param file      the log file.
     * @param match     the condition on the line's fields.
     * @param timeoutMs how long to wait.
     * @return the fields of the first matching line.
     */
    static String[] await(final Path file, final Predicate<String[]> match, final long timeoutMs)
        throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true)
        {
            for (final String[] record : records(file))
            {
                if (match.test(record))
                {
                    return record;
                }
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("no matching line in " + file + " within " + timeoutMs + " ms; it holds:\n" +
                    String.join("\n", lines(file)));
            }
            Thread.sleep(POLL_MS);
        }
    }
}
