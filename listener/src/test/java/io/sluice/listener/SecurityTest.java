package io.sluice.listener;

import io.sluice.dispatch.shm.CountersFileDescriptor;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What keeps one local user's traffic and workers apart from another's, on a running listener with an in-process, a
 * shared-memory (two workers) and a loopback queue:
 * <ul>
 *     <li>the shared-memory directory and each worker's directory are mode 0700, every regular file in them 0600
 *     (the doorbell socket, whose mode the umask sets, is reachable only through its 0700 directory), all owned by
 *     the listener's user;</li>
 *     <li>each shared-memory worker is told only its own directory ({@code SLUICE_SHM_DIR}) and maps only its own
 *     ring file, never another worker's;</li>
 *     <li>a loopback worker listens on 127.0.0.1 only, so it cannot be reached on another address of the host (that it
 *     refuses a request without the right {@code Sluice-Token}, 400, is {@link LoopbackTokenTest}'s);</li>
 *     <li>client-sent {@code Sluice-*}, {@code X-Forwarded-For} and {@code X-Forwarded-Proto} header fields never
 *     reach a handler, in any hosting model; nor do the listener's own, which a loopback worker receives on the wire
 *     ({@code LoopbackHeadersTest}) and the worker SDK hands on as {@code remoteAddress()}.</li>
 * </ul>
 */
@ExtendWith(TestListener.KeepLogsOnFailure.class)
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class SecurityTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("shmDir", "/dev/shm/sluice-${ID}")
        .queue(TestConfig.inProcess("inproc", HeaderEchoHandler.class))
        .queue(TestConfig.sharedMemory("shm", HeaderEchoHandler.class)
            .set("ringCapacity", "64k")
            .worker("processes", 2))
        .queue(TestConfig.loopback("loopback", HeaderEchoHandler.class))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int SHM_WORKERS = 2;
    private static final String DIR_MODE = "rwx------";
    private static final String FILE_MODE = "rw-------";
    private static final String TCP_LISTEN = "0A";
    private static final String FORGED = "forged-by-client";
    private static final String[] FORGED_HEADER_LINES = {
        "Sluice-Token: " + FORGED,
        "Sluice-Appl-Path: /" + FORGED + "/",
        "Sluice-Anything: " + FORGED,
        "SLUICE-EVENT: shutdown",
        "sluice-token: " + FORGED + "-lower-case",
        "X-Forwarded-For: 6.6.6.6",
        "X-Forwarded-Proto: https",
        "X-Control: kept",
    };

    private static TestListener listener;
    private static int port;
    private static Path shmDir;

    @BeforeAll
    static void startListener() throws Exception
    {
        listener = TestListener.start("security", CONFIG);
        port = listener.port();
        shmDir = shmDirOf(listener);
        listener.assertReady(READY_TIMEOUT_MS, "/inproc/", "/shm/", "/loopback/");
        for (int slot = 0; slot < SHM_WORKERS; slot++)
        {
            awaitMapped(awaitPid(listener.supervisor("shm"), slot), ringFile(slot));
        }
    }

    @AfterAll
    static void closeListener()
    {
        if (null != listener)
        {
            listener.close();
            listener = null;
        }
        if (null != shmDir)
        {
            try
            {
                SharedMemoryFiles.deletePrivateDirectory(shmDir);
            }
            catch (final IOException ignore)
            {
                // only tidying: the listener removes it itself
            }
        }
    }

    @Test
    void shouldCreateSharedMemoryDirectoriesAndFilesForOwnerOnly() throws IOException
    {
        final long uid = ownUid();
        final Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(shmDir))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                final String name = shmDir.relativize(path).toString();
                modes.put(name.isEmpty() ? "." : name, kind(path) + " " + mode(path));
                assertEquals(uid, ((Number)Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue(),
                    "owner of " + path);
            }
        }
        System.out.println("shared-memory files: " + modes);

        final Map<String, String> expected = new TreeMap<>();
        expected.put(".", "dir " + DIR_MODE);
        expected.put(SharedMemoryFiles.MARKER_FILE_NAME, "file " + FILE_MODE);
        expected.put(CountersFileDescriptor.COUNTERS_FILE_NAME, "file " + FILE_MODE);
        // every worker position has a spare slot, prepared for the replacement of an overlapped recycle
        for (int slot = 0; slot < WorkerSupervisor.slotCount(SHM_WORKERS); slot++)
        {
            final String dir = "shm-" + slot;
            expected.put(dir, "dir " + DIR_MODE);
            expected.put(dir + "/" + SharedMemoryFiles.MARKER_FILE_NAME, "file " + FILE_MODE);
            expected.put(dir + "/" + WorkerFileDescriptor.RINGS_FILE_NAME, "file " + FILE_MODE);
            // a socket's mode is whatever the umask left at bind (0755 under umask 022): its 0700 directory is what
            // keeps other users from reaching it, so only its kind and owner are pinned here
            final String doorbell = dir + "/" + WorkerFileDescriptor.DOORBELL_FILE_NAME;
            final String doorbellMode = modes.getOrDefault(doorbell, "missing ---------");
            final String permissions = doorbellMode.substring(doorbellMode.length() - 9);
            expected.put(doorbell, "socket " + permissions);
        }
        assertEquals(expected, modes);
    }

    @Test
    void shouldTellEachSharedMemoryWorkerOnlyItsOwnDirectory() throws Exception
    {
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        for (int slot = 0; slot < SHM_WORKERS; slot++)
        {
            final long pid = awaitPid(supervisor, slot);
            final Map<String, String> environment = WorkerSignals.environmentOf(pid);

            assertEquals(workerDir(slot).toString(), environment.get("SLUICE_SHM_DIR"), "worker " + slot);
            for (final Map.Entry<String, String> variable : environment.entrySet())
            {
                for (int other = 0; other < SHM_WORKERS; other++)
                {
                    if (other != slot)
                    {
                        assertTrue(!variable.getValue().contains(workerDir(other).toString()),
                            "worker " + slot + " is told about worker " + other + "'s directory: " + variable);
                    }
                }
            }
        }
    }

    @Test
    void shouldMapOnlyOwnRingFileInEachSharedMemoryWorker() throws Exception
    {
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        for (int slot = 0; slot < SHM_WORKERS; slot++)
        {
            final long pid = awaitPid(supervisor, slot);

            assertEquals(Set.of(ringFile(slot).toString()), mappedUnder(pid, shmDir), "files worker " + slot +
                " (pid " + pid + ") maps under " + shmDir);
            assertEquals(Set.of(), openPathsOutside(pid, workerDir(slot)),
                "files worker " + slot + " (pid " + pid + ") holds open in another worker's directory");
        }
        final long loopbackPid = awaitPid(listener.supervisor("loopback"), 0);
        assertEquals(Set.of(), mappedUnder(loopbackPid, shmDir), "files the loopback worker maps under " + shmDir);
        assertEquals(Set.of(), openPathsOutside(loopbackPid, shmDir.resolve("none")),
            "files the loopback worker holds open under " + shmDir);

        // the control: the listener, which owns every ring (spare slots included) and the counters file, maps them all
        final Set<String> all = new TreeSet<>();
        all.add(shmDir.resolve(CountersFileDescriptor.COUNTERS_FILE_NAME).toString());
        for (int slot = 0; slot < WorkerSupervisor.slotCount(SHM_WORKERS); slot++)
        {
            all.add(ringFile(slot).toString());
        }
        assertEquals(all, mappedUnder(ProcessHandle.current().pid(), shmDir));
    }

    @Test
    void shouldListenOnLoopbackAddressOnlyInLoopbackWorker() throws Exception
    {
        final long pid = awaitPid(listener.supervisor("loopback"), 0);
        final int workerPort = Integer.parseInt(WorkerSignals.environmentOf(pid).get("SLUICE_PORT"));

        final List<String> listening = listeningAddresses(pid);

        assertEquals(List.of("127.0.0.1:" + workerPort), listening, "listening sockets of worker " + pid);
    }

    @Test
    void shouldRefuseConnectionsToLoopbackWorkerOnOtherAddresses() throws Exception
    {
        final List<InetAddress> others = nonLoopbackAddresses();
        Assumptions.assumeFalse(others.isEmpty(), "this host has no address but loopback to try");
        final long pid = awaitPid(listener.supervisor("loopback"), 0);
        final int workerPort = Integer.parseInt(WorkerSignals.environmentOf(pid).get("SLUICE_PORT"));

        for (final InetAddress address : others)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(address, workerPort), 2_000);
                fail("loopback worker accepted a connection on " + address + ":" + workerPort);
            }
            catch (final ConnectException expected)
            {
                // refused: nothing listens on that address
            }
            catch (final SocketTimeoutException ex)
            {
                fail("no refusal from " + address + ":" + workerPort + " within 2 s");
            }
        }
        System.out.println("loopback worker port " + workerPort + " refused on " + others);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldNotPassClientSentSluiceHeadersToHandler(final String queue) throws IOException
    {
        final RawHttpClient.Response response = sendForged(queue);

        assertEquals(200, response.status(), response::toString);
        final List<String[]> seen = headerLines(response.bodyText());
        final List<String> sluiceHeaders = new ArrayList<>();
        for (final String[] header : seen)
        {
            if (header[0].startsWith("sluice-"))
            {
                sluiceHeaders.add(header[0] + ": " + header[1]);
            }
            assertTrue(!header[1].contains(FORGED), queue + " handler saw a client-sent value: " + header[0]);
        }
        // nothing of Sluice's reaches a handler: a loopback worker's SDK hides the listener's fields too
        assertEquals(List.of(), sluiceHeaders, queue + " handler saw: " + response.bodyText());
        assertEquals(List.of("kept"), values(seen, "x-control"), response.bodyText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldNotPassClientSentForwardedHeadersToHandler(final String queue) throws IOException
    {
        final RawHttpClient.Response response = sendForged(queue);

        assertEquals(200, response.status(), response::toString);
        final List<String[]> seen = headerLines(response.bodyText());
        // neither the client's 6.6.6.6 and https nor the listener's own: the address is remoteAddress()
        assertEquals(List.of(), values(seen, "x-forwarded-for"),
            queue + " handler saw X-Forwarded-For; all it saw:\n" + response.bodyText());
        assertEquals(List.of(), values(seen, "x-forwarded-proto"),
            queue + " handler saw X-Forwarded-Proto; all it saw:\n" + response.bodyText());
    }

    @Test
    void shouldNotStopLoopbackWorkerWhenClientSendsSluiceEvent() throws Exception
    {
        final WorkerSupervisor supervisor = listener.supervisor("loopback");
        final long pid = awaitPid(supervisor, 0);

        final RawHttpClient.Response forged = sendForged("loopback");
        assertEquals(200, forged.status(), forged::toString);
        try (RawHttpClient client = new RawHttpClient(port))
        {
            final RawHttpClient.Response next = client.send(RawHttpClient.get("/loopback/", port));
            assertEquals(200, next.status(), next::toString);
        }

        assertEquals(pid, supervisor.pid(0));
    }

    private static RawHttpClient.Response sendForged(final String queue) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(port))
        {
            return client.send(RawHttpClient.request(
                "GET", "/" + queue + "/headers", RawHttpClient.LOOPBACK_ADDRESS + ":" + port, FORGED_HEADER_LINES));
        }
    }

    private static List<String[]> headerLines(final String body)
    {
        final List<String[]> headers = new ArrayList<>();
        for (final String line : body.split("\n"))
        {
            final int colon = line.indexOf(": ");
            if (colon > 0)
            {
                headers.add(new String[] { line.substring(0, colon), line.substring(colon + 2) });
            }
        }
        return headers;
    }

    private static List<String> values(final List<String[]> headers, final String name)
    {
        final List<String> values = new ArrayList<>();
        for (final String[] header : headers)
        {
            if (header[0].equals(name))
            {
                values.add(header[1]);
            }
        }
        return values;
    }

    /**
     * @return the configured {@code /dev/shm/sluice-${ID}}: the listener id is the name of its log directory.
     */
    private static Path shmDirOf(final TestListener started)
    {
        return Path.of("/dev/shm", "sluice-" + started.logDir().getFileName());
    }

    private static Path workerDir(final int slot)
    {
        return shmDir.resolve("shm-" + slot);
    }

    private static Path ringFile(final int slot)
    {
        return workerDir(slot).resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
    }

    private static String kind(final Path path)
    {
        if (Files.isSymbolicLink(path))
        {
            return "link";
        }
        if (Files.isDirectory(path))
        {
            return "dir";
        }
        return Files.isRegularFile(path) ? "file" : "socket";
    }

    private static String mode(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static long ownUid() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII))
        {
            if (line.startsWith("Uid:"))
            {
                return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        throw new IllegalStateException("no Uid line in /proc/self/status");
    }

    private static long awaitPid(final WorkerSupervisor supervisor, final int slot) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        long pid = supervisor.pid(slot);
        while (pid <= 0 && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(20);
            pid = supervisor.pid(slot);
        }
        assertTrue(pid > 0, "no worker in slot " + slot + " within " + READY_TIMEOUT_MS + " ms");
        return pid;
    }

    private static void awaitMapped(final long pid, final Path file) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (!mappedUnder(pid, file.getParent()).contains(file.toString()))
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "worker " + pid + " did not map " + file);
            Thread.sleep(20);
        }
    }

    /**
     * @return the files under {@code dir} that the process has mapped, from {@code /proc/<pid>/maps}.
     */
    private static Set<String> mappedUnder(final long pid, final Path dir) throws IOException
    {
        final String prefix = dir.toString() + "/";
        final Set<String> mapped = new TreeSet<>();
        final Path maps = Path.of("/proc", Long.toString(pid), "maps");
        for (final String line : Files.readAllLines(maps, StandardCharsets.UTF_8))
        {
            final int slash = line.indexOf('/');
            if (slash > 0)
            {
                final String file = line.substring(slash).replace(" (deleted)", "");
                if (file.startsWith(prefix))
                {
                    mapped.add(file);
                }
            }
        }
        return mapped;
    }

    /**
     * @return the paths under the shared-memory directory, but outside {@code ownDir}, that the process has open.
     */
    private static Set<String> openPathsOutside(final long pid, final Path ownDir) throws IOException
    {
        final Set<String> open = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                final String target;
                try
                {
                    target = Files.readSymbolicLink(fd).toString();
                }
                catch (final IOException closedMeanwhile)
                {
                    continue;
                }
                if (target.startsWith(shmDir + "/") && !target.startsWith(ownDir + "/"))
                {
                    open.add(target);
                }
            }
        }
        return open;
    }

    /**
     * @return {@code address:port} of every TCP socket in LISTEN state that the process holds, matched by socket inode
     * between {@code /proc/<pid>/fd} and {@code /proc/net/tcp} and {@code tcp6} (IPv4-mapped IPv6 addresses shown as
     * IPv4).
     */
    private static List<String> listeningAddresses(final long pid) throws IOException
    {
        final Set<String> inodes = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:["))
                    {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                }
                catch (final IOException closedMeanwhile)
                {
                    // not a socket of interest
                }
            }
        }
        final List<String> listening = new ArrayList<>();
        for (final String table : new String[] { "tcp", "tcp6" })
        {
            final Path file = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(file))
            {
                continue;
            }
            final List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            for (final String line : lines.subList(1, lines.size()))
            {
                final String[] fields = line.trim().split("\\s+");
                if (TCP_LISTEN.equals(fields[3]) && inodes.contains(fields[9]))
                {
                    listening.add(decodeAddress(fields[1]));
                }
            }
        }
        Collections.sort(listening);
        return listening;
    }

    /**
     * @param hex a {@code /proc/net/tcp[6]} local address: the address as 32-bit words in host (little-endian) order,
     *            a colon, the port in hex.
     */
    private static String decodeAddress(final String hex) throws IOException
    {
        final int colon = hex.indexOf(':');
        final byte[] words = HexFormat.of().parseHex(hex.substring(0, colon));
        final byte[] address = new byte[words.length];
        for (int i = 0; i < words.length; i += 4)
        {
            address[i] = words[i + 3];
            address[i + 1] = words[i + 2];
            address[i + 2] = words[i + 1];
            address[i + 3] = words[i];
        }
        final InetAddress decoded = InetAddress.getByAddress(address);
        return decoded.getHostAddress() + ":" + Integer.parseInt(hex.substring(colon + 1), 16);
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException
    {
        final List<InetAddress> addresses = new ArrayList<>();
        for (final NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces()))
        {
            if (!nic.isUp())
            {
                continue;
            }
            for (final InetAddress address : Collections.list(nic.getInetAddresses()))
            {
                if (!address.isLoopbackAddress() && !address.isLinkLocalAddress() && address instanceof Inet4Address)
                {
                    addresses.add(address);
                }
            }
        }
        addresses.sort((a, b) -> a.getHostAddress().compareTo(b.getHostAddress()));
        return addresses;
    }
}
