import DeviceCore
import Foundation
import Glibc

/// How the shards of one run agree, through a directory every shard sees (`--sync-dir`: a shared
/// volume in Kubernetes, any directory on one machine). Files are written whole (a temporary file,
/// then `rename`, or `link` where the first writer must win), so the protocol needs nothing from
/// the file system beyond what NFS gives:
///
/// - `hello-I.json` — shard I is up (broker reached, observer subscribed). When all N are there,
///   every shard starts its ramp at the same instant: the last arrival + `startMargin`.
/// - `ready-S-I.json` — shard I finished the step before step S and waits for it.
/// - `live-I.json` — shard I's live figures (report-shaped), rewritten while it waits.
/// - `step-S.json` — the decision for step S, written once by whichever shard first sees it due
///   (every shard ready and, for `after:`, the condition holding on the sum of all shards' live
///   figures) or first sees its timeout pass: `go` at an instant `stepMargin` ahead, or `timeout`.
///   Every shard follows the same file, so every shard starts step S at one wall-clock instant.
public final class ShardRendezvous: @unchecked Sendable {
    public let directory: String
    public let slice: FleetSlice
    public let fingerprint: String
    /// Seconds between the last shard's arrival and the common start (room for slow file systems).
    public var startMargin: Double = 3
    /// Seconds between a step's decision and its start on every shard.
    public var stepMargin: Double = 1
    /// Longest wait for every shard to arrive.
    public var arrivalTimeout: Double = 900
    /// How often files are looked at.
    public var pollInterval: Double = 0.1

    public init(directory: String, slice: FleetSlice, fingerprint: String) {
        self.directory = directory
        self.slice = slice
        self.fingerprint = fingerprint
    }

    // MARK: - Start barrier

    /// Announces this shard and waits for the others; returns the agreed ramp start (Unix µs).
    /// `log` hears about the wait. Throws when the directory holds another run, this shard has
    /// been here before (a restarted shard cannot rejoin a started run) or the others never come.
    public func awaitStart(log: (String) -> Void = { _ in }, cancelled: () -> Bool = { false }) throws(ShardSyncError) -> Int64 {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create " + directory + ": " + String(describing: error))
        }
        let mine = path("hello-" + String(slice.index) + ".json")
        if FileManager.default.fileExists(atPath: mine) {
            throw .rejoin("shard " + slice.description + " already arrived in " + directory
                          + " (a restarted shard cannot rejoin a run; use a new --sync-dir)")
        }
        try checkCompanions()
        try writeOnce(mine, hello(at: HostClock.now().microseconds))
        log("simfleet: shard " + slice.description + " waiting for " + String(slice.count) + " shards in " + directory)
        let deadline = HostClock.monotonicSeconds() + arrivalTimeout
        while true {
            let arrivals = try readHellos()
            if arrivals.count == slice.count {
                let go = arrivals.max()! + Int64(startMargin * 1_000_000)
                let late = Double(HostClock.now().microseconds - go) / 1e6
                if late > 0 { log(String(format: "simfleet: shard %@ saw the start %.2f s late", slice.description, late)) }
                return go
            }
            if cancelled() { throw .cancelled }
            guard HostClock.monotonicSeconds() < deadline else {
                throw .timeout(String(arrivals.count) + " of " + String(slice.count) + " shards arrived in "
                               + String(Int(arrivalTimeout)) + " s")
            }
            usleep(useconds_t(pollInterval * 1e6))
        }
    }

    func hello(at micros: Int64) -> String {
        "{\"shard\":" + String(slice.index) + ",\"count\":" + String(slice.count) + ",\"fingerprint\":\"" + fingerprint
            + "\",\"at_us\":" + String(micros) + "}\n"
    }

    /// Refuses a directory holding shards of another run or another cut of this one.
    func checkCompanions() throws(ShardSyncError) {
        _ = try readHellos()
    }

    /// Arrival times of the shards here so far, checked against this run.
    func readHellos() throws(ShardSyncError) -> [Int64] {
        var out: [Int64] = []
        for name in listing() where name.hasPrefix("hello-") && name.hasSuffix(".json") {
            guard let doc = readJSON(path(name)) else { continue }  // being written: next poll
            guard doc["fingerprint"]?.stringValue == fingerprint, doc["count"]?.int64Value == Int64(slice.count) else {
                throw .otherRun(name + " in " + directory + " belongs to another scenario or shard count")
            }
            if let at = doc["at_us"]?.int64Value { out.append(at) }
        }
        return out
    }

    // MARK: - Steps

    /// What all shards do about a step.
    public enum Decision: Equatable, Sendable {
        /// Start at this wall-clock instant (Unix µs).
        case go(atMicros: Int64)
        /// The step's condition did not hold within its timeout (decided by shard `by`).
        case timedOut(by: Int)
    }

    /// This shard has finished the steps before `step` (1-based) and waits for it.
    public func announceReady(step: Int) throws(ShardSyncError) {
        try writeOnce(path("ready-" + String(step) + "-" + String(slice.index) + ".json"),
                      "{\"at_us\":" + String(HostClock.now().microseconds) + "}\n")
    }

    /// When every shard is ready for `step`: the latest of their ready times (Unix µs); nil until then.
    public func everyoneReady(step: Int) -> Int64? {
        var latest: Int64 = 0
        for i in 0..<slice.count {
            guard let at = readJSON(path("ready-" + String(step) + "-" + String(i) + ".json"))?["at_us"]?.int64Value else {
                return nil
            }
            latest = max(latest, at)
        }
        return latest
    }

    /// Replaces this shard's live figures (`LiveFigures` document) for `step`.
    public func publishLive(_ document: JSONValue, step: Int) {
        let wrapped = JSONValue.object([JSONMember("step", .int(step)), JSONMember("figures", document)])
        writeReplacing(path("live-" + String(slice.index) + ".json"), String(decoding: wrapped.encodedBytes(), as: UTF8.self))
    }

    /// Every shard's live figures for `step`, summed like a merged report; nil while one is missing.
    public func fleetLive(step: Int) -> ReportDocument? {
        var parts: [JSONValue] = []
        for i in 0..<slice.count {
            guard let doc = readJSON(path("live-" + String(i) + ".json")), doc["step"]?.int64Value == Int64(step),
                  let figures = doc["figures"] else { return nil }
            parts.append(figures)
        }
        return ReportMerge.sumLive(parts)
    }

    /// The decision for `step` if some shard has made it.
    public func decision(step: Int) -> Decision? {
        guard let doc = readJSON(path("step-" + String(step) + ".json")) else { return nil }
        switch doc["outcome"]?.stringValue {
        case "go": return doc["at_us"]?.int64Value.map { .go(atMicros: $0) }
        case "timeout": return .timedOut(by: Int(doc["by"]?.int64Value ?? -1))
        default: return nil
        }
    }

    /// Proposes `proposal` for `step`; returns the decision in force (this one, or an earlier shard's).
    public func decide(step: Int, _ proposal: Decision) -> Decision {
        let text: String
        switch proposal {
        case .go(let at):
            text = "{\"step\":" + String(step) + ",\"outcome\":\"go\",\"at_us\":" + String(at) + ",\"by\":" + String(slice.index) + "}\n"
        case .timedOut:
            text = "{\"step\":" + String(step) + ",\"outcome\":\"timeout\",\"by\":" + String(slice.index) + "}\n"
        }
        _ = try? writeOnce(path("step-" + String(step) + ".json"), text)
        return decision(step: step) ?? proposal
    }

    // MARK: - Files

    func path(_ name: String) -> String { directory + "/" + name }

    func listing() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] }

    func readJSON(_ file: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: file), !data.isEmpty else { return nil }
        return try? JSONReader(maxBytes: 1 << 20, maxDepth: 16).parse(Array(data))
    }

    /// A temporary name unique to this shard and moment, in the same directory (same file system).
    func temporary() -> String {
        path(".tmp-" + String(slice.index) + "-" + String(getpid()) + "-" + String(UInt64.random(in: 0...UInt64.max)))
    }

    /// Creates `file` with `text` unless it exists (then throws `.exists`): written aside, then
    /// hard-linked into place, which fails atomically when another writer got there first.
    func writeOnce(_ file: String, _ text: String) throws(ShardSyncError) {
        let tmp = temporary()
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else { throw .io("cannot write " + tmp) }
        defer { unlink(tmp) }
        if link(tmp, file) != 0 {
            let e = errno
            throw e == EEXIST ? .exists(file) : .io("cannot create " + file + ": " + String(cString: strerror(e)))
        }
    }

    /// Replaces `file` with `text` in one step (rename), so readers see the old or the new whole.
    func writeReplacing(_ file: String, _ text: String) {
        let tmp = temporary()
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else { return }
        if rename(tmp, file) != 0 { unlink(tmp) }
    }
}

/// Why shards could not agree (the shard exits 2).
public enum ShardSyncError: Error, Equatable, Sendable, CustomStringConvertible {
    case io(String)
    case exists(String)
    case rejoin(String)
    case otherRun(String)
    case timeout(String)
    /// The run was stopped (Ctrl-C, SIGTERM) while waiting.
    case cancelled

    public var description: String {
        switch self {
        case .cancelled: return "stopped while waiting for the other shards"
        case .io(let m), .rejoin(let m), .otherRun(let m), .timeout(let m): return m
        case .exists(let f): return f + " exists already"
        }
    }
}
