/// Running totals of what happened to a device, for the simulator's reports. They are statistics
/// about the device, not its memory, so they survive power cycles.
public struct DeviceCounters: Equatable, Sendable {
    public var boots = 0
    public var wifiConnectAttempts = 0
    public var wifiConnectFailures = 0
    public var wifiConnectionsLost = 0
    public var mqttConnectAttempts = 0
    public var mqttConnects = 0
    public var mqttConnectFailures = 0
    /// CONNACK refused the credentials (return code 4 or 5).
    public var mqttRefused = 0
    public var mqttConnectionsLost = 0
    public var statusPublishes = 0
    public var logLinesStreamed = 0
    public var httpRequests = 0
    /// Events that were not legal in the device's state and were ignored with a log line.
    public var ignoredEvents = 0
    /// OTA commands that failed to parse.
    public var rejectedCommands = 0
    /// Updates the updater accepted and started downloading.
    public var otaUpdatesStarted = 0
    /// Updates refused or abandoned (bad image, downgrade, download failure...); otadata untouched.
    public var otaRefusals = 0
    /// Verified images committed to otadata (the device then reboots into them).
    public var otaImagesCommitted = 0
    /// PENDING_VERIFY images confirmed VALID after reaching the broker.
    public var otaConfirmed = 0
    /// Boots on which the bootloader fell back from another slot.
    public var otaRollbacks = 0
    /// `otaRefusals` by `OTAError.kind`, in the order kinds first occurred.
    public var otaRefusalKinds: [KindCount] = []
    /// Manifest fetches started, and those that failed (HTTP, size, parse, stall).
    public var manifestChecks = 0
    public var manifestFailures = 0
    /// `manifestFailures` by kind, in the order kinds first occurred.
    public var manifestFailureKinds: [KindCount] = []
    /// Protocomm sessions established with the provisioning service (security 1 and 2 handshakes).
    public var provisioningSessions = 0
    /// Requests the provisioning service refused (`SoftAPRefusal`).
    public var provisioningRefusals = 0

    public init() {}

    /// Counts one failed manifest check of `kind`.
    mutating func countManifestFailure(_ kind: String) {
        manifestFailures += 1
        if let i = manifestFailureKinds.firstIndex(where: { $0.kind == kind }) {
            manifestFailureKinds[i].count += 1
        } else {
            manifestFailureKinds.append(KindCount(kind: kind, count: 1))
        }
    }

    /// Counts one refusal of `kind`.
    mutating func countRefusal(_ kind: String) {
        otaRefusals += 1
        if let i = otaRefusalKinds.firstIndex(where: { $0.kind == kind }) {
            otaRefusalKinds[i].count += 1
        } else {
            otaRefusalKinds.append(KindCount(kind: kind, count: 1))
        }
    }
}

/// A count per kind (report tables without a dictionary).
public struct KindCount: Equatable, Sendable {
    public var kind: String
    public var count: Int
}
