#!/usr/bin/env bash
# Where the CPU goes, by component: async-profiler (from Maven Central) samples every thread's CPU, then each
# component's share is printed, with its CPU milliseconds per record where the run says how many records it had.
#   app/scripts/profile.sh eval --no-progress --set topic.enabled=false ../shared/datasets/conll2003/eng.testa
#       the whole eval JVM: its processor, its in-JVM broker and its driver
#   app/scripts/profile.sh --processor bench --quick --no-compare ...
#       only the processor that bench runs in a JVM of its own (the broker and the load stay in bench's JVM)
#   PROFILE_JAVA_OPTS=-XX:TieredStopAtLevel=4 app/scripts/profile.sh eval ...   (more JVM flags for the profiled JVM)
# The collapsed stacks stay in $PROFILE_OUT (default /tmp/streamnlp-profile), one file per profiled JVM (bench may
# start more than one processor: each gets its table). Run it with nothing else on the cores: the shares hold under
# load, the milliseconds do not.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
processor=false
if [ "${1:-}" = "--processor" ]; then
  processor=true
  shift
fi
ver=4.1
jar="$HOME/.m2/repository/tools/profiler/async-profiler/$ver/async-profiler-$ver-linux-x64.jar"
if [ ! -f "$jar" ]; then
  "$root/mvnw" -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$ver:jar:linux-x64" >&2
fi
lib="$(mktemp -d)"
trap 'rm -rf "$lib"' EXIT
unzip -q -o "$jar" 'linux-x64/libasyncProfiler.so' -d "$lib"
out="${PROFILE_OUT:-/tmp/streamnlp-profile}"
rm -rf "$out"
mkdir -p "$out"
interval_ms=5
agent="-agentpath:$lib/linux-x64/libasyncProfiler.so=start,event=cpu,interval=${interval_ms}ms,threads,collapsed,file=$out/%p.collapsed"
log="$lib/run.log"
if $processor; then
  BENCH_PROCESSOR_JAVA_OPTS="${PROFILE_JAVA_OPTS:-} $agent" "$root/streamnlp" "$@" 2>&1 | tee "$log"
  records=0
else
  JAVA_OPTS="${PROFILE_JAVA_OPTS:-} $agent" "$root/streamnlp" "$@" 2>&1 | tee "$log"
  records="$(sed -n 's/^records: \([0-9]*\),.*/\1/p' "$log" | tail -1)"
fi
for f in "$out"/*.collapsed; do
  echo "== $f"
  python3 "$here/profile_components.py" "$f" "$interval_ms" "${records:-0}"
done
