/**
 * Contract: the engine a user can implement ({@link io.streamnlp.api.engine.EnrichmentEngine}) and the types of
 * its signatures. An engine throws {@link io.streamnlp.api.engine.EngineFailureException} for a failure that is no
 * record's fault (the stream stops without committing, nothing is dead-lettered); any other exception from a batch
 * is taken as a record's fault (unless it names a device error, see
 * {@link io.streamnlp.api.engine.EngineFailureException#isEngineLevel}), and the batch is split to find the
 * record(s) to dead-letter. This package imports nothing of streamnlp's internals.
 */
package io.streamnlp.api.engine;
