package io.streamnlp.topology;

import java.util.HashMap;
import java.util.Map;

/**
 * What each ticket a task handed to the batch coordinator stands for: a whole record, or one segment of a long one.
 * Tickets are per incarnation of the task (cleared at a revive), so a result that comes back for a ticket of an
 * earlier incarnation finds nothing.
 */
final class Tickets {
    /** A ticket's record (its buffer store key), segment (-1 for a record inferred whole) and content tokens. */
    record Ticket(long seq, int segment, int weight) {}

    private final Map<Long, Ticket> open = new HashMap<>();
    private long next;

    /** A new ticket for a record or segment about to be handed to the coordinator. */
    long issue(long seq, int segment, int weight) {
        long ticket = next++;
        open.put(ticket, new Ticket(seq, segment, weight));
        return ticket;
    }

    /** The ticket whose result came back (removed), or null for one of another incarnation. */
    Ticket redeem(long ticket) {
        return open.remove(ticket);
    }

    /** The ticket still open, or null. */
    Ticket get(long ticket) {
        return open.get(ticket);
    }

    void clear() {
        open.clear();
    }
}
