import DeviceCore
import Foundation

/// Which broker a run talks to.
public enum BrokerChoice: Sendable, Equatable {
    /// Start a local mosquitto with a generated configuration (the default).
    case embedded
    /// `mqtt://host:port` or `mqtts://host:port` with TLS settings.
    case external(host: String, port: Int, tls: TLSSettings?)

    /// Parses `mqtt://host:port` / `mqtts://host:port` (ports default to 1883 / 8883). mqtts without
    /// TLS settings verifies the broker against the system trust store; TLS settings with mqtt:// are
    /// refused (nil), never dropped.
    public static func parse(_ url: String, tls: TLSSettings? = nil) -> BrokerChoice? {
        let secure: Bool
        let rest: Substring
        if url.hasPrefix("mqtt://") { secure = false; rest = url.dropFirst(7) }
        else if url.hasPrefix("mqtts://") { secure = true; rest = url.dropFirst(8) }
        else { return nil }
        let hostPort = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let parts = hostPort.split(separator: ":")
        guard let host = parts.first, !host.isEmpty, parts.count <= 2 else { return nil }
        let port = parts.count == 2 ? Int(parts[1]) : (secure ? 8883 : 1883)
        guard let port, (1...65535).contains(port) else { return nil }
        if !secure && tls != nil { return nil }
        return .external(host: String(host), port: port, tls: secure ? (tls ?? TLSSettings(caFile: nil)) : nil)
    }
}

/// Which devices connect through the fault proxy.
public enum ProxiedDevices: Sendable, Equatable {
    case none
    /// Every device (a `broker_outage` concerns the whole fleet).
    case all
    /// The devices at these fleet indices.
    case some(Set<Int>)

    public func contains(_ index: Int) -> Bool {
        switch self {
        case .none: return false
        case .all: return true
        case .some(let set): return set.contains(index)
        }
    }

    /// How many of `devices` are proxied.
    public func count(of devices: Int) -> Int {
        switch self {
        case .none: return 0
        case .all: return devices
        case .some(let set): return set.filter { $0 >= 0 && $0 < devices }.count
        }
    }
}

/// The shape of a fleet and of the run: the configuration `FleetRunner` takes. Every field has a
/// default, so `FleetConfiguration(devices: 100)` is a complete run against the embedded broker.
public struct FleetConfiguration: Sendable {
    public var devices: Int
    /// Device id template: `{n}` (1-based index), `{n:06}` (zero-padded), `{chip}`, `{mac}`.
    public var idTemplate: String
    public var chip: ChipModel
    public var firmwareVersion: String
    public var heartbeatMs: Int64
    /// QoS of heartbeats, 0, 1 or 2 (QoS 2: acknowledged on PUBCOMP, delivered once per session).
    public var qos: Int
    /// Devices start with WiFi credentials (false: in access-point mode, waiting for the portal).
    public var provisioned: Bool
    /// Connect ramp, devices powered on per second.
    public var rampPerSecond: Double
    /// Same seed, same ids, MACs and jitter.
    public var seed: UInt64
    /// Steady time after the ramp ends, seconds (the run lasts ramp + duration).
    public var durationSeconds: Double
    public var broker: BrokerChoice
    /// MQTT username/password templates (`{id}`, `{n}`); nil for anonymous.
    public var usernameTemplate: String?
    public var passwordTemplate: String?
    /// Credentials of the observer client on an external broker (it must be allowed to read every
    /// status and telemetry topic, `device/+/status` by default, and for commands write every OTA
    /// topic, `device/+/ota`). The embedded broker makes its own.
    public var observerUsername: String?
    public var observerPassword: String?
    /// Base URL of the backend API (`POST {api}/devices/register`), nil for none.
    public var api: String?
    /// How devices register with `api`: body and header templates, retries, bounds.
    public var registration = RegistrationOptions()
    /// Directory the embedded firmware origin serves (images and manifest.json); nil serves an
    /// empty temporary directory that `FleetRunner.origin` can fill.
    public var firmwareDirectory: String?
    /// Reactor threads. Default: one per core, but one core fewer (at least one) with the embedded
    /// broker, which runs on this machine and needs a core of its own (see docs/running-fleets.md).
    public var reactors: Int {
        get { reactorsSetting ?? FleetConfiguration.defaultReactors(embeddedBroker: broker == .embedded) }
        set { reactorsSetting = max(1, newValue) }
    }
    /// An explicit `reactors`, nil for the default.
    public var reactorsSetting: Int?

    /// The default reactor count for this machine: cores, or cores − 1 (min 1) when the broker
    /// shares them. Measured at 10,000 devices on 2 cores: two reactors next to a local mosquitto
    /// cost ≈ 20–30 % more CPU per heartbeat than one, in context switches between three busy threads.
    public static func defaultReactors(embeddedBroker: Bool,
                                       cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, embeddedBroker ? cores - 1 : cores)
    }
    /// Timer tick of the reactors in milliseconds (deadlines are served on the next tick).
    public var timerTickMs: Int
    /// MQTT keepalive of every device, seconds: with no heartbeat for this long a device pings.
    public var keepAliveSeconds = Int(FleetDefaults.keepAlive.microseconds / 1_000_000)
    /// Longest wait at the end for in-flight heartbeats to reach the observer.
    public var drainSeconds: Double
    /// Scenario name for the report, nil for a flags-only run.
    public var scenarioName: String?
    /// Unprovisioned devices open their captive portal on their own loopback address (nil: no AP sockets).
    public var accessPoints: AccessPointExposure? = nil
    /// Releases the embedded origin serves, signing, and the devices' flash and OTA settings.
    public var ota = FleetOTAOptions()
    /// Several groups (ids from the plan, per-group version, heartbeat, ramp); nil: one shape.
    public var shapes: FleetShapes? = nil
    /// The part of the fleet this process runs (`--shard I/N`); `.whole` runs every device.
    public var slice = FleetSlice.whole
    /// Local addresses devices bind before connecting (`--source-ip`), device after device; empty: the kernel's choice.
    public var sourceAddresses: [String] = []
    /// MQTT version, persistent sessions and status message expiry of every device.
    public var mqtt = MQTTOptions()
    /// Devices that reach the broker through the reactors' fault proxy (those a scenario's network
    /// faults act on); each costs two more descriptors.
    public var proxiedDevices = ProxiedDevices.none
    /// The group's name when there is one shape (`{group}` in templates).
    public var groupName = FleetConfiguration.defaultGroupName
    /// Where devices publish status and logs and take OTA commands (`device/{id}/…` by default).
    public var topics = TopicLayout.default
    /// Telemetry streams of the fleet; each applies to its group's devices (every device when its
    /// `group` is nil). A stream's place in this list is its `tag` on the devices.
    public var telemetry: [FleetTelemetryStream] = []
    /// Provisioned devices serve their local HTTP API on their own loopback address (nil: not).
    public var deviceHTTP: DeviceHTTPExposure? = nil

    /// The group name of a one-shape fleet.
    public static let defaultGroupName = FleetDefaults.groupName

    /// Each default is `FleetDefaults`', as a scenario or the flags that leave the value out.
    public init(devices: Int = FleetDefaults.devices, idTemplate: String = FleetDefaults.idTemplate,
                chip: ChipModel = FleetDefaults.chip, firmwareVersion: String = FleetDefaults.firmwareVersion,
                heartbeatMs: Int64 = FleetDefaults.heartbeat.milliseconds, qos: Int = FleetDefaults.qos,
                provisioned: Bool = FleetDefaults.provisioned, rampPerSecond: Double = FleetDefaults.rampPerSecond,
                seed: UInt64 = FleetDefaults.seed, durationSeconds: Double = Double(FleetDefaults.steady.microseconds) / 1e6,
                broker: BrokerChoice = .embedded, usernameTemplate: String? = nil, passwordTemplate: String? = nil,
                api: String? = nil, reactors: Int? = nil,
                drainSeconds: Double = FleetDefaults.drainSeconds, scenarioName: String? = nil) {
        self.devices = devices
        self.idTemplate = idTemplate
        self.chip = chip
        self.firmwareVersion = firmwareVersion
        self.heartbeatMs = heartbeatMs
        self.qos = qos
        self.provisioned = provisioned
        self.rampPerSecond = rampPerSecond
        self.seed = seed
        self.durationSeconds = durationSeconds
        self.broker = broker
        self.usernameTemplate = usernameTemplate
        self.passwordTemplate = passwordTemplate
        self.observerUsername = nil
        self.observerPassword = nil
        self.api = api
        self.reactorsSetting = reactors.map { max(1, $0) }
        self.drainSeconds = drainSeconds
        self.timerTickMs = FleetDefaults.timerTickMs
        self.firmwareDirectory = nil
        self.scenarioName = scenarioName
    }

    /// The `index`-th device (0-based): id, MAC and seed follow from the run seed alone.
    public func deviceSpec(_ index: Int) -> DeviceSpec {
        var rng = SeededRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &+ 1)
        let r = rng.next()
        let mac: [UInt8] = [0x24, 0x0A, 0xC4, UInt8(truncatingIfNeeded: r >> 16), UInt8(truncatingIfNeeded: r >> 8),
                            UInt8(truncatingIfNeeded: r)]
        let macText = mac.map { String(printf: "%02x", $0) }.joined()
        let id = FleetConfiguration.expand(idTemplate, n: index + 1, id: nil, chip: chip.idPrefix, mac: macText)
        var spec = DeviceSpec(
            index: index, id: id, mac: mac, chip: chip, firmwareVersion: firmwareVersion, heartbeatMs: heartbeatMs, qos: qos,
            provisioned: provisioned,
            username: usernameTemplate.map { FleetConfiguration.expand($0, n: index + 1, id: id, chip: chip.idPrefix, mac: macText) },
            password: passwordTemplate.map { FleetConfiguration.expand($0, n: index + 1, id: id, chip: chip.idPrefix, mac: macText) },
            seed: rng.next())
        spec.keepAliveSeconds = keepAliveSeconds
        spec.group = groupName
        shapes?.apply(to: &spec)
        let place = placeholders(of: spec)
        spec.topics = topics.deviceTemplates(place)
        if !telemetry.isEmpty { spec.telemetry = deviceTelemetry(place) }
        return spec
    }

    /// The values of the topic placeholders for device `index`.
    public func placeholders(_ index: Int) -> TopicPlaceholders { placeholders(of: deviceSpec(index)) }

    func placeholders(of spec: DeviceSpec) -> TopicPlaceholders {
        TopicPlaceholders(id: spec.id, n: spec.index - (shapes?.group(of: spec.index)?.range.lowerBound ?? 0) + 1,
                          chip: spec.chip.idPrefix, group: spec.group, mac: hexString(spec.mac))
    }

    /// Device `index`'s status, OTA and logs topics, resolved.
    public func deviceTopics(_ index: Int) -> DeviceTopicNames { topics.names(placeholders(index)) }

    /// Seconds after the ramp's start at which device `index` powers on; nil: it waits for a ramp-up step.
    public func powerOnOffset(_ index: Int) -> Double? {
        if let shapes { return shapes.powerOnOffset(index) }
        return Double(index) / rampPerSecond
    }

    /// Replaces `{n}`, `{n:0W}`, `{id}`, `{chip}` and `{mac}` in `template`.
    public static func expand(_ template: String, n: Int, id: String?, chip: String, mac: String) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let key = rest[rest.index(after: open)..<close]
            switch key {
            case "n": out += String(n)
            case "id": out += id ?? "{id}"
            case "chip": out += chip
            case "mac": out += mac
            default:
                if key.hasPrefix("n:0"), let width = Int(key.dropFirst(3)) {
                    let digits = String(n)
                    out += String(repeating: "0", count: max(0, width - digits.count)) + digits
                } else {
                    out += rest[open...close]
                }
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
