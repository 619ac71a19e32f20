import DeviceCore
import Foundation

/// `simfleet merge`: the report of a whole sharded run from its shards' reports, as if one process
/// had run it. Counters add, latency histograms (carried encoded in `latency.hdr`) merge bucket by
/// bucket, time series and timeline phases line up on the wall clock, and the scenario's
/// expectations are judged on the merged report. Reports of different scenarios, seeds or shard
/// counts, and a missing or doubled shard, are refused (`MergeError`).
public enum ReportMerge {
    /// One shard report as read from a file.
    public struct Input: Sendable {
        public var name: String
        public var bytes: [UInt8]

        public init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// The merged report and its verdict.
    public struct Outcome: Sendable {
        /// The merged report (format 1 JSON).
        public var json: String
        public var document: ReportDocument
        public var results: [ExpectationResult]
        public var shards: Int
        /// Devices across all shards.
        public var devices: Int
        /// Paths that could not be rebuilt from the parts (null in the merged report).
        public var unmergeable: [String]

        public var passed: Bool { results.allSatisfy(\.passed) }
    }

    struct Shard {
        var name: String
        var json: JSONValue
        var report: ReportJSON
        var slice: FleetSlice
        var startMs: Double
    }

    public static func merge(_ inputs: [Input]) throws(MergeError) -> Outcome {
        guard !inputs.isEmpty else { throw .noInput }
        var shards: [Shard] = []
        for input in inputs { shards.append(try read(input)) }
        try checkSameRun(shards)
        shards.sort { $0.slice.index < $1.slice.index }

        var unmergeable = Set<String>()
        var merged = shards[0].report
        for shard in shards.dropFirst() {
            merged = ShapeMerge.merge(merged, shard.report, at: [], unmergeable: &unmergeable)
        }
        let start = shards.map(\.startMs).min()!
        try recomputeLatency(&merged, shards, unmergeable: &unmergeable)
        try recomputeHTTPLatency(&merged, shards, unmergeable: &unmergeable)
        recomputeDevicesAndMessages(&merged, shards)
        let end = shards.map { $0.startMs + ($0.report["duration_s"]?.number ?? 0) * 1000 }.max()!
        merged.set("duration_s", .double((end - start) / 1000))
        merged.set("timeseries", alignedSeries(shards.compactMap { s in
            s.report["timeseries"].map { ($0, (s.startMs - start) / 1000) }
        }))
        merged.set("timeline", alignedTimeline(shards.compactMap { s in
            s.report["timeline"].map { ($0, (s.startMs - start) / 1000) }
        }))
        merged.set("shard", .null)
        merged.set("merged", .object([
            ("shards", .int(shards.count)),
            ("fingerprint", .string(shards[0].json["shard"]?["fingerprint"]?.stringValue ?? "")),
            ("start_unix_ms", .double(start)),
            ("inputs", .array(shards.map { s in
                .object([("index", .int(s.slice.index)), ("file", .string(s.name)),
                         ("devices", s.report["devices"]?["requested"] ?? .null),
                         ("start_unix_ms", .double(s.startMs)), ("duration_s", s.report["duration_s"] ?? .null),
                         ("broker", s.report["backend"]?["broker"] ?? .null),
                         ("peak_rss_bytes", s.report["simulator"]?["peak_rss_bytes"] ?? .null),
                         ("cpu_seconds", s.report["simulator"]?["cpu_seconds"] ?? .null)])
            })),
            ("unmergeable", .array(unmergeable.sorted().map { .string($0) })),
        ]))

        // The verdict: the scenario's expectations on the whole run, plus every shard's timeline failures.
        let expectations = try parseExpectations(shards[0])
        var document = try readBack(merged)
        var results = ExpectationEvaluator(report: document).evaluate(expectations)
        var seen = Set<String>()
        for shard in shards {
            guard case .array(let failures)? = shard.json["shard"]?["timeline_failures"] else { continue }
            for f in failures {
                let expression = f["expression"]?.stringValue ?? "timeline"
                let measured = f["measured"]?.stringValue ?? ""
                guard seen.insert(expression + "\u{1}" + measured).inserted else { continue }
                results.append(ExpectationResult(expression: expression, passed: false,
                                                  measured: measured + " (shard " + shard.slice.description + ")"))
            }
        }
        merged.set("expectations", .array(results.map {
            .object([("expression", .string($0.expression)), ("passed", .bool($0.passed)), ("measured", .string($0.measured))])
        }))
        merged.set("passed", .bool(results.allSatisfy(\.passed)))
        let json = merged.encoded() + "\n"
        document = try readBack(merged)
        let devices = Int(merged["devices"]?["requested"]?.number ?? 0)
        return Outcome(json: json, document: document, results: results, shards: shards.count, devices: devices,
                       unmergeable: unmergeable.sorted())
    }

    // MARK: - Reading and checking

    static func read(_ input: Input) throws(MergeError) -> Shard {
        let document: ReportDocument
        do { document = try ReportDocument(bytes: input.bytes) } catch {
            throw .unreadable(input.name, error.description)
        }
        let json = document.json
        guard let section = json["shard"], case .object = section,
              let index = section["index"]?.int64Value, let count = section["count"]?.int64Value,
              let slice = FleetSlice(index: Int(index), count: Int(count)) else {
            throw .notAShard(input.name)
        }
        guard let startText = section["start_unix_ms"], case .number(let n) = startText, let startMs = Double(n.text) else {
            throw .unreadable(input.name, "shard.start_unix_ms is missing")
        }
        return Shard(name: input.name, json: json, report: ReportJSON(json), slice: slice, startMs: startMs)
    }

    /// Same scenario (fingerprint), seed, shard count, report format and simfleet version; each shard once.
    static func checkSameRun(_ shards: [Shard]) throws(MergeError) {
        let first = shards[0]
        let identity: [(String, (JSONValue) -> JSONValue?)] = [
            ("format", { $0["format"] }), ("simfleet_version", { $0["simfleet_version"] }),
            ("scenario", { $0["scenario"] }), ("seed", { $0["seed"] }),
            ("shard.count", { $0["shard"]?["count"] }), ("shard.fingerprint", { $0["shard"]?["fingerprint"] }),
        ]
        for shard in shards.dropFirst() {
            for (name, read) in identity where read(shard.json) != read(first.json) {
                throw .differentRuns(field: name, first.name, describe(read(first.json)), shard.name, describe(read(shard.json)))
            }
        }
        var byIndex: [Int: String] = [:]
        for shard in shards {
            if let other = byIndex[shard.slice.index] { throw .duplicate(index: shard.slice.index, other, shard.name) }
            byIndex[shard.slice.index] = shard.name
        }
        let missing = (0..<first.slice.count).filter { byIndex[$0] == nil }
        if !missing.isEmpty { throw .missing(missing, of: first.slice.count) }
    }

    static func describe(_ value: JSONValue?) -> String {
        guard let value else { return "nothing" }
        return String(decoding: value.encodedBytes(), as: UTF8.self)
    }

    static func parseExpectations(_ shard: Shard) throws(MergeError) -> [Expectation] {
        guard case .array(let texts)? = shard.json["shard"]?["expect"] else { return [] }
        var out: [Expectation] = []
        for text in texts.compactMap(\.stringValue) {
            do {
                out.append(try ExpressionParser.expectation(text, at: SourcePosition(file: shard.name, line: 1, column: 1)))
            } catch {
                throw .badExpectation(text, error.description)
            }
        }
        return out
    }

    static func readBack(_ merged: ReportJSON) throws(MergeError) -> ReportDocument {
        do { return try ReportDocument(bytes: Array(merged.encoded().utf8)) } catch {
            throw .unreadable("the merged report", error.description)
        }
    }

    // MARK: - Recomputed sections

    /// Every histogram in `latency.hdr` merged bucket by bucket, its summary rebuilt from the whole,
    /// and `e2e_histogram` counted again from the merged end-to-end histogram.
    static func recomputeLatency(_ merged: inout ReportJSON, _ shards: [Shard], unmergeable: inout Set<String>) throws(MergeError) {
        var names: [String] = []
        var recorders: [String: LatencyRecorder] = [:]
        for shard in shards {
            guard case .object(let encoded)? = shard.report["latency"]?["hdr"] else { continue }
            for (name, value) in encoded {
                guard case .string(let text) = value else { continue }
                let part: LatencyRecorder
                do { part = try LatencyRecorder(encoded: text) } catch {
                    throw .unreadable(shard.name, "latency.hdr." + name + ": " + error.description)
                }
                if recorders[name] == nil { names.append(name); recorders[name] = LatencyRecorder() }
                recorders[name]!.merge(part)
            }
        }
        guard var latency = merged["latency"] else { return }
        for name in names {
            let r = recorders[name]!
            let l = r.summary
            latency.set(name, .object([("count", .int(l.count)), ("p50", .double(l.p50)), ("p90", .double(l.p90)),
                                       ("p99", .double(l.p99)), ("p999", .double(l.p999)), ("max", .double(l.max))]))
            for key in ["p50", "p90", "p99", "p999", "count", "max"] { unmergeable.remove("latency." + name + "." + key) }
        }
        if let e2e = recorders["e2e_ms"], case .array(let buckets)? = shards[0].report["latency"]?["e2e_histogram"] {
            let bounds = buckets.compactMap { $0["le_ms"]?.number }
            latency.set("e2e_histogram", .array(e2e.buckets(boundsMs: bounds).map {
                .object([("le_ms", .double($0.leMs)), ("count", .int($0.count))])
            }))
        }
        latency.set("hdr", .object(names.map { ($0, .string(recorders[$0]!.encoded)) }))
        merged.set("latency", latency)
    }

    /// `http.<kind>.latency` and `.ttfb` from the shards' `http.<kind>.hdr` histograms, merged.
    static func recomputeHTTPLatency(_ merged: inout ReportJSON, _ shards: [Shard], unmergeable: inout Set<String>) throws(MergeError) {
        guard var http = merged["http"], case .object(let kinds) = http else { return }
        for (kind, _) in kinds {
            guard var section = http[kind] else { continue }
            var encoded: [(String, ReportJSON)] = []
            for name in ["latency", "ttfb"] {
                var whole = LatencyRecorder()
                var complete = true
                for shard in shards {
                    guard case .string(let text)? = shard.report["http"]?[kind]?["hdr"]?[name] else { complete = false; continue }
                    do { whole.merge(try LatencyRecorder(encoded: text)) } catch {
                        throw .unreadable(shard.name, "http." + kind + ".hdr." + name + ": " + error.description)
                    }
                }
                guard complete else { continue }  // a shard without histograms: the percentiles stay null
                let l = whole.summary
                section.set(name, .object([("count", .int(l.count)), ("p50", .double(l.p50)), ("p90", .double(l.p90)),
                                           ("p99", .double(l.p99)), ("p999", .double(l.p999)), ("max", .double(l.max))]))
                for key in ["p50", "p90", "p99", "p999", "count", "max"] { unmergeable.remove("http." + kind + "." + name + "." + key) }
                encoded.append((name, .string(whole.encoded)))
            }
            if encoded.count == 2 { section.set("hdr", .object(encoded)) }
            http.set(kind, section)
        }
        merged.set("http", http)
    }

    /// Lists that are samples or sets, and the ratio of sums.
    static func recomputeDevicesAndMessages(_ merged: inout ReportJSON, _ shards: [Shard]) {
        var observed = Set<String>()
        var failed: [ReportJSON] = []
        var lost: [ReportJSON] = []
        for shard in shards {
            if case .array(let ids)? = shard.report["devices"]?["observed_ids"] {
                for case .string(let id) in ids { observed.insert(id) }
            }
            if case .array(let f)? = shard.report["devices"]?["failed_detail"] { failed += f }
            if case .array(let l)? = shard.report["messages"]?["lost_detail"] { lost += l }
        }
        failed.sort { (a, b) in
            if case .string(let x)? = a["device"], case .string(let y)? = b["device"] { return x < y }
            return false
        }
        merged.set(path: ["devices", "failed_detail"], .array(Array(failed.prefix(100))))
        merged.set(path: ["devices", "observed"], .int(observed.count))
        merged.set(path: ["devices", "observed_ids"], .array(observed.sorted().map { .string($0) }))
        merged.set(path: ["messages", "lost_detail"], .array(Array(lost.prefix(100))))
        let sent = merged["messages"]?["sent"]?.number ?? 0
        let received = merged["messages"]?["received"]?.number ?? 0
        merged.set(path: ["messages", "delivery"], .double(sent == 0 ? 1 : received / sent))
    }

    /// A live-figures document per shard (`LiveFigures`) summed into one, for timeline conditions.
    static func sumLive(_ parts: [JSONValue]) -> ReportDocument {
        var unused = Set<String>()
        var total = ReportJSON(parts[0])
        for part in parts.dropFirst() { total = ShapeMerge.merge(total, ReportJSON(part), at: [], unmergeable: &unused) }
        return (try? ReportDocument(bytes: Array(total.encoded().utf8))) ?? ReportDocument(.object([]))
    }
}

/// Why shard reports could not be merged (`simfleet merge` exits 2).
public enum MergeError: Error, Equatable, Sendable, CustomStringConvertible {
    case noInput
    case unreadable(String, String)
    case notAShard(String)
    case differentRuns(field: String, String, String, String, String)
    case duplicate(index: Int, String, String)
    case missing([Int], of: Int)
    case badExpectation(String, String)

    public var description: String {
        switch self {
        case .noInput: return "no shard reports given"
        case .unreadable(let file, let why): return file + ": " + why
        case .notAShard(let file): return file + " is not a shard report (it has no shard section: run with --shard I/N)"
        case .differentRuns(let field, let a, let va, let b, let vb):
            return "these reports are not shards of one run: " + field + " is " + va + " in " + a + " but " + vb + " in " + b
        case .duplicate(let i, let a, let b): return "shard " + String(i) + " is given twice: " + a + " and " + b
        case .missing(let indices, let n):
            return "shard" + (indices.count == 1 ? " " : "s ") + indices.map(String.init).joined(separator: ", ") + " of "
                + String(n) + " missing (shards are numbered 0…" + String(n - 1) + ")"
        case .badExpectation(let text, let why): return "expectation '" + text + "' cannot be read: " + why
        }
    }
}
