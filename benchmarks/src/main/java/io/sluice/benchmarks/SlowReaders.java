package io.sluice.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What slow readers cost a running listener: many clients each ask a prefix for a large {@code bytes?n=} body (the
 * sample handler's) and read it slowly; the listener's resident memory ({@code VmRSS} in {@code /proc/<pid>/status}) is
 * printed before, at its peak during, and after the readers close (reset), with the latency of another client's
 * {@code GET <prefix>} on one keep-alive connection before, during and after.
 * <p>
 * Usage: {@code java -cp benchmarks/target/sluice-benchmarks.jar io.sluice.benchmarks.SlowReaders
 * <listener pid> <port> <prefix> [clients=100] [bodyLength=10485760] [bytesPerRead=16384] [readIntervalMs=1000]
 * [slowPhaseMs=20000]}, against a listener serving the sample handler on {@code <prefix>} at {@code 127.0.0.1:<port>}.
 * Each reader has a 64 KiB receive buffer, so the listener cannot hand a response to the client's kernel.
 */
public final class SlowReaders
{
    private static final String LOOPBACK_ADDRESS = "127.0.0.1";
    private static final int RECEIVE_BUFFER_LENGTH = 64 * 1024;
    private static final int LATENCY_SAMPLES = 200;
    private static final long SAMPLE_INTERVAL_MS = 500;
    private static final long SETTLE_AFTER_CLOSE_MS = 3_000;
    private static final String HELLO = "Hello, World!";

    private SlowReaders()
    {
    }

    /**
     * @param args listener pid, port, prefix, then optional clients, body length, bytes per read, read interval (ms)
     *             and slow phase (ms).
     * @throws Exception when the listener cannot be reached or measured.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 3)
        {
            System.err.println("usage: SlowReaders <listener pid> <port> <prefix> [clients] [bodyLength] " +
                "[bytesPerRead] [readIntervalMs] [slowPhaseMs]");
            System.exit(2);
        }
        final long pid = Long.parseLong(args[0]);
        final int port = Integer.parseInt(args[1]);
        final String prefix = args[2];
        final int clients = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        final long bodyLength = args.length > 4 ? Long.parseLong(args[4]) : 10L * 1024 * 1024;
        final int bytesPerRead = args.length > 5 ? Integer.parseInt(args[5]) : 16 * 1024;
        final long readIntervalMs = args.length > 6 ? Long.parseLong(args[6]) : 1_000;
        final long slowPhaseMs = args.length > 7 ? Long.parseLong(args[7]) : 20_000;

        final long[] before = latencies(port, prefix);
        System.out.printf("%s before: rss=%d KiB, other client p50=%.2f ms p99=%.2f ms%n",
            prefix, rssKiB(pid), percentileMs(before, 50), percentileMs(before, 99));

        final AtomicLong received = new AtomicLong();
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(slowPhaseMs);
        final List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < clients; i++)
        {
            final Socket socket = new Socket();
            socket.setReceiveBufferSize(RECEIVE_BUFFER_LENGTH);
            socket.connect(new InetSocketAddress(LOOPBACK_ADDRESS, port));
            socket.getOutputStream().write(request(prefix + "bytes?n=" + bodyLength, port));
            sockets.add(socket);
            final Thread reader = new Thread(
                () -> readSlowly(socket, bytesPerRead, readIntervalMs, endNs, received), "slow-reader-" + i);
            reader.setDaemon(true);
            reader.start();
        }

        long peakKiB = 0;
        long[] during = null;
        while (System.nanoTime() - endNs < 0)
        {
            Thread.sleep(SAMPLE_INTERVAL_MS);
            peakKiB = Math.max(peakKiB, rssKiB(pid));
            if (null == during && System.nanoTime() - (endNs - TimeUnit.MILLISECONDS.toNanos(slowPhaseMs / 2)) > 0)
            {
                during = latencies(port, prefix);
            }
        }
        if (null == during)
        {
            during = latencies(port, prefix);
        }
        System.out.printf("%s during: peak rss=%d KiB, slow readers received %d bytes, other client p50=%.2f ms " +
            "p99=%.2f ms%n", prefix, peakKiB, received.get(), percentileMs(during, 50), percentileMs(during, 99));

        for (final Socket socket : sockets)
        {
            socket.setSoLinger(true, 0);
            socket.close();
        }
        Thread.sleep(SETTLE_AFTER_CLOSE_MS);
        final long[] after = latencies(port, prefix);
        System.out.printf("%s after the readers closed: rss=%d KiB, other client p50=%.2f ms p99=%.2f ms%n",
            prefix, rssKiB(pid), percentileMs(after, 50), percentileMs(after, 99));
    }

    private static void readSlowly(
        final Socket socket, final int bytesPerRead, final long intervalMs, final long endNs, final AtomicLong received)
    {
        final byte[] buffer = new byte[bytesPerRead];
        try
        {
            final InputStream in = socket.getInputStream();
            while (System.nanoTime() - endNs < 0)
            {
                int got = 0;
                while (got < bytesPerRead)
                {
                    final int read = in.read(buffer, got, bytesPerRead - got);
                    if (read < 0)
                    {
                        return;
                    }
                    got += read;
                }
                received.addAndGet(got);
                Thread.sleep(intervalMs);
            }
        }
        catch (final IOException ex)
        {
            // closed by the listener or by the end of the phase
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static long[] latencies(final int port, final String prefix) throws IOException
    {
        final long[] samplesNs = new long[LATENCY_SAMPLES];
        try (Socket socket = new Socket())
        {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(LOOPBACK_ADDRESS, port));
            final byte[] request = request(prefix, port);
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[4096];
            for (int i = 0; i < LATENCY_SAMPLES; i++)
            {
                final long startNs = System.nanoTime();
                socket.getOutputStream().write(request);
                final StringBuilder response = new StringBuilder();
                while (response.indexOf("\r\n\r\n") < 0 || !response.toString().endsWith(HELLO))
                {
                    final int read = in.read(buffer);
                    if (read < 0)
                    {
                        throw new IOException("connection closed after " + response);
                    }
                    response.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                }
                samplesNs[i] = System.nanoTime() - startNs;
            }
        }
        Arrays.sort(samplesNs);
        return samplesNs;
    }

    private static byte[] request(final String target, final int port)
    {
        return ("GET " + target + " HTTP/1.1\r\nHost: " + LOOPBACK_ADDRESS + ":" + port + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    }

    private static double percentileMs(final long[] sortedNs, final int percentile)
    {
        return sortedNs[Math.min(sortedNs.length - 1, sortedNs.length * percentile / 100)] / 1e6;
    }

    private static long rssKiB(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }
}
