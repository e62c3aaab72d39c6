package io.sluice.listener;

import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.ListenerConfiguration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code sluice} commands that ask a running listener through its admin port, found from the configuration
 * ({@code listener.adminPort}, {@code listener.adminBind}): {@code sluice status} prints the status document,
 * {@code sluice offline <queue>}, {@code sluice online <queue>} and {@code sluice recycle <queue>} take a queue
 * offline, bring it back, or recycle its workers ({@link AdminOperations}). Exit status: 0 when the listener answered
 * 200, 1 when it answered otherwise or cannot be reached, 2 for a usage or configuration mistake.
 */
final class AdminCommand
{
    static final String STATUS = "status";
    private static final Set<String> QUEUE_COMMANDS =
        Set.of(AdminOperations.OFFLINE, AdminOperations.ONLINE, AdminOperations.RECYCLE);
    private static final int TIMEOUT_MS = 10_000;
    private static final int ANSWER_LENGTH_MAX = 16 * 1024 * 1024;

    private AdminCommand()
    {
    }

    /**
     * @param command the first argument.
     * @return true for a command this class runs.
     */
    static boolean handles(final String command)
    {
        return STATUS.equals(command) || QUEUE_COMMANDS.contains(command);
    }

    /**
     * @param args the command line: the command, its queue (but for {@code status}), {@code --config FILE}.
     * @param out  where the answer goes.
     * @param err  where a failure goes, one line.
     * @return the exit status.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final String command = args[0];
        String queue = null;
        Path configFile = Path.of(SluiceMain.CONFIG_DEFAULT);
        for (int i = 1; i < args.length; i++)
        {
            if (("--config".equals(args[i]) || "-c".equals(args[i])) && i + 1 < args.length)
            {
                configFile = Path.of(args[++i]);
            }
            else if (args[i].startsWith("--config="))
            {
                configFile = Path.of(args[i].substring("--config=".length()));
            }
            else if (null == queue && !args[i].startsWith("-") && !STATUS.equals(command))
            {
                queue = args[i];
            }
            else
            {
                err.println("sluice: unknown argument: " + args[i]);
                return 2;
            }
        }
        if (!STATUS.equals(command) && null == queue)
        {
            err.println("sluice: usage: sluice " + command + " <queue> [--config FILE]");
            return 2;
        }
        final ListenerConfiguration config;
        try
        {
            config = ConfigLoader.load(configFile);
        }
        catch (final ConfigException ex)
        {
            err.println("sluice: " + ex.getMessage());
            return 2;
        }
        if (config.adminPort() <= 0)
        {
            err.println("sluice: " + configFile + ": listener.adminPort: the admin port is off (0): nothing to ask");
            return 2;
        }
        final String host = connectAddress(config.admin().bindAddress());
        final String request = STATUS.equals(command) ?
            "GET " + AdminOperations.STATUS_PATH + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n" :
            "POST " + AdminOperations.QUEUES_PATH + queue + "/" + command + " HTTP/1.1\r\nHost: " + host +
            "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(host, config.adminPort()), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            final OutputStream output = socket.getOutputStream();
            output.write(request.getBytes(StandardCharsets.US_ASCII));
            output.flush();
            final String answer = readAll(socket.getInputStream());
            final int headEnd = answer.indexOf("\r\n\r\n");
            final int status = statusOf(answer);
            final String body = headEnd < 0 ? "" : answer.substring(headEnd + 4);
            if (status == 200)
            {
                out.print(body);
                out.flush();
                return 0;
            }
            err.println("sluice: the listener answered " + (status < 0 ? "something else than HTTP" : status) +
                (body.isBlank() ? "" : ": " + body.strip()));
            return 1;
        }
        catch (final IOException ex)
        {
            err.println("sluice: no answer from the admin port " + host + ":" + config.adminPort() + " (" +
                configFile + "): " + ex.getMessage());
            return 1;
        }
    }

    /**
     * @param bindAddress the admin port's bind address.
     * @return where to connect to reach it: the loopback address for a wildcard bind.
     */
    static String connectAddress(final String bindAddress)
    {
        return "0.0.0.0".equals(bindAddress) || "::".equals(bindAddress) || "*".equals(bindAddress) ?
            "127.0.0.1" : bindAddress;
    }

    private static int statusOf(final String answer)
    {
        // "HTTP/1.1 200 OK"
        if (!answer.startsWith("HTTP/1.") || answer.length() < 12)
        {
            return -1;
        }
        try
        {
            return Integer.parseInt(answer.substring(9, 12));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static String readAll(final InputStream input) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] buffer = new byte[8192];
        int read;
        while ((read = input.read(buffer)) >= 0)
        {
            bytes.write(buffer, 0, read);
            if (bytes.size() > ANSWER_LENGTH_MAX)
            {
                throw new IOException("answer longer than " + ANSWER_LENGTH_MAX + " bytes");
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
