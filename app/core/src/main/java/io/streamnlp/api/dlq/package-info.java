/**
 * Contract: what a dead-letter record carries, the header names of {@link io.streamnlp.api.dlq.DeadLetters}, and
 * the reject codes of {@link io.streamnlp.api.dlq.RejectReason} (a code's name is the {@code streamnlp.error}
 * header's value, so codes are added, never renamed). This package imports nothing of streamnlp's internals.
 */
package io.streamnlp.api.dlq;
