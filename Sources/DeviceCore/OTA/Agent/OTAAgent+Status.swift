/// What the status topic says about OTA: `updating` with progress while an update runs,
/// `rebooting` before the restart, and a result (refusal, rollback) once.
extension OTAAgent {
    /// The `ota` member of heartbeats: progress while updating, else a result owed once, else none.
    @inline(__always)
    var heartbeatObject: JSONValue? {
        summary.isQuiet ? nil : Self.progressObject(storage?.value)
    }

    private static func progressObject(_ active: Active?) -> JSONValue? {
        guard let active else { return nil }
        let state = active.updater.state
        if case .awaitingReboot = state {
            return .object([JSONMember("state", .string("rebooting")),
                            JSONMember("version", active.target.map { JSONValue.string($0) } ?? .null)])
        }
        return state.isTransferring ? active.updater.progress.json(version: active.target) : active.report?.json
    }

    /// A status message left with the current `ota` object: a result is reported only once.
    @inline(__always)
    mutating func statusPublished() {
        guard !summary.isTransferring && summary.hasReport else { return }
        active.report = nil
        settle()
    }
}

/// The few facts about the agent that every tick and heartbeat needs, kept in line so that those
/// paths never reach into its box.
struct OTASummary: Equatable, Sendable {
    /// The updater's timers, the manifest download's stall timer and the next poll; nil: none.
    var deadline: Instant?
    /// `OTAUpdater.State.isTransferring` of the updater.
    var isTransferring = false
    /// The heartbeat's `ota` member is empty: no transfer, no reboot announced, no result owed.
    var isQuiet = true
    /// A result is owed to the next status publish.
    var hasReport = false

    init() {}

    init<Crypto>(_ active: OTAAgent<Crypto>.Active?, poll: Instant?) {
        guard let active else {
            deadline = poll
            return
        }
        var next = active.updater.deadline
        if let fetch = active.manifest {
            next = earliest(next, min(fetch.lastActivity + active.updater.config.stallTimeout, fetch.deadline))
        }
        deadline = earliest(next, poll)
        isTransferring = active.updater.state.isTransferring
        hasReport = active.report != nil
        isQuiet = !isTransferring && !hasReport
    }
}

/// An OTA outcome the status topic reports once (in the heartbeat's `ota` object).
enum OTAReport: Equatable, Sendable {
    /// An update was refused or abandoned: `{"state":"failed","error":...,"version":...}`.
    case failed(error: String, version: String?)
    /// The bootloader fell back from `from`: `{"state":"rolled_back","from":...,"reason":...}`.
    case rolledBack(from: String, cause: RollbackCause?)

    var json: JSONValue {
        switch self {
        case let .failed(error, version):
            var members = [JSONMember("state", .string("failed")), JSONMember("error", .string(error))]
            if let version { members.append(JSONMember("version", .string(version))) }
            return .object(members)
        case let .rolledBack(from, cause):
            return .object([JSONMember("state", .string("rolled_back")), JSONMember("from", .string(from)),
                            JSONMember("reason", .string(cause?.name ?? "unknown"))])
        }
    }
}

extension OTAProgress {
    /// `{"state","bytes","total","percent","version"}`; unknown values are null.
    func json(version: String?) -> JSONValue {
        .object([
            JSONMember("state", .string(state)),
            JSONMember("bytes", .int(bytes)),
            JSONMember("total", total.map { JSONValue.int($0) } ?? .null),
            JSONMember("percent", percent.map { JSONValue.int($0) } ?? .null),
            JSONMember("version", version.map { JSONValue.string($0) } ?? .null),
        ])
    }
}
