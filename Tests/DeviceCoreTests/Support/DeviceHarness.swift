import XCTest
@testable import DeviceCore

/// A device on a virtual clock: time moves only when a test says so, and every action the device
/// returns is recorded. Timers fire exactly at `nextDeadline`, as a well-behaved host delivers them.
struct DeviceHarness {
    typealias TestDevice = Device<InsecureTestCrypto>

    /// 2025-11-29 06:00:00 UTC: heartbeats carry realistic epoch timestamps.
    static let epoch = Instant(milliseconds: 1_764_396_000_000)
    static let mac: [UInt8] = [0x40, 0x4C, 0xCA, 0xA1, 0xB2, 0xC3]
    static let homeWiFi = WiFiCredentials(ssid: "home", password: "hunter22")
    static let stationIP = IPv4Address(192, 168, 1, 57)

    var device: TestDevice
    var now: Instant
    /// Everything the device asked for, in order.
    var log: [Action] = []

    init(config: DeviceConfig = DeviceHarness.config(), start: Instant = DeviceHarness.epoch) {
        device = TestDevice(config: config)
        now = start
    }

    static func config(seed: UInt64 = 42, wifi: WiFiCredentials? = DeviceHarness.homeWiFi) -> DeviceConfig {
        DeviceConfig(baseMAC: mac, firmwareVersion: "1.0.0", projectName: "iot-controller", randomSeed: seed, wifi: wifi)
    }

    static let boot = BootInfo(slot: 0, firmwareVersion: "1.0.0")

    /// Delivers `event` now and returns (and records) the device's actions.
    @discardableResult
    mutating func send(_ event: Event) -> [Action] {
        let actions = device.handle(event, at: now)
        log.append(contentsOf: actions)
        return actions
    }

    /// Moves the clock forward without delivering anything.
    mutating func advance(by span: TimeSpan) { now = now + span }

    /// Jumps to the device's next deadline and ticks; nil when it has none.
    @discardableResult
    mutating func tickAtDeadline() -> [Action]? {
        guard let deadline = device.nextDeadline else { return nil }
        XCTAssertGreaterThanOrEqual(deadline, now, "a deadline in the past would make a host spin")
        now = max(now, deadline)
        return send(.tick)
    }

    /// Ticks through every deadline up to `now + span`, then moves the clock to that point.
    @discardableResult
    mutating func run(for span: TimeSpan) -> [Action] {
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
    mutating func bootOnline(reason: ResetReason = .powerOn, rssi: Int = -58) -> [Action] {
        var actions = send(.powerOn(reason, boot: DeviceHarness.boot))
        actions += send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: rssi)))
        actions += send(.mqtt(.connected))
        return actions
    }

    /// Sends an HTTP request with id `id` and returns the response the device gave to that id now.
    /// A POST carries `Content-Type: application/json` unless `headers` says otherwise.
    mutating func request(_ method: HTTPMethod, _ path: String, body: String = "", id: UInt32 = 1,
                          declaredLength: Int? = nil, headers: [HTTPHeader]? = nil) -> HTTPResponse? {
        let sent = headers ?? (method == .post ? [DeviceHarness.json] : [])
        let actions = send(.httpRequest(id: id, HTTPRequest(method: method, path: path, headers: sent, body: Array(body.utf8),
                                                            declaredLength: declaredLength)))
        return actions.response(to: id)
    }

    static let json = HTTPHeader("Content-Type", "application/json")
}

extension Array where Element == Action {
    /// The HTTP response to request `id` among these actions.
    func response(to id: UInt32) -> HTTPResponse? {
        for case .httpRespond(let rid, let response) in self where rid == id { return response }
        return nil
    }

    /// Publishes, in order.
    var publishes: [MQTTPublish] {
        compactMap { if case .mqttPublish(let p) = $0 { return p } else { return nil } }
    }

    /// Publishes on `topic`, in order.
    func publishes(on topic: String) -> [MQTTPublish] { publishes.filter { $0.topic == topic } }

    var mqttConnects: Int { filter { if case .mqttConnect = $0 { return true } else { return false } }.count }
    var wifiConnects: Int { filter { if case .wifiConnect = $0 { return true } else { return false } }.count }

    /// Log lines, as text.
    var logLines: [String] { compactMap { if case .log(_, let text) = $0 { return text } else { return nil } } }

    func containsReboot(_ reason: ResetReason) -> Bool { contains(.reboot(reason)) }
}

extension MQTTPublish {
    /// The payload parsed as JSON (fails the test when it is not).
    func json(file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        do { return try JSONReader().parse(payload) } catch {
            XCTFail("payload is not JSON: " + String(decoding: payload, as: UTF8.self), file: file, line: line)
            return .null
        }
    }

    var text: String { String(decoding: payload, as: UTF8.self) }
}

extension HTTPResponse {
    var json: JSONValue? { try? JSONReader().parse(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}
