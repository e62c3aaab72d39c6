package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackEarlyBodyTest
{
    @Test
    void holdsChunksUpToTheLimitAndHandsThemOnInOrder()
    {
        final LoopbackEarlyBody early = new LoopbackEarlyBody();
        final ByteBuf first = Unpooled.buffer().writeZero(LoopbackEarlyBody.LIMIT_LENGTH - 1);
        final ByteBuf second = Unpooled.buffer().writeZero(1);
        final ByteBuf third = Unpooled.buffer().writeZero(1);
        assertTrue(early.hold(first, false));
        assertTrue(early.hold(second, false));
        assertFalse(early.hold(third, true));
        assertEquals(2, first.refCnt());
        assertEquals(1, third.refCnt());

        final List<ByteBuf> chunks = new ArrayList<>();
        final List<Boolean> lasts = new ArrayList<>();
        early.drainTo((chunk, last) ->
        {
            chunks.add(chunk);
            lasts.add(last);
        });
        assertEquals(List.of(first, second), chunks);
        assertEquals(List.of(false, false), lasts);
        early.drainTo((chunk, last) -> chunks.add(chunk));
        assertEquals(2, chunks.size());
        for (final ByteBuf buf : List.of(first, first, second, second, third))
        {
            buf.release();
        }
    }

    @Test
    void aFirstChunkIsHeldWhateverItsLengthAndTheLastIsMarked()
    {
        final LoopbackEarlyBody early = new LoopbackEarlyBody();
        final ByteBuf large = Unpooled.buffer().writeZero(LoopbackEarlyBody.LIMIT_LENGTH + 1);
        assertTrue(early.hold(large, true));
        final List<Boolean> lasts = new ArrayList<>();
        early.drainTo((chunk, last) ->
        {
            lasts.add(last);
            chunk.release();
        });
        assertEquals(List.of(true), lasts);
        large.release();
        assertEquals(0, large.refCnt());
    }

    @Test
    void releaseDropsWhatIsHeld()
    {
        final LoopbackEarlyBody early = new LoopbackEarlyBody();
        final ByteBuf chunk = Unpooled.buffer().writeZero(8);
        early.hold(chunk, false);
        early.release();
        assertEquals(1, chunk.refCnt());
        chunk.release();
    }
}
