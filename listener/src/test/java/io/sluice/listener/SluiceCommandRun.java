package io.sluice.listener;

import io.sluice.listener.process.WorkerCommand;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the {@code sluice} command line ({@link SluiceMain}) in a JVM of its own, with this test's class path and the
 * workers' JVM flags, its output and errors written to files of a test directory, and waits for it to exit: what the
 * tests of the command's failures (exit 2, one line naming the key) share. A command still running after
 * {@link #EXIT_TIMEOUT_MS} fails the test; whatever it started is killed in any case.
 */
final class SluiceCommandRun
{
    /**
     * How long the command may run.
     */
    static final long EXIT_TIMEOUT_MS = 30_000;

    private SluiceCommandRun()
    {
    }

    /**
     * What the command left.
     *
     * @param status       its exit status.
     * @param stdout       its output.
     * @param stderr       its errors.
     * @param childrenLeft true when a process it started was still there once it exited (and was killed).
     */
    record Result(int status, String stdout, String stderr, boolean childrenLeft)
    {
    }

    /**
     * The command line of {@code sluice <args>}: this JVM with the workers' flags and the test class path.
     *
     * @param args the command's arguments.
     * @return the command line.
     */
    static List<String> commandLine(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(WorkerCommand.workerJvmFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SluiceMain.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Run {@code sluice <args>} and wait for it to exit.
     *
     * @param dir     where its output files go.
     * @param charset how its output is read.
     * @param args    the command's arguments, e.g. {@code check --config <file>}.
     * @return its exit status and output.
     * @throws Exception when it cannot be started or waited for.
     */
    static Result run(final Path dir, final Charset charset, final String... args) throws Exception
    {
        final Path stdout = dir.resolve("stdout.txt");
        final Path stderr = dir.resolve("stderr.txt");
        final Process process = new ProcessBuilder(commandLine(args))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
        try
        {
            if (!process.waitFor(EXIT_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                fail("still running after " + EXIT_TIMEOUT_MS + " ms; stderr:\n" + read(stderr, charset));
            }
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        final boolean childrenLeft = process.children().findAny().isPresent();
        return new Result(process.exitValue(), read(stdout, charset), read(stderr, charset), childrenLeft);
    }

    private static String read(final Path file, final Charset charset) throws IOException
    {
        return Files.exists(file) ? Files.readString(file, charset) : "";
    }
}
