/// Time in merged reports: every shard's seconds are counted from its own start (`shard.start_unix_ms`),
/// so series and phases are moved onto the earliest shard's clock before they are combined.
extension ReportMerge {
    /// Sums the shards' `timeseries` sample by sample on the wall clock. Levels (online, versions,
    /// cumulative errors…) hold a shard's last sample where it has none; rates (`…per_s`) count 0.
    static func alignedSeries(_ parts: [(series: ReportJSON, offsetSeconds: Double)]) -> ReportJSON {
        let interval = parts.first?.series["interval_s"]?.number ?? 1
        let shifted: [(t: [Int], series: ReportJSON)] = parts.map { part in
            let shift = Int((part.offsetSeconds / max(interval, 1e-9)).rounded()) * Int(interval)
            let t = ints(part.series["t"]).map { $0 + shift }
            return (t, part.series)
        }
        let times = Array(Set(shifted.flatMap(\.t))).sorted()
        var members: [(String, ReportJSON)] = [("interval_s", parts.first?.series["interval_s"] ?? .int(1)),
                                               ("t", .array(times.map { .int($0) }))]
        var keys: [String] = []
        for part in parts {
            guard case .object(let m) = part.series else { continue }
            for (key, _) in m where key != "t" && key != "interval_s" && !keys.contains(key) { keys.append(key) }
        }
        for key in keys {
            let values = shifted.map { $0.series[key] }
            if values.contains(where: { if case .object = $0 { return true } else { return false } }) {
                // A family of series (versions): each member aligned and summed; absent members are zeros.
                var names: [String] = []
                for v in values { if case .object(let m)? = v { for (n, _) in m where !names.contains(n) { names.append(n) } } }
                let family: [(String, ReportJSON)] = names.map { name in
                    (name, sum(zip(shifted, values).map { ($0.t, ints($1?[name])) }, at: times, rate: isRate(key)))
                }
                members.append((key, .object(family)))
            } else {
                members.append((key, sum(zip(shifted, values).map { ($0.t, ints($1)) }, at: times, rate: isRate(key))))
            }
        }
        return .object(members)
    }

    static func isRate(_ key: String) -> Bool { key.contains("per_s") }

    /// Σ over shards of each shard's sample at each time (see `alignedSeries` for the gaps).
    static func sum(_ series: [(t: [Int], values: [Int])], at times: [Int], rate: Bool) -> ReportJSON {
        var total = [Int](repeating: 0, count: times.count)
        for (t, values) in series {
            var j = -1
            for (k, time) in times.enumerated() {
                while j + 1 < min(t.count, values.count) && t[j + 1] <= time { j += 1 }
                guard j >= 0 else { continue }
                if t[j] == time { total[k] += values[j] } else if !rate { total[k] += values[j] }
            }
        }
        return .array(total.map { .int($0) })
    }

    static func ints(_ value: ReportJSON?) -> [Int] {
        guard case .array(let items)? = value else { return [] }
        return items.map { Int($0.number ?? 0) }
    }

    /// One phase per timeline step: from the earliest shard's start of it to the latest's end.
    static func alignedTimeline(_ parts: [(timeline: ReportJSON, offsetSeconds: Double)]) -> ReportJSON {
        var order: [Int] = []
        var phases: [Int: [(String, ReportJSON)]] = [:]
        for part in parts {
            guard case .array(let items) = part.timeline else { continue }
            for item in items {
                guard case .object(var m) = item, let step = item["step"]?.number.map({ Int($0) }) else { continue }
                let start = (item["start_s"]?.number ?? 0) + part.offsetSeconds
                let end = (item["end_s"]?.number ?? 0) + part.offsetSeconds
                if var known = phases[step] {
                    let s = min(ReportJSON.object(known)["start_s"]?.number ?? start, start)
                    let e = max(ReportJSON.object(known)["end_s"]?.number ?? end, end)
                    var merged = ReportJSON.object(known)
                    merged.set("start_s", .double(tenths(s)))
                    merged.set("end_s", .double(tenths(e)))
                    if case .object(let mm) = merged { known = mm }
                    phases[step] = known
                } else {
                    order.append(step)
                    var value = ReportJSON.object(m)
                    value.set("start_s", .double(tenths(start)))
                    value.set("end_s", .double(tenths(end)))
                    if case .object(let mm) = value { m = mm }
                    phases[step] = m
                }
            }
        }
        return .array(order.sorted().map { .object(phases[$0]!) })
    }

    static func tenths(_ v: Double) -> Double { (v * 10).rounded() / 10 }
}
