import DeviceCore

/// A device on a virtual clock: time moves only when a test says so, and every action the device
/// returns is recorded. Timers fire exactly at `nextDeadline`, as a well-behaved host delivers them.
/// The smallest rung of the ladder: no chip, no network; `DeviceOnChip` and `VirtualWorld` add those.
public struct DeviceHarness {
    public typealias TestDevice = Device<InsecureTestCrypto>

    /// 2025-11-29 06:00:00 UTC: heartbeats carry realistic epoch timestamps.
    public static let epoch = Simulation.epoch
    public static let mac: [UInt8] = [0x40, 0x4C, 0xCA, 0xA1, 0xB2, 0xC3]
    public static let homeWiFi = WiFiCredentials(ssid: "home", password: "hunter22")
    public static let stationIP = IPv4Address(192, 168, 1, 57)

    public var device: TestDevice
    public var now: Instant
    /// Everything the device asked for, in order.
    public var log: [Action] = []

    public init(config: DeviceConfig = DeviceHarness.config(), start: Instant = DeviceHarness.epoch) {
        device = TestDevice(config: config)
        now = start
    }

    public static func config(seed: UInt64 = 42, wifi: WiFiCredentials? = DeviceHarness.homeWiFi) -> DeviceConfig {
        DeviceConfig(baseMAC: mac, firmwareVersion: "1.0.0", projectName: "iot-controller", randomSeed: seed, wifi: wifi)
    }

    public static let boot = BootInfo(slot: 0, firmwareVersion: "1.0.0")

    /// Delivers `event` now and returns (and records) the device's actions.
    @discardableResult
    public mutating func send(_ event: Event) -> [Action] {
        let actions = device.handle(event, at: now)
        log.append(contentsOf: actions)
        return actions
    }

    /// Moves the clock forward without delivering anything.
    public mutating func advance(by span: TimeSpan) { now = now + span }

    /// Jumps to the device's next deadline and ticks; nil when it has none. A deadline in the past
    /// would make a host spin: that is a firmware bug, and it stops the test.
    @discardableResult
    public mutating func tickAtDeadline() -> [Action]? {
        guard let deadline = device.nextDeadline else { return nil }
        precondition(deadline >= now, "the device asked for a deadline in the past; a host would spin")
        now = max(now, deadline)
        return send(.tick)
    }

    /// Ticks through every deadline up to `now + span`, then moves the clock to that point.
    @discardableResult
    public mutating func run(for span: TimeSpan) -> [Action] {
        let end = now + span
        var actions: [Action] = []
        while let deadline = device.nextDeadline, deadline <= end {
            now = max(now, deadline)
            actions.append(contentsOf: send(.tick))
        }
        now = end
        return actions
    }

    /// Power on, join WiFi, get CONNACK: the device is online. Returns the actions of all three steps.
    @discardableResult
    public mutating func bootOnline(reason: ResetReason = .powerOn, rssi: Int = -58) -> [Action] {
        var actions = send(.powerOn(reason, boot: DeviceHarness.boot))
        actions += send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: rssi)))
        actions += send(.mqtt(.connected))
        return actions
    }

    /// Sends an HTTP request with id `id` and returns the response the device gave to that id now.
    /// A POST carries `Content-Type: application/json` unless `headers` says otherwise.
    public mutating func request(_ method: HTTPMethod, _ path: String, body: String = "", id: UInt32 = 1,
                                 declaredLength: Int? = nil, headers: [HTTPHeader]? = nil) -> HTTPResponse? {
        let sent = headers ?? (method == .post ? [DeviceHarness.json] : [])
        let actions = send(.httpRequest(id: id, HTTPRequest(method: method, path: path, headers: sent, body: Array(body.utf8),
                                                            declaredLength: declaredLength)))
        return actions.response(to: id)
    }

    public static let json = HTTPHeader("Content-Type", "application/json")
}

extension Array where Element == Action {
    /// The HTTP response to request `id` among these actions.
    public func response(to id: UInt32) -> HTTPResponse? {
        for case .httpRespond(let rid, let response) in self where rid == id { return response }
        return nil
    }

    /// Publishes, in order.
    public var publishes: [MQTTPublish] {
        compactMap { if case .mqttPublish(let p) = $0 { return p } else { return nil } }
    }

    /// Publishes on `topic`, in order.
    public func publishes(on topic: String) -> [MQTTPublish] { publishes.filter { $0.topic == topic } }

    public var mqttConnects: Int { filter { if case .mqttConnect = $0 { return true } else { return false } }.count }
    public var wifiConnects: Int { filter { if case .wifiConnect = $0 { return true } else { return false } }.count }

    /// Log lines, as text.
    public var logLines: [String] { compactMap { if case .log(_, let text) = $0 { return text } else { return nil } } }

    public func containsReboot(_ reason: ResetReason) -> Bool { contains(.reboot(reason)) }
}

extension MQTTPublish {
    /// The payload parsed as JSON; `.null` when it is not JSON (so the test's next assertion on a
    /// field fails and shows it). `file`/`line` are kept for call sites written for XCTest.
    public func json(file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        (try? JSONReader().parse(payload)) ?? .null
    }

    public var text: String { String(decoding: payload, as: UTF8.self) }
}

extension HTTPResponse {
    public var json: JSONValue? { try? JSONReader().parse(body) }
    public var text: String { String(decoding: body, as: UTF8.self) }
}
