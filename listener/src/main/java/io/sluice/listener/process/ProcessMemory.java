package io.sluice.listener.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's resident memory as Linux reports it: the {@code VmRSS} line of {@code /proc/<pid>/status}, the memory
 * the {@code recycle.memory} limit of a worker is checked against.
 */
final class ProcessMemory
{
    private static final String VM_RSS = "VmRSS:";
    private static final long KIB = 1024;

    private ProcessMemory()
    {
    }

    /**
     * @param pid a process id.
     * @return its resident set size in bytes, or -1 when it cannot be read (the process is gone).
     */
    static long residentBytes(final long pid)
    {
        try
        {
            for (final String line : Files.readAllLines(
                Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII))
            {
                if (line.startsWith(VM_RSS))
                {
                    // "VmRSS:  12345 kB" (a tab, then spaces)
                    final String value = line.substring(VM_RSS.length()).trim();
                    final int space = value.indexOf(' ');
                    return Long.parseLong(space < 0 ? value : value.substring(0, space)) * KIB;
                }
            }
            return -1;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
    }
}
