package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadDecoder;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker with several lanes ({@link SharedMemoryLanes}) over real ring files and real doorbell sockets, one per
 * lane, with the listener's side of each played by the test: its rings and its end of the doorbell. The workers' wake
 * watchers are polled by hand. The set-up the lane tests share; closing it stops the duty and closes every file and
 * socket.
 */
final class LanesOverRingFiles implements AutoCloseable
{
    /**
     * Each lane's rings as the listener maps them.
     */
    final ListenerRings[] rings;

    /**
     * Each lane's doorbell, the listener's end.
     */
    final SocketChannel[] listenerDoorbells;

    /**
     * Each lane's worker.
     */
    final SharedMemoryWorker[] workers;

    /**
     * The worker's lanes.
     */
    final SharedMemoryLanes lanes;

    private final ServerSocketChannel[] servers;
    private final SocketChannel[] workerDoorbells;

    /**
     * @param tempDir   where each lane's directory is made.
     * @param laneCount the lanes.
     * @param capacity  each ring's capacity in bytes.
     * @param handler   the handler every lane calls.
     * @throws IOException when a file or socket cannot be made.
     */
    LanesOverRingFiles(final Path tempDir, final int laneCount, final int capacity, final Handler handler)
        throws IOException
    {
        rings = new ListenerRings[laneCount];
        listenerDoorbells = new SocketChannel[laneCount];
        workers = new SharedMemoryWorker[laneCount];
        servers = new ServerSocketChannel[laneCount];
        workerDoorbells = new SocketChannel[laneCount];
        for (int lane = 0; lane < laneCount; lane++)
        {
            final Path dir = tempDir.resolve("lane-" + lane);
            rings[lane] = ListenerRings.create(dir, capacity);
            final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("doorbell.sock"));
            servers[lane] = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
            workerDoorbells[lane] = SocketChannel.open(address);
            listenerDoorbells[lane] = servers[lane].accept();
            workers[lane] = new SharedMemoryWorker(
                handler, rings[lane].header, rings[lane].workerRequestRing(), rings[lane].workerResponseRing(),
                workerDoorbells[lane]);
            workers[lane].pollWakeWatcherByHand();
        }
        lanes = new SharedMemoryLanes(workers);
    }

    /**
     * Take every response head off a lane's response ring, as the listener reads them.
     *
     * @param lane the lane.
     * @return the request ids of the heads read, in order.
     */
    List<Long> responseHeads(final int lane)
    {
        final List<Long> ids = new ArrayList<>();
        final ResponseHeadDecoder decoder = new ResponseHeadDecoder();
        rings[lane].responses.read(
            (msgTypeId, buffer, index, length) ->
            {
                if (msgTypeId == MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID)
                {
                    ids.add(decoder.wrap(buffer, index).requestId());
                }
            });
        return ids;
    }

    /**
     * Stop the duty, then close every doorbell, server socket and ring file.
     *
     * @throws IOException when a socket cannot be closed.
     */
    public void close() throws IOException
    {
        lanes.stopDuty();
        for (int lane = 0; lane < rings.length; lane++)
        {
            listenerDoorbells[lane].close();
            workerDoorbells[lane].close();
            servers[lane].close();
            rings[lane].close();
        }
    }
}
