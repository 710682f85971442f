package io.streamnlp.api.engine;

import io.streamnlp.api.event.Enrichment;
import java.util.List;

/** The enrichments of one batch, in the order of the documents given, and the batch's figures. */
public record BatchResult(List<Enrichment> results, BatchStats stats) {}
