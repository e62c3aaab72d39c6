package io.sluice.listener.process;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RapidFailWindowTest
{
    @Test
    void countsFailuresWithinTheLastMinute()
    {
        final RapidFailWindow window = new RapidFailWindow();
        assertEquals(1, window.failed(1_000));
        assertEquals(2, window.failed(2_000));
        assertEquals(3, window.failed(1_000 + RapidFailWindow.WINDOW_MS));
    }

    @Test
    void forgetsFailuresOlderThanAMinute()
    {
        final RapidFailWindow window = new RapidFailWindow();
        window.failed(1_000);
        window.failed(2_000);
        assertEquals(2, window.failed(1_001 + RapidFailWindow.WINDOW_MS));
        assertEquals(1, window.failed(3_000 + 2 * RapidFailWindow.WINDOW_MS));
    }
}
