import DeviceCore

/// What every device host of a fleet shares, set once for the run: one object for the fleet
/// instead of a copy in each of ten thousand hosts.
final class HostSettings: Sendable {
    /// MQTT version and session of the devices' clients (the fleet's `MQTTOptions`).
    let mqttOptions: MQTTOptions
    /// Downloads from URLs starting with this (the embedded origin) get `device=<id>` in their query.
    let originPrefix: String?
    /// `POST {api}{path}` at first boot when set.
    let registration: RegistrationPlan?

    init(mqttOptions: MQTTOptions = MQTTOptions(), originPrefix: String? = nil, registration: RegistrationPlan? = nil) {
        self.mqttOptions = mqttOptions
        self.originPrefix = originPrefix
        self.registration = registration
    }

    /// MQTT 3.1.1, no origin, no registration: a host nobody configured.
    static let standard = HostSettings()
}

/// Where a device's client connects, held by reference: the devices on one broker port and
/// source address share one (a fleet has a few hundred at most), so a host carries a pointer
/// instead of the endpoint's strings.
final class SharedEndpoint: Sendable {
    let value: BrokerEndpoint

    init(_ value: BrokerEndpoint) { self.value = value }
}

/// The part of a device host that only some devices or some moments use: ACL probes, QoS 1
/// telemetry bookkeeping, a download in flight, the captive portal's access point, the device's
/// web server, the registration exchange, an observer of every event, and why it never
/// connected. Allocated on the first write of any of them (`DeviceHost.coldState`): a device
/// that heartbeats and nothing else carries one nil pointer.
final class HostColdState {
    var probes: [(mid: Int32, topic: String, verdictAt: Instant?)] = []
    var probeWasAllowed = false
    var telemetryLedger: TelemetryLedger?
    var download: DownloadTransfer?
    var accessPoint: AccessPointShell?
    var deviceHTTP: DeviceHTTPShell?
    var observer: ((FleetDevice, [Action]) -> Void)?
    var registrationState = RegistrationState.unregistered
    var lastError: FleetErrorKind?
    var lastReturnCode: Int32 = 0
}

/// The cold state's fields read as if they were the host's own: reads of a device that never
/// used them see the defaults without allocating, and writing a default (nil, empty) to such a
/// device allocates nothing either.
extension DeviceHost {
    /// The cold state, allocated now if this is its first use.
    var coldState: HostColdState {
        if let cold { return cold }
        let created = HostColdState()
        cold = created
        return created
    }

    /// Subscriptions made by an ACL probe, not by the firmware. Mosquitto's ACL file grants every
    /// SUBSCRIBE and filters at delivery, so the verdict is whether the target's retained status
    /// arrives within `probeWindow` of the SUBACK.
    var probes: [(mid: Int32, topic: String, verdictAt: Instant?)] {
        get { cold?.probes ?? [] }
        _modify { yield &coldState.probes }  // every mutation but `append` finds a probe first
    }

    var probeWasAllowed: Bool {
        get { cold?.probeWasAllowed ?? false }
        set { if newValue || cold != nil { coldState.probeWasAllowed = newValue } }
    }

    /// QoS 1 telemetry awaiting and given PUBACKs (`DeviceHost+Telemetry`); nil until the first.
    var telemetryLedger: TelemetryLedger? {
        get { cold?.telemetryLedger }
        set { if newValue != nil || cold != nil { coldState.telemetryLedger = newValue } }
    }

    var download: DownloadTransfer? {
        get { cold?.download }
        set { if newValue != nil || cold != nil { coldState.download = newValue } }
    }

    /// The device's radio environment and access point sockets (captive portal); nil for fleet
    /// devices, whose WiFi always lets them in and who never open an AP. Set by `provide`.
    var accessPoint: AccessPointShell? { cold?.accessPoint }

    /// The device's own web server in station mode (`--device-http`); nil when not exposed.
    var deviceHTTP: DeviceHTTPShell? {
        get { cold?.deviceHTTP }
        set { if newValue != nil || cold != nil { coldState.deviceHTTP = newValue } }
    }

    /// Called on the reactor thread after every event the device handled, with its actions.
    var observer: ((FleetDevice, [Action]) -> Void)? {
        get { cold?.observer }
        set { if newValue != nil || cold != nil { coldState.observer = newValue } }
    }

    var registrationState: RegistrationState {
        get { cold?.registrationState ?? .unregistered }
        set { if newValue != .unregistered || cold != nil { coldState.registrationState = newValue } }
    }

    /// The last connect failure's kind and return code, for `failure` (only until it connects).
    var lastError: FleetErrorKind? {
        get { cold?.lastError }
        set { if newValue != nil || cold != nil { coldState.lastError = newValue } }
    }

    var lastReturnCode: Int32 {
        get { cold?.lastReturnCode ?? 0 }
        set { if newValue != 0 || cold != nil { coldState.lastReturnCode = newValue } }
    }

    /// Gives the device its radio environment and access point sockets (before `attach`).
    func provide(_ shell: AccessPointShell) {
        coldState.accessPoint = shell
        shell.deliver = { [unowned self] event in self.deliver(event) }
    }

    // The fleet's shared settings, read where the host used to keep its own copies.
    var mqttOptions: MQTTOptions { settings.mqttOptions }
    var originPrefix: String? { settings.originPrefix }
    var registration: RegistrationPlan? { settings.registration }
    var endpoint: BrokerEndpoint { route.value }
}
