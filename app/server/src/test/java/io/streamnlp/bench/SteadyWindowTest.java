package io.streamnlp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The steady-state window of the processor in its own JVM: where it starts, what it holds, how the report shows it. */
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

    /** Whole load 75 % (5.0 ms per record), steady state 90 % (4.0 ms): the #20 target row takes the steady share. */
    @Test
    void theReportShowsBothWindowsAndSetsTheTargetAgainstTheSteadyOne() {
        SteadyWindow steady = SteadyWindow.between(
                new ExternalProcessor.Cpu(1.2, 0.78), 200, new ExternalProcessor.Cpu(2.0, 1.5), 400);
        BenchRunner.External ext = new BenchRunner.External(
                BenchReportTest.scenario("own JVM", 12, 300), new ExternalProcessor.Cpu(2.0, 1.5), 400, steady);
        BenchRunner.ShortRecords s = new BenchRunner.ShortRecords(
                BenchReportTest.raw("made-up sentences", 100, 1500, 4),
                BenchReportTest.scenario("short records: pipeline saturation", 12, 200),
                ext);
        String t = BenchReport.render(BenchReportTest.report(null, s));
        String p = "| short records: processor in its own JVM: ";
        List<String> rows = List.of(
                p + "CPU per record, whole load (all 400 measured records, JIT warm-up included) | 5.0 ms | - | - |",
                p
                        + "CPU inside ONNX Runtime, whole load (all 400 measured records, JIT warm-up included) | 75% | - | - |",
                p + "CPU per record, steady state, after the first 200 of 400 records | 4.0 ms | - | - |",
                p + "CPU inside ONNX Runtime, steady state, after the first 200 of 400 records | 90% | >= 85% | yes |",
                p + "pipeline / best raw | 0.72 | - | - |");
        int at = 0;
        for (String row : rows) {
            int i = t.indexOf(row, at);
            assertTrue(i >= at, "missing or out of order: " + row + "\n" + t);
            at = i + row.length();
        }
        assertFalse(t.contains(p + "CPU inside ONNX Runtime | "), "no unlabelled share row beside the two\n" + t);
    }
}
