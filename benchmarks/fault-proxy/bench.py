#!/usr/bin/env python3
"""Fault proxy benchmark: what routing every device through simfleet's fault proxy costs, per
message and per connection, against the same run without it.

One command (from the package root):  benchmarks/fault-proxy/bench.py [--sizes 5000] [--runs 3]

For every size and run it writes two scenarios that differ only in the proxy: A has no network
fault (devices connect straight to the embedded mosquitto); B has a `slow_close` toxic on every
device from the start, which puts the proxy in every connection but never delays a byte (it only
acts when a connection closes), so B - A is the cost of the proxy's data path and handshake.
Both: heartbeat 10 s, QoS 1, ramp 1,000/s, --steady seconds after the ramp, the default reactors
and timer tick. It alternates A and B within a run so machine drift hits both. Writes
results/<date>.json and prints a Markdown table of medians.
"""
import argparse, datetime, json, os, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def scenario(devices, steady, proxied):
    ramp = devices / 1000
    lines = ["name: proxy-bench-" + ("proxied" if proxied else "direct"), "seed: 1",
             f"duration: {int(ramp + steady + 1)}s", "fleet:", f"  - {{count: {devices}, heartbeat: 10s, qos: 1, ramp: 1000/s}}"]
    if proxied:
        # In every connection from the start; delays no byte (slow_close acts only on a close).
        lines += ["timeline:", "  - at: 0s", "    network_fault: {kind: slow_close, delay: 1ms}"]
    return "\n".join(lines) + "\n"


def run(exe, devices, steady, proxied, extra):
    with tempfile.TemporaryDirectory(prefix="proxy-bench-") as d:
        path = os.path.join(d, "s.yaml")
        open(path, "w").write(scenario(devices, steady, proxied))
        report = os.path.join(d, "r.json")
        subprocess.run([exe, "run", path, "--report", report, "--html", os.path.join(d, "r.html"), *extra],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=devices / 1000 + steady + 180, check=False)
        r = json.load(open(report))
    s, lat, net = r["simulator"], r["latency"], r["network"]
    return {"connected": r["devices"]["connected"], "sent": r["messages"]["sent"], "received": r["messages"]["received"],
            "lost": r["messages"]["lost"], "connect_all_s": s["connect_all_s"], "cpu_seconds": s["cpu_seconds"],
            "steady_cpu_seconds": s["steady_cpu_seconds"], "steady_heartbeats": s["steady_heartbeats"],
            "peak_rss_bytes": s["peak_rss_bytes"], "connect_p50_ms": lat["connect_ms"]["p50"], "connect_p99_ms": lat["connect_ms"]["p99"],
            "e2e_p50_ms": lat["e2e_ms"]["p50"], "e2e_p99_ms": lat["e2e_ms"]["p99"],
            "proxied": net.get("proxied_devices", 0), "proxy_connections": (net.get("proxy") or {}).get("connections", 0)}


def per10k(r):
    return r["steady_cpu_seconds"] / r["steady_heartbeats"] * 10000 if r["steady_heartbeats"] else None


def ramp_cpu_per_device(r, n):
    """CPU outside the steady window (ramp: connects, first heartbeats; drain), per device, in ms."""
    return (r["cpu_seconds"] - (r["steady_cpu_seconds"] or 0)) / n * 1000


def median(rows, f):
    vals = [v for v in (f(r) for r in rows) if v is not None]
    return statistics.median(vals) if vals else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="5000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steady", type=int, default=60, help="steady seconds after the ramp")
    ap.add_argument("--simfleet", default=None, help="a simfleet binary to use instead of scripts/build-release's")
    ap.add_argument("--simfleet-args", default="", help="extra arguments for simfleet run, e.g. '--reactors 1'")
    a = ap.parse_args()
    exe = a.simfleet or subprocess.run([os.path.join(ROOT, "scripts", "build-release")], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout.strip().splitlines()[-1]
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "steady_s": a.steady,
               "binary": exe, "simfleet_args": a.simfleet_args, "heartbeat_s": 10, "qos": 1, "ramp_per_s": 1000,
               "cores": os.cpu_count(), "sizes": {}}
    for n in [int(s) for s in a.sizes.split(",")]:
        rows = {"direct": [], "proxied": []}
        for i in range(a.runs):
            for arm in (("direct", "proxied") if i % 2 == 0 else ("proxied", "direct")):
                r = run(exe, n, a.steady, arm == "proxied", a.simfleet_args.split())
                rows[arm].append(r)
                print(f"{n} run {i+1} {arm}: {per10k(r):.3f} CPU-s/10k, connect p50 {r['connect_p50_ms']:.2f} ms, "
                      f"rss {r['peak_rss_bytes']/n:.0f} B/dev, delivery {r['received']}/{r['sent']}, proxied {r['proxied']}",
                      file=sys.stderr, flush=True)
        results["sizes"][str(n)] = rows
        out = os.path.join(HERE, "results", results["date"][:16].replace(":", "") + ".json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        json.dump(results, open(out, "w"), indent=1)
    print_table(results)


def print_table(results):
    print("| devices | path | connected | delivery | CPU-s per 10k heartbeats | ramp CPU per device | connect p50 / p99 | "
          "e2e p50 / p99 | peak RSS | RSS/device |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, rows in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        n = int(n)
        med = {}
        for arm in ("direct", "proxied"):
            rs = rows[arm]
            m = {"cpu": median(rs, per10k), "ramp": median(rs, lambda r: ramp_cpu_per_device(r, n)),
                 "c50": median(rs, lambda r: r["connect_p50_ms"]), "c99": median(rs, lambda r: r["connect_p99_ms"]),
                 "e50": median(rs, lambda r: r["e2e_p50_ms"]), "e99": median(rs, lambda r: r["e2e_p99_ms"]),
                 "rss": median(rs, lambda r: r["peak_rss_bytes"]), "conn": median(rs, lambda r: r["connected"]),
                 "deliv": median(rs, lambda r: r["received"] / r["sent"] if r["sent"] else None)}
            med[arm] = m
            print(f"| {n:,} | {arm} | {m['conn']:.0f} | {m['deliv']*100:.2f} % | {m['cpu']:.3f} | {m['ramp']:.3f} ms | "
                  f"{m['c50']:.2f} / {m['c99']:.2f} ms | {m['e50']:.2f} / {m['e99']:.2f} ms | {m['rss']/1048576:.1f} MiB | "
                  f"{m['rss']/n/1024:.2f} KiB |")
        d, p = med["direct"], med["proxied"]
        print(f"\nproxy cost at {n:,} devices: {p['cpu'] - d['cpu']:+.3f} CPU-s per 10k heartbeats ({p['cpu']/d['cpu']:.2f}×), "
              f"{p['ramp'] - d['ramp']:+.3f} ms CPU per connection, connect p50 {p['c50'] - d['c50']:+.2f} ms, "
              f"e2e p50 {p['e50'] - d['e50']:+.2f} ms, {(p['rss'] - d['rss']) / n:+.0f} B RSS per device")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--table":
        print_table(json.load(open(sys.argv[2])))
    else:
        main()
