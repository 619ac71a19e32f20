import DeviceCore

/// Requests the devices' own web servers answered, by endpoint and status (one per reactor,
/// reactor thread only; merged for the report). Paths the device does not serve count as `other`.
struct DeviceHTTPTally: Sendable {
    /// Endpoint path (`/update`) or `other` → status → count.
    var served: [String: [Int: Int]] = [:]
    /// Devices whose socket could not be bound (address or port taken for 5 s).
    var bindFailures = 0

    mutating func count(path: String, status: Int) {
        let endpoint = LocalEndpoint.allCases.contains { $0.path == path } ? path : "other"
        served[endpoint, default: [:]][status, default: 0] += 1
    }

    mutating func merge(_ other: DeviceHTTPTally) {
        for (endpoint, byStatus) in other.served {
            for (status, n) in byStatus { served[endpoint, default: [:]][status, default: 0] += n }
        }
        bindFailures += other.bindFailures
    }

    var total: Int { served.values.reduce(0) { $0 + $1.values.reduce(0, +) } }
}

/// The report's `device_http` section: where the devices listen and what they answered.
public struct DeviceHTTPReport: Sendable {
    public var port: Int
    /// How to find device i's address.
    public var addressPattern: String
    /// The first device's base URL (`http://127.20.0.1:8080`).
    public var first: String?
    /// Endpoint → status → requests answered.
    public var requests: [String: [Int: Int]]
    public var bindFailures: Int
}
