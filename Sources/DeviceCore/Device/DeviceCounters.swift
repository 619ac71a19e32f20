/// Running totals of what happened to a device, for the simulator's reports. They are statistics
/// about the device, not its memory, so they survive power cycles. Read and written as `Int`,
/// stored as `UInt32` (`Count32`): a count wraps to 0 past 4,294,967,295 rather than trapping.
///
/// Memory: the link and publish counters every device moves are held in line (44 bytes); the rest
/// (local API, refusals, OTA, manifest, provisioning), zero for nearly every device of a fleet,
/// live in two arrays allocated on their first write (`RareCounts`, `KindTables`): 64 bytes a
/// device instead of 112.
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
    /// The rest, empty (no allocation) until one of them is first written (see the type's comment).
    private var rare = RareCounts()
    private var kinds = KindTables()

    public init() {}

    public var httpRequests: Int {
        get { rare[.httpRequests] }
        set { rare[.httpRequests] = newValue }
    }
    /// Events that were not legal in the device's state and were ignored with a log line.
    public var ignoredEvents: Int {
        get { rare[.ignoredEvents] }
        set { rare[.ignoredEvents] = newValue }
    }
    /// OTA commands that failed to parse.
    public var rejectedCommands: Int {
        get { rare[.rejectedCommands] }
        set { rare[.rejectedCommands] = newValue }
    }
    /// Updates the updater accepted and started downloading.
    public var otaUpdatesStarted: Int {
        get { rare[.otaUpdatesStarted] }
        set { rare[.otaUpdatesStarted] = newValue }
    }
    /// Updates refused or abandoned (bad image, downgrade, download failure...); otadata untouched.
    public var otaRefusals: Int {
        get { rare[.otaRefusals] }
        set { rare[.otaRefusals] = newValue }
    }
    /// Verified images committed to otadata (the device then reboots into them).
    public var otaImagesCommitted: Int {
        get { rare[.otaImagesCommitted] }
        set { rare[.otaImagesCommitted] = newValue }
    }
    /// PENDING_VERIFY images confirmed VALID after reaching the broker.
    public var otaConfirmed: Int {
        get { rare[.otaConfirmed] }
        set { rare[.otaConfirmed] = newValue }
    }
    /// Boots on which the bootloader fell back from another slot.
    public var otaRollbacks: Int {
        get { rare[.otaRollbacks] }
        set { rare[.otaRollbacks] = newValue }
    }
    /// `otaRefusals` by `OTAError.kind`, in the order kinds first occurred.
    public var otaRefusalKinds: [KindCount] {
        get { kinds[0] }
        set { kinds[0] = newValue }
    }
    /// Manifest fetches started, and those that failed (HTTP, size, parse, stall).
    public var manifestChecks: Int {
        get { rare[.manifestChecks] }
        set { rare[.manifestChecks] = newValue }
    }
    public var manifestFailures: Int {
        get { rare[.manifestFailures] }
        set { rare[.manifestFailures] = newValue }
    }
    /// `manifestFailures` by kind, in the order kinds first occurred.
    public var manifestFailureKinds: [KindCount] {
        get { kinds[1] }
        set { kinds[1] = newValue }
    }
    /// Protocomm sessions established with the provisioning service (security 1 and 2 handshakes).
    public var provisioningSessions: Int {
        get { rare[.provisioningSessions] }
        set { rare[.provisioningSessions] = newValue }
    }
    /// Requests the provisioning service refused (`SoftAPRefusal`).
    public var provisioningRefusals: Int {
        get { rare[.provisioningRefusals] }
        set { rare[.provisioningRefusals] = newValue }
    }

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

/// The counters a fleet's devices rarely move (see `DeviceCounters`), by position in `RareCounts`.
private enum RareCounter: Int {
    case httpRequests, ignoredEvents, rejectedCommands, otaUpdatesStarted, otaRefusals, otaImagesCommitted,
         otaConfirmed, otaRollbacks, manifestChecks, manifestFailures, provisioningSessions, provisioningRefusals

    static let count = 12
}

/// `RareCounter`s as 32-bit counts (`Count32`'s wrapping), all zero while the array is empty; the
/// first write allocates all of them. Compared by value: written back to zero equals never written.
/// One accessor for all of them, out of line: per-counter accessors cost the riscv32 build 4 KB.
private struct RareCounts: Equatable, Sendable {
    private var counts: [UInt32] = []

    subscript(counter: RareCounter) -> Int {
        @inline(never) get { counts.isEmpty ? 0 : Int(truncatingIfNeeded: counts[counter.rawValue]) }
        @inline(never) set {
            if counts.isEmpty { counts = [UInt32](repeating: 0, count: RareCounter.count) }
            counts[counter.rawValue] = UInt32(truncatingIfNeeded: newValue)
        }
    }

    static func == (a: RareCounts, b: RareCounts) -> Bool {
        if a.counts.isEmpty || b.counts.isEmpty { return (a.counts + b.counts).allSatisfy { $0 == 0 } }
        return a.counts == b.counts
    }
}

/// `otaRefusalKinds` (table 0) and `manifestFailureKinds` (table 1) in one array, empty until the
/// first write. Compared by value, as `RareCounts`.
private struct KindTables: Equatable, Sendable {
    private var tables: [[KindCount]] = []

    subscript(table: Int) -> [KindCount] {
        @inline(never) get { tables.isEmpty ? [] : tables[table] }
        @inline(never) set {
            if tables.isEmpty { tables = [[], []] }
            tables[table] = newValue
        }
    }

    static func == (a: KindTables, b: KindTables) -> Bool { a[0] == b[0] && a[1] == b[1] }
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
