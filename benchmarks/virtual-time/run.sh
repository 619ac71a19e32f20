#!/usr/bin/env bash
# Virtual-time throughput: a fleet heartbeating every 10 s in virtual time, as fast as the CPU
# allows. Prints simulated seconds per wall second and status messages per wall second.
# Usage: benchmarks/virtual-time/run.sh [DEVICES] [HOURS] [THREADS]   (default 1000 1 = the CI-sized proof)
#        benchmarks/virtual-time/run.sh 10000 24                    (the target: 86 M heartbeats, < 60 s)
# Release build (scripts/build-release). One run; the machine should be otherwise idle.
set -euo pipefail
cd "$(dirname "$0")/../.."
devices="${1:-1000}"; hours="${2:-1}"; threads="${3:-}"
bin="$(scripts/build-release)"
out="benchmarks/virtual-time/results"
mkdir -p "$out"
stamp="$(date -u +%Y-%m-%dT%H%M)"
report="$out/$stamp-${devices}x${hours}h.json"
args=(run --virtual-time --devices "$devices" --duration "${hours}h" --heartbeat 10s --qos 1 --ramp 1000/s --report "$report")
[ -n "$threads" ] && args+=(--reactors "$threads")
/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KiB" "$bin" "${args[@]}" 2>&1 | grep -E "virtual  |heartbeats|wall|devices  "
python3 - "$report" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
v = r["simulator"]["virtual_time"]
print(f"| {r['devices']['requested']:,} | {v['simulated_s']/3600:.1f} h | {r['messages']['sent']:,} | {v['wall_s']:.1f} s | "
      f"{v['simulated_per_wall_s']:,.0f}× | {v['status_publishes_per_wall_s']/1e6:.2f} M/s | {r['simulator']['cpu_seconds']:.1f} s | "
      f"{r['simulator']['peak_rss_bytes']/1048576:.0f} MiB | {r['simulator']['reactors']} |")
PY
echo "report: $report"
