/// The device's OTA machinery for one power cycle: the updater, what the single download channel
/// is fetching, the next manifest poll and a result still owed to the status topic. RAM: rebuilt
/// from the bootloader's `BootInfo` at every `.powerOn`.
struct DeviceOTA<Crypto: DeviceCrypto>: Sendable {
    /// nil only before the first power-on.
    var updater: OTAUpdater<Crypto>?
    var download: DownloadUse = .none
    /// When the periodic manifest poll runs next; nil when polling is off.
    var nextPoll: Instant?
    /// Release name of the image being installed (heartbeats while downloading and rebooting).
    var target: String?
    /// A result the next status publish carries, once.
    var report: OTAReport?

    init(updater: OTAUpdater<Crypto>? = nil) { self.updater = updater }

    /// Whether the updater owns the download channel and reports progress (`state: updating`).
    var isTransferring: Bool {
        guard let updater else { return false }
        switch updater.state {
        case .awaitingResponse, .downloading, .awaitingRetry, .verifying, .awaitingReboot: return true
        case .idle, .pendingVerify: return false
        }
    }

    var isIdle: Bool {
        guard let updater, case .idle = updater.state, case .none = download else { return false }
        return true
    }
}

/// The few facts about `DeviceOTA` that every tick and heartbeat needs, kept in line by `Device`
/// so that those paths never copy the updater out of its box.
struct OTASummary: Equatable, Sendable {
    /// The updater's timers, the manifest download's stall timer and the next poll; nil: none.
    var deadline: Instant?
    /// `DeviceOTA.isTransferring`.
    var isTransferring = false
    /// The heartbeat's `ota` member is empty: no transfer, no reboot announced, no result owed.
    var isQuiet = true
    /// A result is owed to the next status publish.
    var hasReport = false

    init() {}

    /// Reads `ota` in place (inout: a by-value read copies it).
    init<Crypto>(_ ota: inout DeviceOTA<Crypto>) {
        var next = ota.updater?.deadline
        if case .manifest(let fetch) = ota.download, let stall = ota.updater?.config.stallTimeout {
            next = earliest(next, min(fetch.lastActivity + stall, fetch.deadline))
        }
        deadline = earliest(next, ota.nextPoll)
        isTransferring = ota.isTransferring
        hasReport = ota.report != nil
        switch ota.updater?.state {
        case nil: isQuiet = true
        case .idle?, .pendingVerify?: isQuiet = !hasReport
        default: isQuiet = false
        }
    }
}

/// What the device's one download channel is being used for. Download events are routed by it.
enum DownloadUse: Equatable, Sendable {
    case none
    /// The backend's manifest, collected in memory up to a size limit.
    case manifest(ManifestFetch)
    /// A firmware image: every download event goes to the updater.
    case image
}

/// A manifest download in progress.
struct ManifestFetch: Equatable, Sendable {
    var url: String
    /// Response status once headers arrived.
    var status: Int? = nil
    var body: [UInt8] = []
    /// Headers or bytes last arrived at this time; no progress for `stallTimeout` abandons the check.
    var lastActivity: Instant
    /// The fetch is abandoned at this time however it progresses (`OTAConfig.downloadDeadline`).
    var deadline: Instant
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
