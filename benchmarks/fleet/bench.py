#!/usr/bin/env python3
"""Fleet benchmark: simfleet vs. a minimal C libmosquitto single-loop fleet, measured in the same run.

One command (from the package root):  benchmarks/fleet/bench.py [--sizes 1000,5000,10000,19000] [--runs 3]
Telemetry mode:                        benchmarks/fleet/bench.py --telemetry-ms 1000 --telemetry-bytes 256 --sizes 10000

For every size and run it starts a fresh local mosquitto for the C baseline (same configuration as
simfleet's embedded broker: loopback listeners, one per 8,000 devices, no persistence, ACLs), runs the
baseline, then runs `simfleet run` (which starts its own embedded broker). Heartbeat 10 s, QoS 1,
ramp 1,000/s, 60 s steady state; every device heartbeats on its own phase in both programs, and both
wake for deadlines on the same timer tick (simfleet's --timer-tick, 10 ms unless --simfleet-args sets
it; --c-tick overrides the baseline's). Writes results/<date>.json and prints a Markdown table of medians.

With --telemetry-ms N every device of both programs also publishes a QoS 0 telemetry message every N ms
on device/<id>/telemetry (simfleet: --telemetry-every Nms --telemetry-bytes B; the C baseline: the same
payload shape, padded to B bytes), and the cost is CPU-seconds per 10,000 messages (heartbeats and
telemetry sent in the steady window).
"""
import argparse, datetime, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def start_broker(devices):
    d = tempfile.mkdtemp(prefix="fleet-bench-broker-")
    ports = [free_port() for _ in range(max(1, (devices + 7999) // 8000))]
    user = os.environ.get("USER") or "root"
    conf = ["per_listener_settings false", f"user {user}", "persistence false", "set_tcp_nodelay true",
            "max_queued_messages 100000", "log_dest stderr", "log_type error", "allow_anonymous true", f"acl_file {d}/acl"]
    for p in ports:
        conf += [f"listener {p} 127.0.0.1", "max_connections -1"]
    open(f"{d}/mosquitto.conf", "w").write("\n".join(conf) + "\n")
    open(f"{d}/acl", "w").write("user simfleet-observer\ntopic read device/+/status\ntopic read device/+/telemetry\n\n"
                                "pattern readwrite device/%c/#\n")
    proc = subprocess.Popen(["mosquitto", "-c", f"{d}/mosquitto.conf"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    for p in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", p), timeout=0.2).close(); break
            except OSError:
                if time.time() > deadline: proc.kill(); raise SystemExit("broker did not start")
                time.sleep(0.01)
    return proc, ports, d


def run_baseline(exe, devices, steady, tick_ms=10, telemetry_ms=0, telemetry_bytes=0):
    proc, ports, d = start_broker(devices)
    try:
        out = subprocess.run([exe, "127.0.0.1", ",".join(map(str, ports)), str(devices), "10000", "1000", str(steady), "1", str(tick_ms),
                              str(telemetry_ms), str(telemetry_bytes)],
                             capture_output=True, text=True, timeout=devices / 1000 + steady + 120)
        r = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        proc.terminate(); proc.wait(10); shutil.rmtree(d, ignore_errors=True)
    return {"connect_all_s": r["connect_all_s"], "connected": r["connected"], "sent": r["sent"], "received": r["received"],
            "lost": max(0, r["acked"] - r["received"]), "peak_rss_bytes": r["peak_rss_bytes"], "cpu_seconds": r["cpu_seconds"],
            "steady_cpu_seconds": r["steady_cpu_seconds"], "steady_heartbeats": r["steady_sent"],
            "telemetry_sent": r.get("telemetry_sent", 0), "telemetry_received": r.get("telemetry_received", 0),
            "steady_telemetry": r.get("steady_telemetry_sent", 0)}


def run_simfleet(exe, devices, steady, extra=()):
    report = tempfile.mktemp(suffix=".json")
    subprocess.run([exe, "run", "--devices", str(devices), "--heartbeat", "10s", "--qos", "1", "--ramp", "1000/s",
                    "--duration", f"{steady}s", "--report", report, *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=devices / 1000 + steady + 120, check=False)
    r = json.load(open(report)); os.unlink(report)
    s = r["simulator"]
    return {"connect_all_s": s["connect_all_s"], "connected": r["devices"]["connected"], "sent": r["messages"]["sent"],
            "received": r["messages"]["received"], "lost": r["messages"]["lost"], "peak_rss_bytes": s["peak_rss_bytes"],
            "cpu_seconds": s["cpu_seconds"], "steady_cpu_seconds": s["steady_cpu_seconds"],
            "steady_heartbeats": s["steady_heartbeats"], "e2e_p99_ms": r["latency"]["e2e_ms"]["p99"], "reactors": s.get("reactors"),
            "telemetry_sent": sum(t["sent"] for t in r.get("telemetry", {}).values()),
            "telemetry_received": sum(t["received"] for t in r.get("telemetry", {}).values()),
            "steady_telemetry": s.get("steady_telemetry") or 0,
            "telemetry_e2e_p99_ms": max([t["e2e_ms"]["p99"] for t in r.get("telemetry", {}).values()], default=None)}


def simfleet_tick_ms(args):
    """simfleet's timer tick in ms as `--timer-tick` in `args` sets it (default 10 ms)."""
    for i, arg in enumerate(args):
        value = arg.split("=", 1)[1] if arg.startswith("--timer-tick=") else args[i + 1] if arg == "--timer-tick" and i + 1 < len(args) else None
        if value is not None:
            return int(value[:-2]) if value.endswith("ms") else int(float(value.rstrip("s")) * 1000)
    return 10


def per10k(r):
    """CPU-seconds per 10,000 messages published in the steady window (heartbeats and telemetry)."""
    messages = r["steady_heartbeats"] + r.get("steady_telemetry", 0)
    return r["steady_cpu_seconds"] / messages * 10000 if messages else float("nan")


def median(rows, f):
    vals = [f(r) for r in rows if f(r) is not None]
    return statistics.median(vals) if vals else None


def slope(points):
    n = len(points)
    if n < 2: return None
    mx = sum(x for x, _ in points) / n; my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,10000,19000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steady", type=int, default=60, help="steady seconds after the ramp")
    ap.add_argument("--simfleet-args", default="", help="extra arguments for simfleet run, e.g. '--reactors 1'")
    ap.add_argument("--c-tick", type=int, default=None,
                    help="the C baseline's timer tick in ms (default: simfleet's --timer-tick, 10; 0: every deadline exactly)")
    ap.add_argument("--telemetry-ms", type=int, default=0, help="telemetry mode: every device also publishes QoS 0 telemetry this often")
    ap.add_argument("--telemetry-bytes", type=int, default=256, help="telemetry mode: payload size (default 256)")
    ap.add_argument("--simfleet", default=None, help="use this simfleet binary instead of building one with scripts/build-release")
    a = ap.parse_args()
    c_tick = a.c_tick if a.c_tick is not None else simfleet_tick_ms(a.simfleet_args.split())
    sizes = [int(s) for s in a.sizes.split(",")]
    simfleet = a.simfleet or subprocess.run([os.path.join(ROOT, "scripts", "build-release")], cwd=ROOT, check=True,
                                            capture_output=True, text=True).stdout.strip().splitlines()[-1]
    extra = a.simfleet_args.split()
    if a.telemetry_ms:
        extra += ["--telemetry-every", f"{a.telemetry_ms}ms", "--telemetry-bytes", str(a.telemetry_bytes)]
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    baseline = os.path.join(HERE, "out", "baseline")
    subprocess.run(["gcc", "-O2", "-Wall", "-o", baseline, os.path.join(HERE, "baseline.c"), "-lmosquitto", "-ldl"], check=True)
    results = {"simfleet_args": a.simfleet_args, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "steady_s": a.steady,
               "c_tick_ms": c_tick, "heartbeat_s": 10, "qos": 1, "ramp_per_s": 1000, "cores": os.cpu_count(), "sizes": {},
               "telemetry_ms": a.telemetry_ms, "telemetry_bytes": a.telemetry_bytes if a.telemetry_ms else 0,
               "simfleet": simfleet}
    for n in sizes:
        rows = {"c": [], "simfleet": []}
        for i in range(a.runs):
            c = run_baseline(baseline, n, a.steady, c_tick, a.telemetry_ms, a.telemetry_bytes if a.telemetry_ms else 0)
            rows["c"].append(c)
            s = run_simfleet(simfleet, n, a.steady, extra); rows["simfleet"].append(s)
            print(f"{n} run {i+1}: C {per10k(c):.3f} CPU-s/10k msg rss {c['peak_rss_bytes']/n:.0f} B/dev "
                  f"telemetry {c['telemetry_received']}/{c['telemetry_sent']} | "
                  f"simfleet {per10k(s):.3f} CPU-s/10k msg rss {s['peak_rss_bytes']/n:.0f} B/dev connect {s['connect_all_s']} s "
                  f"delivery {s['received']}/{s['sent']} telemetry {s['telemetry_received']}/{s['telemetry_sent']}",
                  file=sys.stderr, flush=True)
        results["sizes"][str(n)] = rows
        out = os.path.join(HERE, "results", results["date"][:16].replace(":", "") + ".json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        json.dump(results, open(out, "w"), indent=1)  # after every size: a long matrix keeps what it measured
    print_table(results)


def print_table(results):
    telemetry = results.get("telemetry_ms", 0)
    if telemetry:
        print(f"telemetry every {telemetry} ms, {results.get('telemetry_bytes')} B, QoS 0; heartbeats every 10 s, QoS 1\n")
        print("| devices | who | connect all (s) | delivery (heartbeats) | telemetry delivery | msg/s in steady window | peak RSS | "
              "CPU-s per 10k messages | vs C |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for n, rows in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
            n = int(n)
            cpu_c = median(rows["c"], per10k)
            for who in ("c", "simfleet"):
                rs = rows[who]
                conn = median(rs, lambda r: r["connect_all_s"] if r["connected"] == n else None)
                deliv = median(rs, lambda r: r["received"] / r["sent"] if r["sent"] else None)
                tel = median(rs, lambda r: r["telemetry_received"] / r["telemetry_sent"] if r["telemetry_sent"] else None)
                rate = median(rs, lambda r: (r["steady_heartbeats"] + r["steady_telemetry"]) / max(1, results["steady_s"] - 2))
                rss = median(rs, lambda r: r["peak_rss_bytes"])
                cpu = median(rs, per10k)
                print(f"| {n:,} | {who} | {conn if conn is not None else 'not all'} | {deliv*100:.2f} % | "
                      f"{tel*100 if tel is not None else float('nan'):.2f} % | {rate:,.0f} | {rss/1048576:.1f} MiB | {cpu:.3f} | {cpu/cpu_c:.2f}× |")
        return
    print("| devices | who | connect all (s) | delivery | peak RSS | RSS/device | CPU-s per 10k heartbeats | vs C |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    pts = {"c": [], "simfleet": []}
    for n, rows in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        n = int(n)
        cpu_c = median(rows["c"], per10k)
        for who in ("c", "simfleet"):
            rs = rows[who]
            rss = median(rs, lambda r: r["peak_rss_bytes"])
            pts[who].append((n, rss))
            cpu = median(rs, per10k)
            deliv = median(rs, lambda r: r["received"] / r["sent"] if r["sent"] else None)
            conn = median(rs, lambda r: r["connect_all_s"] if r["connected"] == n else None)
            print(f"| {n:,} | {who} | {conn if conn is not None else 'not all'} | {deliv*100:.2f} % | {rss/1048576:.1f} MiB | "
                  f"{rss/n/1024:.2f} KiB | {cpu:.3f} | {cpu/cpu_c:.2f}× |")
    for who in ("c", "simfleet"):
        s = slope(pts[who])
        if s is not None: print(f"\nmarginal RSS per added device ({who}): {s/1024:.2f} KiB")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--table":
        print_table(json.load(open(sys.argv[2])))
    else:
        main()
