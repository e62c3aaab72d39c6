package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.Doorbell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker with several lanes ({@link SharedMemoryLanes}), driven by hand over real ring files and real doorbell
 * sockets, one per lane: an answer goes back on the lane its request came on; one duty thread serves every lane, and a
 * full lane does not starve another; asleep, any lane's doorbell wakes it; end-of-file on any doorbell means the
 * listener is gone.
 */
@Timeout(10)
class SharedMemoryLanesTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int LANES = 3;

    @TempDir
    Path tempDir;

    private LanesOverRingFiles rig;
    private ListenerRings[] rings;
    private SocketChannel[] listenerDoorbells;
    private SharedMemoryLanes lanes;

    @BeforeEach
    void before() throws IOException
    {
        final Handler handler = (exchange) -> exchange.respond(200, "text/plain", new byte[] { 'o', 'k' });
        rig = new LanesOverRingFiles(tempDir, LANES, CAPACITY, handler);
        rings = rig.rings;
        listenerDoorbells = rig.listenerDoorbells;
        lanes = rig.lanes;
    }

    @AfterEach
    void after() throws IOException
    {
        rig.close();
    }

    @Test
    void shouldAnswerEachRequestOnTheLaneItCameOn()
    {
        rings[0].writeHead(10, "GET", "/a", 0, System.nanoTime());
        rings[2].writeHead(12, "GET", "/c", 0, System.nanoTime());
        rings[2].writeHead(22, "GET", "/d", 0, System.nanoTime());

        int work = 0;
        for (int i = 0; i < 4; i++)
        {
            work += lanes.doWork();
        }

        assertEquals(3, work);
        assertEquals(List.of(10L), rig.responseHeads(0));
        assertEquals(List.of(), rig.responseHeads(1));
        assertEquals(List.of(12L, 22L), rig.responseHeads(2));
    }

    @Test
    void shouldNotLetAFullLaneStarveAnother()
    {
        for (int i = 0; i < 500; i++)
        {
            rings[0].writeHead(1000 + i, "GET", "/busy", 0, System.nanoTime());
        }
        rings[1].writeHead(7, "GET", "/quiet", 0, System.nanoTime());

        lanes.doWork();

        assertEquals(List.of(7L), rig.responseHeads(1), "the quiet lane is served in the first cycle");
        final int busyServed = rig.responseHeads(0).size();
        assertTrue(busyServed > 0 && busyServed < 500, "the busy lane gets one batch per cycle: " + busyServed);
    }

    @Test
    void shouldWakeOnAnyLanesDoorbell() throws Exception
    {
        final Thread sleeper = new Thread(lanes::sleep);
        sleeper.start();
        awaitArmed();
        rings[2].writeHead(5, "GET", "/late", 0, System.nanoTime());
        listenerDoorbells[2].write(ByteBuffer.wrap(new byte[] { 1 }));
        sleeper.join(5_000);

        assertFalse(sleeper.isAlive(), "woken by lane 2's doorbell");
        assertFalse(lanes.isListenerGone());
        lanes.doWork();
        assertEquals(List.of(5L), rig.responseHeads(2));
    }

    @Test
    void shouldSeeTheListenerGoneOnAnyLanesEndOfFile() throws IOException
    {
        listenerDoorbells[1].close();

        lanes.sleep();

        assertTrue(lanes.isListenerGone());
    }

    private void awaitArmed() throws InterruptedException
    {
        for (int lane = 0; lane < LANES; lane++)
        {
            while (!Doorbell.listenerSide(rings[lane].header).isPeerSleeping())
            {
                Thread.sleep(1);
            }
        }
        // the head written next is found either by the last look after the flags or after the doorbell: either way
        // the sleep ends and the head is served once
    }

}
