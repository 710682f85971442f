package io.streamnlp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The steady-state window of the processor in its own JVM: where it starts, what it holds. */
class SteadyWindowTest {
    @Test
    void theWindowStartsAfterTheGivenShareOfTheLoadLeavingRecordsOnBothSides() {
        assertEquals(1000, SteadyWindow.startAfter(2000, 50));
        assertEquals(200, SteadyWindow.startAfter(400, 50));
        assertEquals(2, SteadyWindow.startAfter(3, 50)); // 1.5, rounded up
        assertEquals(10, SteadyWindow.startAfter(1000, 1));
        assertEquals(990, SteadyWindow.startAfter(1000, 99));
        assertEquals(1, SteadyWindow.startAfter(2, 99)); // one record left in the window
        assertEquals(1, SteadyWindow.startAfter(10, 1)); // at least one record before it
        assertEquals(0, SteadyWindow.startAfter(1, 50)); // no window
        assertThrows(IllegalArgumentException.class, () -> SteadyWindow.startAfter(100, 0));
        assertThrows(IllegalArgumentException.class, () -> SteadyWindow.startAfter(100, 100));
    }

    @Test
    void theWindowHoldsWhatWasSpentAndEmittedBetweenTheMarkAndTheEnd() {
        ExternalProcessor.Cpu atMark = new ExternalProcessor.Cpu(10.0, 4.0);
        ExternalProcessor.Cpu atEnd = new ExternalProcessor.Cpu(30.0, 16.0);
        // the mark fired after the poll that brought the count past 1,000: 1,003 records had been emitted then
        SteadyWindow w = SteadyWindow.between(atMark, 1003, atEnd, 2000);
        assertEquals(1003, w.after());
        assertEquals(997, w.records());
        assertEquals(2000, w.total());
        assertEquals(20.0, w.cpu().processSeconds(), 1e-9);
        assertEquals(12.0, w.cpu().inferenceSeconds(), 1e-9);
        assertEquals(0.6, w.cpu().inferenceShare(), 1e-9);
        assertEquals(20.0 / 997, w.cpuSecondsPerRecord(), 1e-12);
        assertEquals("steady state, after the first 1003 of 2000 records", w.label());
    }

    @Test
    void noWindowWithoutAMarkOrWithoutARecordAfterIt() {
        ExternalProcessor.Cpu cpu = new ExternalProcessor.Cpu(1.0, 0.5);
        assertNull(SteadyWindow.between(null, 0, cpu, 2000)); // the load never reached the mark
        assertNull(SteadyWindow.between(cpu, 2000, cpu, 2000));
    }
}
