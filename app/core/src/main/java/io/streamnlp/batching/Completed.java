package io.streamnlp.batching;

import io.streamnlp.api.event.Enrichment;

/** The outcome for one ticket handed to the {@link BatchCoordinator}: an enrichment, or the error that kept it from one. */
public record Completed(long ticket, Enrichment enrichment, String error) {}
