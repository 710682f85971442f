#!/usr/bin/env bash
# Where the CPU goes, by component: async-profiler (from Maven Central) samples every thread's CPU, then each
# component's share is printed, with its CPU milliseconds per record where the run says how many records it had.
#   app/scripts/profile.sh eval --no-progress --set topic.enabled=false ../shared/datasets/conll2003/eng.testa
#       the whole eval JVM: its processor, its in-JVM broker and its driver
#   app/scripts/profile.sh --processor bench --quick --no-compare ...
#       only the processor that bench runs in a JVM of its own (the broker and the load stay in bench's JVM)
#   PROFILE_JAVA_OPTS=-XX:TieredStopAtLevel=4 app/scripts/profile.sh eval ...   (more JVM flags for the profiled JVM)
#   app/scripts/profile.sh --window 8:11 eval ...          (--processor too) only FROM to TO seconds after the profiled
#       JVM started: the profiler is attached then (jcmd JVMTI.agent_load) and stopped at TO, so start-up and the JIT's
#       first seconds stay out; prints the process's CPU seconds in the window beside the shares (no per-record figure)
# The collapsed stacks stay in $PROFILE_OUT (default /tmp/streamnlp-profile), one file per profiled JVM (bench may
# start more than one processor: each gets its table). Run it with nothing else on the cores: the shares hold under
# load, the milliseconds do not.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
processor=false
window=""
while [ $# -gt 0 ]; do
  case "$1" in
    --processor) processor=true; shift ;;
    --window) window="$2"; shift 2 ;;
    *) break ;;
  esac
done
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
if [ -n "$window" ]; then
  from="${window%%:*}"
  to="${window##*:}"
  if ! [[ "$from" =~ ^[0-9]+$ && "$to" =~ ^[0-9]+$ ]] || [ "$to" -le "$from" ]; then
    echo "--window wants FROM:TO, whole seconds, FROM < TO (got '$window')" >&2
    exit 2
  fi
  # Attach to the JVM once it runs: eval's own (the launcher execs java), or bench's processor child.
  if $processor; then
    "$root/streamnlp" "$@" > >(tee "$log") 2>&1 &
    runner=$!
    pid=""
    while [ -z "$pid" ] && kill -0 "$runner" 2>/dev/null; do
      pid="$(pgrep -f 'io.streamnlp.cli.Main run' | head -1 || true)"
      sleep 0.1
    done
  else
    JAVA_OPTS="${PROFILE_JAVA_OPTS:-}" "$root/streamnlp" "$@" > >(tee "$log") 2>&1 &
    runner=$!
    pid=$runner
  fi
  if [ -z "$pid" ]; then
    echo "no processor JVM appeared to profile" >&2
    exit 1
  fi
  started="$(date +%s)"
  while [ $(($(date +%s) - started)) -lt "$from" ]; do sleep 0.2; done
  ticks="$(getconf CLK_TCK)"
  cpu0="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  jcmd "$pid" JVMTI.agent_load "$lib/linux-x64/libasyncProfiler.so" "\"start,event=cpu,interval=${interval_ms}ms,threads\"" >/dev/null
  while [ $(($(date +%s) - started)) -lt "$to" ]; do sleep 0.2; done
  cpu1="$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo "")"
  jcmd "$pid" JVMTI.agent_load "$lib/linux-x64/libasyncProfiler.so" "\"stop,file=$out/$pid.collapsed,collapsed\"" >/dev/null ||
    echo "the JVM ended before the window did: choose an earlier TO" >&2
  wait "$runner" || true
  if [ -n "$cpu1" ]; then
    echo "window ${from}-${to} s of JVM $pid: $(awk -v a="$cpu0" -v b="$cpu1" -v t="$ticks" -v w="$((to - from))" \
      'BEGIN {printf "%.2f CPU s in %d s (%.2f cores)", (b - a) / t, w, (b - a) / t / w}')"
  fi
  records=0
elif $processor; then
  BENCH_PROCESSOR_JAVA_OPTS="${PROFILE_JAVA_OPTS:-} $agent" "$root/streamnlp" "$@" 2>&1 | tee "$log"
  records=0
else
  JAVA_OPTS="${PROFILE_JAVA_OPTS:-} $agent" "$root/streamnlp" "$@" 2>&1 | tee "$log"
  records="$(sed -n 's/^records: \([0-9]*\),.*/\1/p' "$log" | tail -1)"
fi
for f in "$out"/*.collapsed; do
  [ -f "$f" ] || continue
  echo "== $f"
  python3 "$here/profile_components.py" "$f" "$interval_ms" "${records:-0}"
done
