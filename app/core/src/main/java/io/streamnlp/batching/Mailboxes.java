package io.streamnlp.batching;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Results waiting for their tasks to forward them, and which tasks still want theirs. */
final class Mailboxes {
    private final Map<Owner, List<Completed>> boxes = new IdentityHashMap<>();
    /** Owners whose results are still wanted: a task closed while its batch ran gets nothing delivered. */
    private final Set<Owner> active = Collections.newSetFromMap(new IdentityHashMap<>());

    void open(Owner owner) {
        active.add(owner);
    }

    void deliver(Owner owner, Completed c) {
        if (!active.contains(owner)) {
            return; // its task closed while the batch ran: the store keeps the record for the next owner
        }
        boxes.computeIfAbsent(owner, o -> new ArrayList<>()).add(c);
    }

    /** This owner's results, removed. */
    List<Completed> drain(Owner owner) {
        List<Completed> done = boxes.remove(owner);
        return done == null ? List.of() : done;
    }

    boolean isEmpty() {
        return boxes.isEmpty();
    }

    void close(Owner owner) {
        active.remove(owner);
        boxes.remove(owner);
    }
}
