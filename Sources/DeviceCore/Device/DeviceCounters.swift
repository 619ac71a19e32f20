/// Running totals of what happened to a device, for the simulator's reports. They are statistics
/// about the device, not its memory, so they survive power cycles. Read and written as `Int`,
/// stored as `UInt32` (`Count32`): on a 64-bit host 92 bytes a device instead of 184, and a count
/// wraps to 0 past 4,294,967,295 rather than trapping.
public struct DeviceCounters: Equatable, Sendable {
    @Count32 public var boots = 0
    @Count32 public var wifiConnectAttempts = 0
    @Count32 public var wifiConnectFailures = 0
    @Count32 public var wifiConnectionsLost = 0
    @Count32 public var mqttConnectAttempts = 0
    @Count32 public var mqttConnects = 0
    @Count32 public var mqttConnectFailures = 0
    /// CONNACK refused the credentials (return code 4 or 5).
    @Count32 public var mqttRefused = 0
    @Count32 public var mqttConnectionsLost = 0
    @Count32 public var statusPublishes = 0
    @Count32 public var logLinesStreamed = 0
    @Count32 public var httpRequests = 0
    /// Events that were not legal in the device's state and were ignored with a log line.
    @Count32 public var ignoredEvents = 0
    /// OTA commands that failed to parse.
    @Count32 public var rejectedCommands = 0
    /// Updates the updater accepted and started downloading.
    @Count32 public var otaUpdatesStarted = 0
    /// Updates refused or abandoned (bad image, downgrade, download failure...); otadata untouched.
    @Count32 public var otaRefusals = 0
    /// Verified images committed to otadata (the device then reboots into them).
    @Count32 public var otaImagesCommitted = 0
    /// PENDING_VERIFY images confirmed VALID after reaching the broker.
    @Count32 public var otaConfirmed = 0
    /// Boots on which the bootloader fell back from another slot.
    @Count32 public var otaRollbacks = 0
    /// `otaRefusals` by `OTAError.kind`, in the order kinds first occurred.
    public var otaRefusalKinds: [KindCount] = []
    /// Manifest fetches started, and those that failed (HTTP, size, parse, stall).
    @Count32 public var manifestChecks = 0
    @Count32 public var manifestFailures = 0
    /// `manifestFailures` by kind, in the order kinds first occurred.
    public var manifestFailureKinds: [KindCount] = []
    /// Protocomm sessions established with the provisioning service (security 1 and 2 handshakes).
    @Count32 public var provisioningSessions = 0
    /// Requests the provisioning service refused (`SoftAPRefusal`).
    @Count32 public var provisioningRefusals = 0

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

/// A report counter stored in 32 bits and read as `Int`. Storing a value outside `UInt32` wraps it
/// (modulo 2^32, like `&+`): on a 64-bit host `+= 1` on 4,294,967,295 gives 0, it never traps. On
/// riscv32 `Int` is itself 32 bits, so there nothing changes (the `Int` addition still checks).
@propertyWrapper
public struct Count32: Equatable, Sendable {
    private var raw: UInt32

    public init(wrappedValue: Int) { raw = UInt32(truncatingIfNeeded: wrappedValue) }

    // `truncatingIfNeeded` both ways: free conversions (zero-extension on 64-bit hosts; on riscv32,
    // where `Int` is 32 bits, a bit cast without a range check at every read).
    public var wrappedValue: Int {
        get { Int(truncatingIfNeeded: raw) }
        set { raw = UInt32(truncatingIfNeeded: newValue) }
    }
}
