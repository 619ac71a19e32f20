#!/usr/bin/env bash
# OTA verification cost for a 1 MiB image (SHA-256 + RSA-3072-PSS / ECDSA-P256 signature), release
# build, median of RUNS (default 9, at least 5) against an OpenSSL baseline measured in the same run.
# Usage: benchmarks/ota-verify/run.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
"$(scripts/build-release ota-verify-bench)" "$root" "${1:-9}"
