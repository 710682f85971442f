/**
 * The contracts, safe to depend on: the result records and the events' JSON shape ({@link io.streamnlp.api.event}),
 * the dead-letter headers and reject codes ({@link io.streamnlp.api.dlq}) and the engine interface
 * ({@link io.streamnlp.api.engine}). They import nothing else of streamnlp. The entry point that uses them is
 * {@code io.streamnlp.StreamNlp}; every package that is neither of these nor {@code io.streamnlp.config.EnricherConfig}
 * is internal and may change.
 */
package io.streamnlp.api;
