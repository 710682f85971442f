#!/usr/bin/env python3
"""Splits async-profiler collapsed stacks (with thread names) into components: share, and CPU ms per record."""
import collections,re,sys
# component of one sample: by thread, then by the frames it holds (first rule that matches wins)
BROKER=re.compile(r'data-plane|kafka-scheduler|raft|quorum-controller|group-coordinator|ExpirationReaper|log-closing|broker-|controller-|kafka-cluster-test-kit|metadata-loader|AddPartitionsToTxn|TxnMarkerSender|kafka-log-cleaner|LogDirFailure|executor-|share-|transaction-log')
RULES=[
 ('ONNX Runtime', lambda s: 'libonnxruntime' in s or 'ai/onnxruntime' in s),
 ('tokenization', lambda s: 'tokenizers' in s.lower() or 'io/streamnlp/tokenize' in s),
 ('parsing', lambda s: 'InputParser' in s),
 ('event JSON', lambda s: 'EventWriter' in s),
 ('buffer store + changelog', lambda s: 'rocksdb' in s.lower() or 'KeyValueStore' in s or 'StoredRecord' in s or 'PartialResults' in s or 'PartialsFormat' in s or 'PartialsKeeper' in s or 'ChangeLogging' in s or 'CachingKeyValue' in s or 'ThreadCache' in s),
 ('producing / committing', lambda s: 'KafkaProducer' in s or 'RecordCollector' in s or 'TransactionManager' in s or 'Sender' in s or 'commit' in s.lower()),
 ('decoding', lambda s: 'io/streamnlp/decode' in s),
 ('coordinator / handoffs', lambda s: 'io/streamnlp/batching' in s or 'LockSupport' in s or 'LinkedBlockingQueue' in s),
 ('Kafka Streams internals', lambda s: 'org/apache/kafka/streams' in s),
 ('Kafka clients (consumer)', lambda s: 'org/apache/kafka/clients' in s or 'org/apache/kafka/common' in s),
 ('streamnlp other', lambda s: 'io/streamnlp' in s),
]
def component(stack):
    th=stack.split(';',1)[0]
    if 'CompilerThre' in th: return 'JIT compiler'
    if re.search(r'GC Thread|G1 |VM Thread|Sweeper|Conc',th): return 'GC / VM'
    if BROKER.search(th): return 'broker (in-JVM)'
    if 'io/streamnlp/eval' in stack or 'io/streamnlp/local/EventCollector' in stack or 'io/streamnlp/bench' in stack \
            or ('producer-' in th and 'StreamThread' not in th):
        return 'driver (eval/bench load and read-back)'
    for name,f in RULES:
        if f(stack): return name
    if th.startswith('[main'): return 'main thread other (start-up: loading, checks)'
    if 'StreamThread' in th or 'inference' in th: return 'processor other (JVM, kernel, waits)'
    return 'other threads'
agg=collections.Counter(); tot=0
for line in open(sys.argv[1]):
    stack,n=line.rstrip().rsplit(' ',1); n=int(n)
    agg[component(stack)]+=n; tot+=n
ms=float(sys.argv[2]) if len(sys.argv)>2 else 0
recs=int(sys.argv[3]) if len(sys.argv)>3 else 0
print(f"{'component':40s} {'share':>7s}" + (f" {'ms CPU/record':>14s}" if recs else ''))
for k,v in agg.most_common():
    print(f"{k:40s} {v*100/tot:6.1f}%" + (f" {v*ms/recs:14.2f}" if recs else ''))
print(f"{'total':40s} {100:6.1f}%" + (f" {tot*ms/recs:14.2f}" if recs else ''))
