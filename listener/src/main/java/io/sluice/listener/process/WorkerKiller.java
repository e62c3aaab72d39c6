package io.sluice.listener.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Kills what a worker leaves behind: its process tree when it is stopped or found hung, and, once it has exited,
 * every other process of this user that still maps or holds open a file of its shared-memory directory.
 */
final class WorkerKiller
{
    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());
    private static final Path PROC = Path.of("/proc");
    private static final long HOLDER_EXIT_WAIT_MS = 1_000;
    private static final long HOLDER_EXIT_POLL_MS = 10;

    private WorkerKiller()
    {
    }

    /**
     * Kill a worker and every process it started that is still in its tree (SIGKILL): a child would otherwise outlive
     * it, keep the ring file mapped and write into the replacement's rings. The descendants are listed before the
     * worker dies, since its children are handed to another parent the moment it does; a process the worker started
     * and detached from its tree earlier (a double fork, or a child of a worker that exited on its own) is out of
     * reach here.
     *
     * @param process the worker.
     */
    static void killTree(final Process process)
    {
        final List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        for (final ProcessHandle descendant : descendants)
        {
            descendant.destroyForcibly();
        }
    }

    /**
     * Kill every other process that still maps or holds open a file of a dead worker's directory (SIGKILL), before its
     * rings are reset for a replacement: a process the worker left behind (double-forked, or orphaned by a worker that
     * exited on its own) is no longer in its tree, but it would write into the replacement's rings. Only this user's
     * processes can be looked at, and only they can open the directory (mode 0700). Waits briefly for each to die.
     *
     * @param dir the worker's directory (its {@code SLUICE_SHM_DIR}).
     */
    static void killHolders(final Path dir)
    {
        final String prefix;
        try
        {
            prefix = dir.toRealPath() + "/";
        }
        catch (final IOException ex)
        {
            return;
        }
        final long self = ProcessHandle.current().pid();
        final List<ProcessHandle> holders = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC))
        {
            for (final Path proc : procs)
            {
                final long pid = pidOf(proc.getFileName().toString());
                if (pid > 0 && pid != self && holds(proc, prefix))
                {
                    ProcessHandle.of(pid).ifPresent(holders::add);
                }
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            LOG.warning(() -> "cannot look for processes left holding " + dir + ": " + ex);
        }
        for (final ProcessHandle holder : holders)
        {
            LOG.warning(() ->
                "process " + holder.pid() + " still holds " + dir + " after its worker exited; killing it");
            holder.destroyForcibly();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLDER_EXIT_WAIT_MS);
        for (final ProcessHandle holder : holders)
        {
            try
            {
                while (holder.isAlive() && System.nanoTime() - deadlineNs < 0)
                {
                    Thread.sleep(HOLDER_EXIT_POLL_MS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            if (holder.isAlive())
            {
                LOG.warning(() -> "process " + holder.pid() + " holding " + dir + " did not die in time");
            }
        }
    }

    private static long pidOf(final String name)
    {
        for (int i = 0; i < name.length(); i++)
        {
            if (name.charAt(i) < '0' || name.charAt(i) > '9')
            {
                return -1;
            }
        }
        return name.isEmpty() || name.length() > 18 ? -1 : Long.parseLong(name);
    }

    private static boolean holds(final Path proc, final String prefix)
    {
        try
        {
            for (final String line : Files.readAllLines(proc.resolve("maps")))
            {
                if (line.contains(prefix))
                {
                    return true;
                }
            }
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd")))
            {
                for (final Path fd : fds)
                {
                    try
                    {
                        if (Files.readSymbolicLink(fd).toString().startsWith(prefix))
                        {
                            return true;
                        }
                    }
                    catch (final IOException ex)
                    {
                        // closed meanwhile
                    }
                }
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // another user's process, or gone meanwhile
        }
        return false;
    }
}
