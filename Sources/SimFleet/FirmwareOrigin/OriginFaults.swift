/// Faults the firmware origin injects, decided per request from a seeded generator (same seed,
/// same faulty requests). Percentages are 0…100; scenarios change them while a run goes on.
public struct OriginFaults: Sendable, Equatable {
    /// Flip one byte of the body (the image no longer matches its SHA-256 / signature).
    public var corruptPercent: Double
    /// Serve only the first half of the file, with a matching Content-Length (an incomplete image).
    public var truncatePercent: Double
    /// Close the connection part-way through the body (the device resumes with a Range request).
    public var dropPercent: Double
    /// Per-connection send rate limit in bytes per second, nil for unlimited.
    public var rateLimitBytesPerSecond: Int?
    public var seed: UInt64
    /// Faults aimed at chosen devices (scenario plans): they win over the percentages above.
    public var targeted: [TargetedFault] = []

    public init(corruptPercent: Double = 0, truncatePercent: Double = 0, dropPercent: Double = 0,
                rateLimitBytesPerSecond: Int? = nil, seed: UInt64 = 1, targeted: [TargetedFault] = []) {
        self.targeted = targeted
        self.corruptPercent = corruptPercent
        self.truncatePercent = truncatePercent
        self.dropPercent = dropPercent
        self.rateLimitBytesPerSecond = rateLimitBytesPerSecond
        self.seed = seed
    }

    public static let none = OriginFaults()
}

/// What the origin did, for the report (`ota.corrupted_downloads`) and for tests.
public struct OriginStats: Sendable, Equatable {
    public var requests = 0
    public var fullResponses = 0
    public var rangeResponses = 0
    public var notFound = 0
    public var rangeNotSatisfiable = 0
    public var bytesServed = 0
    public var corrupted = 0
    public var truncated = 0
    public var dropped = 0
    /// Responses that stopped mid-body with the connection left open (`ota.stalled_downloads`).
    public var stalled = 0
    /// Body bytes handed to connections and not yet written to their sockets, now and at most:
    /// what concurrent downloads cost the origin in memory beyond the shared file bytes.
    public var queuedBytes = 0
    public var peakQueuedBytes = 0
}

/// The fault chosen for one response.
enum ResponseFault: Equatable {
    case none
    case corrupt(offset: Int)
    /// Serve only the first `keep` bytes of the body, with a matching Content-Length.
    case truncate(keep: Int)
    case drop(afterBytes: Int)
    /// Send the first `afterBytes` bytes of the body, then nothing more, leaving the connection open.
    case stall(afterBytes: Int)
}

/// A fault for the downloads of chosen devices, which name themselves in the download URL's
/// `device` query parameter (the fleet host adds it for the embedded origin). So a scenario knows
/// exactly whose image was spoiled, and `rollbacks == corrupted_downloads` can hold exactly.
public struct TargetedFault: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Flip one byte of the body, once per device and file (a retry gets a good image).
        case corrupt
        /// End the body cleanly at `fraction` of the file (each request reaching past it).
        case truncate(fraction: Double)
        /// Close the connection at `fraction` of the file, once per device and file (the resume succeeds).
        case drop(fraction: Double)
        /// Stop sending at `fraction` of the file and keep the connection open, once per device and
        /// file: the client's stall timeout must notice and resume.
        case stall(fraction: Double)
        /// Send at most this many bytes per second.
        case slow(bytesPerSecond: Int)
    }

    public var kind: Kind
    /// Device ids whose downloads this fault spoils.
    public var devices: Set<String>
    /// Only requests for this file (`fw-1.1.0.bin`); nil for every file but the manifest.
    public var file: String?

    /// A scenario's `firmware_fault` aimed at `devices`' downloads of its version (or of every
    /// image); socket and virtual-time runs alike.
    init(_ fault: FirmwareFault, devices: Set<String>) {
        let kind: Kind
        switch fault.kind {
        case .corrupt: kind = .corrupt
        case .truncate(let fraction): kind = .truncate(fraction: fraction)
        case .drop(let fraction): kind = .drop(fraction: fraction)
        case .stall(let fraction): kind = .stall(fraction: fraction)
        case .slow(let rate): kind = .slow(bytesPerSecond: max(1, Int(rate)))
        }
        self.init(kind: kind, devices: devices, file: fault.version.map(FirmwareCatalog.fileName))
    }

    public init(kind: Kind, devices: Set<String>, file: String? = nil) {
        self.kind = kind
        self.devices = devices
        self.file = file
    }

    func applies(device: String?, path: String) -> Bool {
        guard let device, devices.contains(device) else { return false }
        guard let file else { return true }
        return path.split(separator: "/").last.map(String.init) == file
    }
}
