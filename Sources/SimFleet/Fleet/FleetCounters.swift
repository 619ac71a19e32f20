import Synchronization

/// Kinds of error a run counts (the report's `errors` object, by these names).
public enum FleetErrorKind: Int, CaseIterable, Sendable {
    case connectRefused, connectFailed, disconnected, publishFailed, subscribeRefused, clientCreation
    /// The client's TLS could not be set up (a certificate or key that cannot be read): the device
    /// does not connect at all rather than in plain text.
    case tlsSetup
    /// MQTT 5: the broker answered a heartbeat with a failure reason code (not delivered).
    case publishRefused

    /// The report key.
    public var key: String {
        switch self {
        case .connectRefused: return "connect_refused"
        case .connectFailed: return "connect_failed"
        case .disconnected: return "disconnected"
        case .publishFailed: return "publish_failed"
        case .subscribeRefused: return "subscribe_refused"
        case .clientCreation: return "client_creation"
        case .tlsSetup: return "tls_setup"
        case .publishRefused: return "publish_refused"
        }
    }
}

/// Why a device's MQTT session ended on purpose: not an error, counted apart from `errors`
/// (the report's `planned_disconnects`).
public enum PlannedDisconnect: Int, CaseIterable, Sendable {
    /// The restart into a newly committed update.
    case otaReboot
    /// Any other restart the firmware chose: `POST /restart`, `/reboot`, `/reset_wifi`, a rollback.
    case restart
    /// A power cycle the scenario injected (`device_fault: power_cycle`).
    case powerCycle
    /// Power cut by the scenario during an update's flash write.
    case powerCut

    public var key: String {
        switch self {
        case .otaReboot: return "ota_reboot"
        case .restart: return "restart"
        case .powerCycle: return "power_cycle"
        case .powerCut: return "power_cut"
        }
    }
}

/// One reactor's live counters. Each is written only by its reactor thread (relaxed atomics, no
/// lock) and may be read from any thread for progress lines and scenario conditions.
final class FleetCounters: Sendable {
    let poweredOn = Atomic<Int>(0)
    let connecting = Atomic<Int>(0)
    let online = Atomic<Int>(0)
    let updating = Atomic<Int>(0)
    let everConnected = Atomic<Int>(0)
    let reconnects = Atomic<Int>(0)
    let sent = Atomic<Int>(0)
    let acknowledged = Atomic<Int>(0)
    /// Telemetry messages published and (QoS 1) acknowledged, all streams.
    let telemetrySent = Atomic<Int>(0)
    let telemetryAcknowledged = Atomic<Int>(0)
    let aclAttempts = Atomic<Int>(0)
    let aclRefused = Atomic<Int>(0)
    let aclAllowed = Atomic<Int>(0)
    let registered = Atomic<Int>(0)
    let registrationFailed = Atomic<Int>(0)
    let downloadsStarted = Atomic<Int>(0)
    let downloadsFailed = Atomic<Int>(0)
    /// Boots into a new image (PENDING_VERIFY), boots that rolled back, chips left with nothing bootable.
    let imagesBooted = Atomic<Int>(0)
    let rollbacks = Atomic<Int>(0)
    let bricked = Atomic<Int>(0)
    /// Scenario faults carried out by hosts: power cut mid flash write, first transmissions lost.
    let powerCutsDuringFlash = Atomic<Int>(0)
    let packetsLost = Atomic<Int>(0)
    /// Bumped whenever a device's running version or power state changes, so the once-a-second
    /// version census can reuse its last count instead of visiting every device.
    let versionChanges = Atomic<Int>(0)
    /// Unix-epoch µs of the latest first-time connect (how long the whole fleet took to come up).
    let lastFirstConnectMicros = Atomic<Int>(0)
    private let plannedOTAReboot = Atomic<Int>(0)
    private let plannedRestart = Atomic<Int>(0)
    private let plannedPowerCycle = Atomic<Int>(0)
    private let plannedPowerCut = Atomic<Int>(0)
    private let connectRefused = Atomic<Int>(0)
    private let connectFailed = Atomic<Int>(0)
    private let disconnected = Atomic<Int>(0)
    private let publishFailed = Atomic<Int>(0)
    private let subscribeRefused = Atomic<Int>(0)
    private let clientCreation = Atomic<Int>(0)
    private let tlsSetup = Atomic<Int>(0)
    private let publishRefused = Atomic<Int>(0)
    /// MQTT failure reason codes (CONNACK, PUBACK/PUBREC, server DISCONNECT) by code: rare, so a lock.
    private let reasons = Mutex<[Int32: Int]>([:])

    func bump(_ a: borrowing Atomic<Int>, by delta: Int = 1) {
        a.store(a.load(ordering: .relaxed) &+ delta, ordering: .relaxed)
    }

    func count(_ kind: FleetErrorKind) {
        switch kind {
        case .connectRefused: bump(connectRefused)
        case .connectFailed: bump(connectFailed)
        case .disconnected: bump(disconnected)
        case .publishFailed: bump(publishFailed)
        case .subscribeRefused: bump(subscribeRefused)
        case .clientCreation: bump(clientCreation)
        case .tlsSetup: bump(tlsSetup)
        case .publishRefused: bump(publishRefused)
        }
    }

    /// Counts an MQTT failure reason code (0x80…0xFF) for the report's `errors` by name.
    func count(reasonCode: Int32) {
        guard MQTTReasonCode.name(reasonCode) != nil else { return }
        reasons.withLock { $0[reasonCode, default: 0] += 1 }
    }

    /// Reason-code counts by name (`not_authorized`: 3).
    func reasonCounts() -> [String: Int] {
        reasons.withLock { counts in
            var out: [String: Int] = [:]
            for (code, n) in counts { if let name = MQTTReasonCode.name(code) { out[name, default: 0] += n } }
            return out
        }
    }

    func countPlanned(_ cause: PlannedDisconnect) {
        switch cause {
        case .otaReboot: bump(plannedOTAReboot)
        case .restart: bump(plannedRestart)
        case .powerCycle: bump(plannedPowerCycle)
        case .powerCut: bump(plannedPowerCut)
        }
    }

    func planned(_ cause: PlannedDisconnect) -> Int {
        switch cause {
        case .otaReboot: return plannedOTAReboot.load(ordering: .relaxed)
        case .restart: return plannedRestart.load(ordering: .relaxed)
        case .powerCycle: return plannedPowerCycle.load(ordering: .relaxed)
        case .powerCut: return plannedPowerCut.load(ordering: .relaxed)
        }
    }

    func errors(_ kind: FleetErrorKind) -> Int {
        switch kind {
        case .connectRefused: return connectRefused.load(ordering: .relaxed)
        case .connectFailed: return connectFailed.load(ordering: .relaxed)
        case .disconnected: return disconnected.load(ordering: .relaxed)
        case .publishFailed: return publishFailed.load(ordering: .relaxed)
        case .subscribeRefused: return subscribeRefused.load(ordering: .relaxed)
        case .clientCreation: return clientCreation.load(ordering: .relaxed)
        case .tlsSetup: return tlsSetup.load(ordering: .relaxed)
        case .publishRefused: return publishRefused.load(ordering: .relaxed)
        }
    }
}

/// A point-in-time sum of every reactor's counters: what the progress line, the timeseries and
/// scenario conditions read while the run goes on.
public struct FleetSnapshot: Sendable, Equatable {
    public var requested = 0
    public var poweredOn = 0
    public var connecting = 0
    public var online = 0
    public var updating = 0
    public var everConnected = 0
    public var reconnects = 0
    public var sent = 0
    public var acknowledged = 0
    public var received = 0
    /// Telemetry messages published, acknowledged (QoS 1) and received by the observer, all streams.
    public var telemetrySent = 0
    public var telemetryAcknowledged = 0
    public var telemetryReceived = 0
    public var registered = 0
    public var aclAttempts = 0
    public var aclRefused = 0
    public var aclAllowed = 0
    public var registrationFailed = 0
    public var downloadsStarted = 0
    public var downloadsFailed = 0
    public var imagesBooted = 0
    public var rollbacks = 0
    public var bricked = 0
    public var powerCutsDuringFlash = 0
    public var packetsLost = 0
    /// Unix-epoch µs when the last device first connected (0 before any).
    public var lastFirstConnectMicros = 0
    public var errors: [String: Int] = [:]
    /// Sessions the devices ended on purpose, by `PlannedDisconnect.key` (not errors).
    public var plannedDisconnects: [String: Int] = [:]

    public var plannedDisconnectTotal: Int { plannedDisconnects.values.reduce(0, +) }

    /// Devices that powered on and never completed a connect.
    public var neverConnected: Int { poweredOn - everConnected }
    /// Errors by kind; MQTT reason-code names in `errors` break the kinds down and are not added again.
    public var errorTotal: Int { errors.filter { !MQTTReasonCode.allNames.contains($0.key) }.values.reduce(0, +) }

    mutating func add(_ c: FleetCounters) {
        poweredOn += c.poweredOn.load(ordering: .relaxed)
        connecting += c.connecting.load(ordering: .relaxed)
        online += c.online.load(ordering: .relaxed)
        updating += c.updating.load(ordering: .relaxed)
        everConnected += c.everConnected.load(ordering: .relaxed)
        reconnects += c.reconnects.load(ordering: .relaxed)
        sent += c.sent.load(ordering: .relaxed)
        acknowledged += c.acknowledged.load(ordering: .relaxed)
        telemetrySent += c.telemetrySent.load(ordering: .relaxed)
        telemetryAcknowledged += c.telemetryAcknowledged.load(ordering: .relaxed)
        registered += c.registered.load(ordering: .relaxed)
        aclAttempts += c.aclAttempts.load(ordering: .relaxed)
        aclRefused += c.aclRefused.load(ordering: .relaxed)
        aclAllowed += c.aclAllowed.load(ordering: .relaxed)
        registrationFailed += c.registrationFailed.load(ordering: .relaxed)
        downloadsStarted += c.downloadsStarted.load(ordering: .relaxed)
        downloadsFailed += c.downloadsFailed.load(ordering: .relaxed)
        imagesBooted += c.imagesBooted.load(ordering: .relaxed)
        rollbacks += c.rollbacks.load(ordering: .relaxed)
        bricked += c.bricked.load(ordering: .relaxed)
        powerCutsDuringFlash += c.powerCutsDuringFlash.load(ordering: .relaxed)
        packetsLost += c.packetsLost.load(ordering: .relaxed)
        lastFirstConnectMicros = max(lastFirstConnectMicros, c.lastFirstConnectMicros.load(ordering: .relaxed))
        for kind in FleetErrorKind.allCases {
            errors[kind.key, default: 0] += c.errors(kind)
        }
        for cause in PlannedDisconnect.allCases {
            plannedDisconnects[cause.key, default: 0] += c.planned(cause)
        }
        for (name, n) in c.reasonCounts() { errors[name, default: 0] += n }
    }
}
