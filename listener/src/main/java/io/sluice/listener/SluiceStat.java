package io.sluice.listener;

import io.sluice.dispatch.shm.CountersFileDescriptor;
import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.counters.CountersSnapshot;
import io.sluice.listener.counters.PrometheusText;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sluice stat [--watch 1s] [--dir RUN_DIR | --config FILE]}: print the counters of a running listener, as
 * AeronStat prints a media driver's, by mapping its counters file ({@link CountersFileDescriptor}) read-only. It never
 * talks to the listener: no HTTP, no signal; the listener does not know it is read. The directory is the listener's
 * {@code shmDir} ({@code --dir}, or read from {@code --config FILE}, default {@value SluiceMain#CONFIG_DEFAULT} when it
 * exists, else {@code /dev/shm/sluice-default}).
 * <p>
 * Exit status: 0 when the values were printed; 1 when the file is stale (its listener's process is gone: the values,
 * printed, are its last); 2 when there is no counters file (no listener runs with that directory), it cannot be read,
 * or the arguments are wrong. With {@code --watch} it prints again every interval until interrupted, and ends (0) when
 * the listener stops.
 */
final class SluiceStat
{
    /**
     * Exit status when the values were printed.
     */
    static final int EXIT_OK = 0;

    /**
     * Exit status when the file's listener is gone.
     */
    static final int EXIT_STALE = 1;

    /**
     * Exit status when there is nothing to read or the arguments are wrong.
     */
    static final int EXIT_ERROR = 2;

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)?");
    private static final String ROW_FORMAT = "%-80s %20s%n";

    private final PrintStream out;
    private final PrintStream err;

    private SluiceStat(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * @param args the arguments after {@code stat}.
     * @param out  where the table goes.
     * @param err  where a problem goes, in one line.
     * @return the exit status.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        return new SluiceStat(out, err).run(args);
    }

    private int run(final String[] args)
    {
        Path dir = null;
        Path configFile = null;
        long watchMs = 0;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final boolean hasValue = i + 1 < args.length;
            if ("--dir".equals(arg) && hasValue)
            {
                dir = Path.of(args[++i]);
            }
            else if (("--config".equals(arg) || "-c".equals(arg)) && hasValue)
            {
                configFile = Path.of(args[++i]);
            }
            else if ("--watch".equals(arg) && hasValue)
            {
                watchMs = parseIntervalMs(args[++i]);
                if (watchMs <= 0)
                {
                    return usage("--watch: not an interval: " + args[i] + " (e.g. 1s, 500ms)");
                }
            }
            else
            {
                return usage("unknown argument: " + arg);
            }
        }
        if (null == dir)
        {
            dir = runDirectory(configFile);
            if (null == dir)
            {
                return EXIT_ERROR;
            }
        }
        final Path file = dir.resolve(CountersFileDescriptor.COUNTERS_FILE_NAME);
        int status = print(file);
        while (watchMs > 0 && EXIT_OK == status)
        {
            try
            {
                Thread.sleep(watchMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return EXIT_OK;
            }
            out.println();
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
            {
                out.println("sluice stat: " + file + " is gone: the listener stopped");
                return EXIT_OK;
            }
            status = print(file);
        }
        return status;
    }

    private Path runDirectory(final Path configFile)
    {
        final Path config = null != configFile ? configFile : Path.of(SluiceMain.CONFIG_DEFAULT);
        if (null == configFile && !Files.exists(config))
        {
            return ListenerConfiguration.shmDirDefault("default");
        }
        try
        {
            return ConfigLoader.load(config).shmDir();
        }
        catch (final ConfigException ex)
        {
            err.println("sluice stat: " + ex.getMessage());
            return null;
        }
    }

    private int print(final Path file)
    {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            err.println("sluice stat: no listener counters file " + file + ": no listener runs with this directory " +
                "(--dir names the listener's shmDir)");
            return EXIT_ERROR;
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        catch (final IOException ex)
        {
            err.println("sluice stat: cannot read " + file + ": " + ex.getMessage());
            return EXIT_ERROR;
        }
        try
        {
            final UnsafeBuffer header = CountersFileDescriptor.createHeaderBuffer(mapped);
            final String problem = CountersFileDescriptor.check(mapped, header);
            if (null != problem)
            {
                err.println("sluice stat: " + file + " is not a counters file Sluice can read: " + problem);
                return EXIT_ERROR;
            }
            final long pid = header.getLong(CountersFileDescriptor.PID_OFFSET);
            final Instant started = Instant.ofEpochMilli(header.getLong(CountersFileDescriptor.START_TIME_MS_OFFSET));
            final boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            final CountersReader reader = new CountersReader(
                CountersFileDescriptor.createMetaDataBuffer(mapped, header),
                CountersFileDescriptor.createValuesBuffer(mapped, header),
                StandardCharsets.US_ASCII);
            final String text = PrometheusText.render(CountersSnapshot.read(reader));
            out.println("sluice stat: " + file + ", listener pid " + pid + ", started " + started +
                (alive ? " (up " + uptime(started) + ")" : "") + ", at " + Instant.now());
            if (!alive)
            {
                out.println("sluice stat: STALE: listener pid " + pid + " is not running; these are its last values");
            }
            out.printf(ROW_FORMAT, "COUNTER", "VALUE");
            text.lines().filter((line) -> !line.startsWith("#")).forEach(
                (line) ->
                {
                    final int space = line.lastIndexOf(' ');
                    out.printf(ROW_FORMAT, line.substring(0, space), line.substring(space + 1));
                });
            out.flush();
            return alive ? EXIT_OK : EXIT_STALE;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static String uptime(final Instant started)
    {
        final Duration up = Duration.between(started, Instant.now());
        return up.toHours() + "h " + up.toMinutesPart() + "m " + up.toSecondsPart() + "s";
    }

    private int usage(final String problem)
    {
        err.println("sluice stat: " + problem);
        err.println("usage: sluice stat [--watch 1s] [--dir RUN_DIR | --config FILE]");
        return EXIT_ERROR;
    }

    private static long parseIntervalMs(final String text)
    {
        final Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches())
        {
            return -1;
        }
        final long value = Long.parseLong(matcher.group(1));
        final String unit = matcher.group(2);
        return null == unit || "ms".equals(unit) ? value : "s".equals(unit) ? value * 1000 : value * 60_000;
    }
}
