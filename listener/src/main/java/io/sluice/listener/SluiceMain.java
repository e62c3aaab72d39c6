package io.sluice.listener;

import io.sluice.dispatch.worker.SluiceLogging;
import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.EffectiveConfiguration;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.StartupException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code sluice} command line: {@code sluice run [--config FILE]} starts the listener and its workers and serves
 * until SIGTERM or SIGINT, then stops cleanly and exits 0; {@code sluice check [--config FILE]} checks the file as a
 * start would, without binding a port or starting a worker ({@link ConfigCheck}), prints the effective configuration
 * and exits 0; {@code sluice stat} prints a running listener's counters from its counters file ({@link SluiceStat});
 * {@code sluice reload [--config FILE] [--pid PID]} makes the running listener re-read its file
 * ({@link ReloadCommand}), as SIGHUP does ({@link Listener#reload}); {@code sluice status},
 * {@code sluice offline <queue>}, {@code sluice online <queue>} and {@code sluice recycle <queue>} ask it through its
 * admin port ({@link AdminCommand}). A configuration mistake prints one line and exits
 * 2: one found reading the file ({@link ConfigException}) or one found starting (a {@link StartupException}: a port in use, a
 * missing handler class or worker command, a handler that cannot be created, a shared-memory directory in use, ...),
 * both as {@code sluice: <file>: <key>: <problem>}. Any other failure to start prints one line and exits 1; either
 * way, what was started is closed first.
 */
public final class SluiceMain
{
    /**
     * Default configuration file, relative to the working directory.
     */
    public static final String CONFIG_DEFAULT = "native-config/sluice.yaml";

    /**
     * JDK setting that makes its TLS engine (the fallback when OpenSSL does not load) refuse a renegotiation a client
     * starts, as the OpenSSL engine does: each would cost the listener a full handshake. Set before any handshake,
     * since the JDK reads it once; a value given on the command line is kept.
     */
    static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    private static final String RUN = "run";
    private static final String CHECK = "check";
    private static final String STAT = "stat";
    private static final String RELOAD = "reload";

    private SluiceMain()
    {
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        if (null == System.getProperty(REJECT_CLIENT_RENEGOTIATION))
        {
            System.setProperty(REJECT_CLIENT_RENEGOTIATION, "true");
        }
        if (args.length > 0 && STAT.equals(args[0]))
        {
            // reads the counters file only: no logging set-up, no configuration beyond its shmDir
            System.exit(SluiceStat.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && AdminCommand.handles(args[0]))
        {
            // asks a running listener through its admin port: status, offline, online, recycle
            System.exit(AdminCommand.run(args, System.out, System.err));
        }
        SluiceLogging.configure();
        if (args.length == 0 || !(RUN.equals(args[0]) || CHECK.equals(args[0]) || RELOAD.equals(args[0])))
        {
            usage();
            System.exit(2);
        }
        Path configFile = Path.of(CONFIG_DEFAULT);
        Long pid = null;
        for (int i = 1; i < args.length; i++)
        {
            if (("--config".equals(args[i]) || "-c".equals(args[i])) && i + 1 < args.length)
            {
                configFile = Path.of(args[++i]);
            }
            else if (RELOAD.equals(args[0]) && "--pid".equals(args[i]) && i + 1 < args.length &&
                args[i + 1].matches("[0-9]{1,18}"))
            {
                pid = Long.parseLong(args[++i]);
            }
            else if (args[i].startsWith("--config="))
            {
                configFile = Path.of(args[i].substring("--config=".length()));
            }
            else
            {
                System.err.println("sluice: unknown argument: " + args[i]);
                usage();
                System.exit(2);
            }
        }

        if (CHECK.equals(args[0]))
        {
            System.exit(check(configFile));
            return;
        }
        if (RELOAD.equals(args[0]))
        {
            System.exit(ReloadCommand.run(configFile, pid, System.out, System.err));
            return;
        }

        final ListenerConfiguration config;
        try
        {
            config = ConfigLoader.load(configFile);
        }
        catch (final ConfigException ex)
        {
            System.err.println("sluice: " + ex.getMessage());
            System.exit(2);
            return;
        }

        final Listener listener = new Listener(config);
        try
        {
            listener.start();
        }
        catch (final Throwable ex)
        {
            // start() closes what it started; again here, so that no event loop outlives a failed start
            try
            {
                listener.close();
            }
            catch (final Throwable closeEx)
            {
                ex.addSuppressed(closeEx);
            }
            if (ex instanceof StartupException)
            {
                // a key of the file names something that cannot be used: a configuration mistake, like ConfigException
                System.err.println("sluice: " + configFile + ": " + ex.getMessage());
                System.exit(2);
            }
            else if (ex instanceof ConfigException)
            {
                System.err.println("sluice: " + ex.getMessage());
                System.exit(2);
            }
            else
            {
                System.err.println("sluice: cannot start: " +
                    (null == ex.getMessage() ? ex.toString() : ex.getMessage()).replaceAll("\\s*\\R\\s*", " "));
                System.exit(1);
            }
            return;
        }

        final Path pidFile = writePidFile(config);
        final Path reloadedFile = configFile;
        final ExecutorService reloads = Executors.newSingleThreadExecutor(
            (r) ->
            {
                final Thread thread = new Thread(r, "sluice-reload");
                thread.setDaemon(true);
                return thread;
            });
        // the file was changed: re-read it and apply what changed
        Signals.handle("HUP", () -> reloads.execute(
            () -> listener.reload(reloadedFile.toString(), () -> ConfigLoader.load(reloadedFile))));

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(
            () ->
            {
                // graceful: stop accepting, finish what is in flight (up to shutdownTimeLimit), stop the workers
                int status = 0;
                try
                {
                    listener.stop();
                    if (null != pidFile)
                    {
                        PidFile.removeOwn(pidFile);
                    }
                }
                catch (final RuntimeException ex)
                {
                    System.err.println("sluice: error while stopping: " + ex);
                    status = 1;
                }
                stopped.countDown();
                Runtime.getRuntime().halt(status);
            },
            "sluice-shutdown"));
        // logrotate moved the log files away: write to new files at the configured paths
        Signals.handle("USR1", listener::reopenLogs);
        System.out.println("sluice: serving " + configFile + " (SIGTERM to stop, SIGHUP to reload)");
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static Path writePidFile(final ListenerConfiguration config)
    {
        final Path pidFile = PidFile.of(config.id());
        try
        {
            PidFile.write(pidFile);
            return pidFile;
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("sluice: cannot write " + pidFile + " (sluice reload needs --pid): " + ex.getMessage());
            return null;
        }
    }

    /**
     * {@code sluice check}: print the effective configuration to standard output and a verdict line to standard error.
     *
     * @param configFile the deployment file.
     * @return the exit status: 0 when valid, 2 after one line naming the key.
     */
    static int check(final Path configFile)
    {
        final ListenerConfiguration config;
        try
        {
            config = ConfigCheck.check(configFile);
        }
        catch (final ConfigException ex)
        {
            System.err.println("sluice: " + ex.getMessage());
            return 2;
        }
        catch (final StartupException ex)
        {
            System.err.println("sluice: " + configFile + ": " + ex.getMessage());
            return 2;
        }
        System.out.print(EffectiveConfiguration.describe(config));
        System.out.flush();
        System.err.println("sluice: " + configFile + ": configuration is valid");
        return 0;
    }

    private static void usage()
    {
        System.err.println("usage: sluice run [--config FILE]     serve (default " + CONFIG_DEFAULT + ")");
        System.err.println("       sluice check [--config FILE]   validate and print the effective configuration");
        System.err.println("       sluice stat [--watch 1s] [--dir RUN_DIR | --config FILE]   print the counters");
        System.err.println("       sluice reload [--config FILE] [--pid PID]   make the running listener re-read FILE");
    }
}
