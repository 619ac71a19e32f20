import DeviceCore

/// One device of a virtual-time fleet: its firmware and chip, and what the socket host
/// (`DeviceHost`) would know about its connections — kept as a value in its partition's array, so
/// ten thousand of them cost no object headers and no reference counting on the hot path.
struct VirtualHost {
    typealias Link = DeviceHost.LinkState

    let identity: DeviceIdentity
    var firmware: FleetDevice
    var chip: DeviceChip?
    /// Power and link, the socket host's life cycle (`DeviceHost.Life`; a virtual run is never
    /// frozen); changed only through `advance`.
    private(set) var life: DeviceHost.Life
    /// Bumped at every power cut and reboot: events scheduled before it are stale.
    var generation = 0
    /// The device has subscribed to its OTA topic on the current connection.
    var subscribedOTA = false
    var everConnected = false
    var attempts = 0
    var lastError: FleetErrorKind?
    var lastReturnCode = 0
    var lastConnectedAt: Instant?
    var connectStartedAt: Instant?
    var runningVersion: String
    var updating = false
    var wifiDownUntil: Instant?
    /// The origin transfer in flight.
    var download: Int?
    /// Heartbeat delivery keys the broker acknowledged (QoS 1).
    var acknowledged = SequenceSet()
    /// Heartbeat delivery keys the backend's observer received (its record for this device).
    var received = SequenceSet()
    /// The observer's latest status for the device was the offline will.
    var observedOffline = false
    /// Scenario faults (power cut at a flash operation, link impairment); boxed, most devices have none.
    var faultCell: FaultCell?
    /// No link to the broker until then (swarm partitions).
    var partitionedUntil: Instant?
    /// Bumped whenever the MQTT connection ends: a CONNACK or command in flight for an older
    /// connection is stale.
    var connection = 0
    /// A power cut armed at any flash operation that leaves it torn (swarm testing).
    var tornCut: TornCut?
    /// The eFuses before the last burn (only kept for `PlantedBug.eFuseBurnLostOnTornWrite`).
    var efusesBeforeBurn: EFuses?

    init(spec: DeviceSpec, powerOnAt: Instant, settings: SharedFirmwareSettings? = nil) {
        life = .off(powerOnAt: powerOnAt)
        identity = DeviceIdentity(index: spec.index, id: spec.id, seed: spec.seed)
        firmware = FleetDevice(config: settings?.config(for: spec) ?? spec.firmwareConfig)
        runningVersion = spec.firmwareVersion
    }

    var isPoweredOn: Bool { life.isPoweredOn }
    /// When an off device powers on; nil while it is powered.
    var powerOnAt: Instant? { life.powerOnAt }
    /// The MQTT link: `.off` whenever the device has no power.
    var link: Link { life.link }

    /// Applies a transition the partition's logic guarantees to be legal; an illegal one is a bug
    /// in the partition, and the run stops naming it (as the socket host's `advance` does).
    mutating func advance(_ event: DeviceHost.Life.Event) {
        do {
            try life.handle(event)
        } catch {
            preconditionFailure("device " + identity.id + ": " + error.description)
        }
    }

    /// When the partition must next fire this device: its power-on, else the firmware's next
    /// deadline. `mutating` only so that `hosts[slot].nextWake()` reads the element in place: a
    /// plain read of `hosts[slot].firmware.nextDeadline` copied the whole firmware value (every
    /// reference in it retained and released) at every heartbeat.
    mutating func nextWake() -> Instant? {
        if let powerOnAt { return powerOnAt }
        return firmware.nextDeadline
    }

    var faults: HostFaults {
        get { faultCell?.value ?? HostFaults() }
        set {
            if faultCell == nil { faultCell = FaultCell() }
            faultCell!.value = newValue
        }
    }

    /// Why this device never connected, nil once it has.
    var failure: DeviceFailure? {
        guard !everConnected, attempts > 0 else { return nil }
        return DeviceFailure(device: identity.id, error: lastError?.key ?? "connect_pending", returnCode: lastReturnCode, attempts: attempts)
    }
}

/// A power cut at the `atOperation`-th flash operation from now: that operation lands only
/// `numerator/denominator` of its bytes or sectors, and power is back after `off`.
struct TornCut: Equatable, Sendable {
    var atOperation: Int
    var seen = 0
    var numerator: Int
    var denominator: Int
    var off: TimeSpan
}
