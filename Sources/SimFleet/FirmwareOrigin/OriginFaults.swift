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

    public init(corruptPercent: Double = 0, truncatePercent: Double = 0, dropPercent: Double = 0,
                rateLimitBytesPerSecond: Int? = nil, seed: UInt64 = 1) {
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
}

/// The fault chosen for one response.
enum ResponseFault: Equatable {
    case none
    case corrupt(offset: Int)
    case truncate
    case drop(afterBytes: Int)
}
