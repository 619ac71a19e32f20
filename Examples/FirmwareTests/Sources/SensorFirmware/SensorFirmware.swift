import DeviceCore

/// A team's firmware: DeviceCore's `Device` (WiFi, MQTT, heartbeat, OTA, rollback) plus a sensor
/// task that samples the thermistor every `sampleInterval`, persists its lifetime sample count
/// every `persistEvery` samples (`SampleCounter`, power-cut safe) and reports
/// `"sensor":{"t_dc":…,"samples":…,"total":…}` (tenths of a degree Celsius) inside every status
/// message. Sans-IO like the core:
/// events in, actions out, a deadline for the next tick.
public struct SensorFirmware<Crypto: DeviceCrypto> {
    public private(set) var core: Device<Crypto>
    public let thermistor: Thermistor
    public let sampleInterval: TimeSpan
    public let persistEvery: Int
    /// Samples since this power-on, and the last reading.
    public private(set) var samples = 0
    public private(set) var lastCelsius: Double?
    public private(set) var counter = SampleCounter()
    private var nextSample: Instant?

    public init(config: DeviceConfig, thermistor: Thermistor = Thermistor(), sampleInterval: TimeSpan = .seconds(2),
                persistEvery: Int = 10) {
        core = Device(config: config)
        self.thermistor = thermistor
        self.sampleInterval = sampleInterval
        self.persistEvery = persistEvery
    }

    /// Samples counted over the device's whole life (persisted plus since the last persist).
    public var lifetimeSamples: UInt64 { counter.persisted + UInt64(samples % persistEvery) }

    /// The app's start-up read of its data partition (before `.powerOn` reaches it).
    public mutating func starting<Flash: FlashMemory>(from flash: Flash) {
        counter.restore(from: flash)
    }

    public var nextDeadline: Instant? {
        guard let s = nextSample else { return core.nextDeadline }
        return core.nextDeadline.map { min($0, s) } ?? s
    }

    public mutating func handle(_ event: Event, at now: Instant) -> [Action] {
        if case .powerOn = event {
            samples = 0
            lastCelsius = nil
            nextSample = now + sampleInterval
        }
        var actions = core.handle(event, at: now)
        if case .reboot? = actions.last { nextSample = nil }  // going down: nothing more to sample
        if case .tick = event, let due = nextSample, due <= now, !core.reportedState.isOff {
            lastCelsius = thermistor.read(at: now)
            samples += 1
            nextSample = due + sampleInterval
            if samples % persistEvery == 0 { actions += counter.persist(counter.persisted + UInt64(persistEvery)) }
        }
        return actions.map(annotate)
    }

    /// A status publish gets the sensor object appended; everything else passes unchanged.
    private func annotate(_ action: Action) -> Action {
        guard case .mqttPublish(var p) = action, p.topic == core.topics.status, p.messageID != nil,
              case .object(var members)? = try? JSONReader().parse(p.payload) else { return action }
        var sensor: [JSONMember] = [
            JSONMember("samples", .int(samples)),
            JSONMember("total", .int(Int64(lifetimeSamples))),
        ]
        if let c = lastCelsius { sensor.insert(JSONMember("t_dc", .int(Int64((c * 10).rounded()))), at: 0) }
        members.append(JSONMember("sensor", .object(sensor)))
        p.payload = JSONValue.object(members).encodedBytes()
        return .mqttPublish(p)
    }
}

extension ReportedState {
    var isOff: Bool { self == .off }
}
