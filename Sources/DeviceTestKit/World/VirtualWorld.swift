import DeviceCore

/// A whole simulated world for firmware tests: one seeded `Simulation` (the clock and every random
/// choice), in-memory links (`Network`), the WiFi around the devices (`RadioEnvironment`), a broker
/// (`MQTTRouter`) and a firmware origin (`FirmwareServer`). Devices join it as `SimulatedDevice`s.
/// Same seed, same calls: the same run, so a failure replays exactly.
public final class VirtualWorld {
    public let simulation: Simulation
    public let network: Network
    public var radio: RadioEnvironment
    public let broker: MQTTRouter
    public let origin: FirmwareServer
    /// The broker's endpoint name on `network`.
    public let brokerEndpoint = "broker"

    /// Devices' reactions to the radio changing under them (an access point going away).
    var radioListeners: [(String) -> Void] = []

    public init(seed: UInt64 = 1, radio: RadioEnvironment = .home, links: LinkConditions = .lan) {
        simulation = Simulation(seed: seed)
        network = Network(simulation: simulation, defaults: links)
        self.radio = radio
        broker = MQTTRouter(simulation: simulation)
        origin = FirmwareServer(simulation: simulation, network: network)
    }

    /// Virtual now.
    public var now: Instant { simulation.now }

    /// Runs the world for `span` of virtual time.
    public func advanceTime(by span: TimeSpan) { simulation.advanceTime(by: span) }

    /// Runs the world until `condition` holds, for at most `limit`. True when it held.
    @discardableResult
    public func run(until condition: () -> Bool, limit: TimeSpan) -> Bool { simulation.run(until: condition, limit: limit) }

    /// A backend client on the broker, subscribed to `filter`, recording what it receives.
    public func listen(to filter: String, as client: String = "backend") -> MessageLog {
        let log = MessageLog()
        _ = broker.connect(client: client, deliver: { [weak log] message in log?.messages.append(message) })
        broker.subscribe(client: client, filter: filter, qos: 1)
        return log
    }

    /// The backend publishes (an OTA command to a device, say). False when the broker is down.
    @discardableResult
    public func publish(_ topic: String, _ payload: String, qos: Int = 1, retain: Bool = false) -> Bool {
        broker.inject(MQTTRouter.Message(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain))
    }

    /// Access point `ssid` goes away for `span`: stations on it lose their link, joins fail.
    public func takeDownAccessPoint(_ ssid: String, for span: TimeSpan) {
        radio.takeDown(ssid, until: now + span)
        simulation.note("radio: " + ssid + " down for " + String(span.milliseconds) + " ms")
        for listener in radioListeners { listener(ssid) }
    }
}

/// What a backend client received, in order.
public final class MessageLog {
    public internal(set) var messages: [MQTTRouter.Message] = []

    init() {}

    /// Messages on `topic`.
    public func on(_ topic: String) -> [MQTTRouter.Message] { messages.filter { $0.topic == topic } }

    /// Payloads on `topic` parsed as JSON (unparsable ones are left out).
    public func json(on topic: String) -> [JSONValue] {
        on(topic).compactMap { try? JSONReader().parse($0.payload) }
    }
}
