package io.streamnlp.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * SIGTERM/SIGINT as a request to stop cleanly. A JVM ended by the default signal handling exits with
 * 128+signal (143, 130) whatever its shutdown hooks do; handling the signals ourselves lets a clean
 * stop exit 0, as orchestrators and scripts expect. A second signal during the stop halts at once.
 */
final class StopSignals {
    private StopSignals() {}

    static void onStop(Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    if (stopping.compareAndSet(false, true)) {
                        stop.run();
                    } else {
                        Runtime.getRuntime().halt(Main.EXIT_FAILURE);
                    }
                });
            } catch (IllegalArgumentException notOnThisOs) {
                // the JVM's default handling (shutdown hooks) remains
            }
        }
    }
}
