#!/usr/bin/env bash
# Where a command's CPU goes, by component: runs ./streamnlp with async-profiler (from Maven Central) sampling every
# thread's CPU, then prints each component's share and its CPU milliseconds per record.
#   app/scripts/profile.sh eval --no-progress --set topic.enabled=false ../shared/datasets/conll2003/eng.testa
#   PROFILE_JAVA_OPTS=-XX:TieredStopAtLevel=1 app/scripts/profile.sh eval ...   (extra JVM flags for the run)
# The collapsed stacks stay in $PROFILE_OUT (default /tmp/streamnlp-profile.collapsed) for a closer look. Run it with
# nothing else on the cores: the shares hold under load, the milliseconds do not.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ver=4.1
jar="$HOME/.m2/repository/tools/profiler/async-profiler/$ver/async-profiler-$ver-linux-x64.jar"
if [ ! -f "$jar" ]; then
  "$root/mvnw" -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$ver:jar:linux-x64" >&2
fi
lib="$(mktemp -d)"
trap 'rm -rf "$lib"' EXIT
unzip -q -o "$jar" 'linux-x64/libasyncProfiler.so' -d "$lib"
out="${PROFILE_OUT:-/tmp/streamnlp-profile.collapsed}"
interval_ms=5
agent="-agentpath:$lib/linux-x64/libasyncProfiler.so=start,event=cpu,interval=${interval_ms}ms,threads,collapsed,file=$out"
log="$lib/run.log"
JAVA_OPTS="${PROFILE_JAVA_OPTS:-} $agent" "$root/streamnlp" "$@" 2>&1 | tee "$log"
records="$(sed -n 's/^records: \([0-9]*\),.*/\1/p' "$log" | tail -1)"
python3 "$here/profile_components.py" "$out" "$interval_ms" "${records:-0}"
