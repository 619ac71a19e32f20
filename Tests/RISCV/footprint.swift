import DeviceCore

// A firmware-shaped image for measuring DeviceCore: one Device<SoftwareCrypto> behind C entry
// points that footprint_main.c drives (boot, WiFi, MQTT, heartbeats, then one event of every other
// kind). The Swift side cannot see which events arrive, so every path of `Device.handle` is
// compiled and linked, as on a chip; there are no vectors, no printing and no expected text.

nonisolated(unsafe) var device: Device<SoftwareCrypto>? = nil
let epochMillis: Int64 = 1_764_396_000_000

/// Creates the device (an ESP32-C6 with stored credentials); returns 0.
@_cdecl("footprint_create")
public func footprintCreate(_ seed: UInt64) -> Int32 {
    device = Device(config: DeviceConfig(baseMAC: [0x40, 0x4C, 0xCA, 0x5E, 0xC6, 0x01], chip: .esp32c6,
                                         firmwareVersion: "2025.03.25.124759", randomSeed: seed,
                                         wifi: WiFiCredentials(ssid: "fleet-lab", password: "correct horse")))
    return 0
}

/// Delivers event `kind` (see the switch) at `millis` after the epoch; returns the number of
/// actions, counting each status publish as 100 so the caller can check heartbeats happened.
@_cdecl("footprint_step")
public func footprintStep(_ kind: Int32, _ millis: Int64) -> Int32 {
    guard var d = device else { return -1 }
    let event: Event
    switch kind {
    case 0: event = .powerOn(.powerOn, boot: BootInfo(slot: 0, firmwareVersion: "2025.03.25.124759"))
    case 1: event = .tick
    case 2: event = .wifi(.connected(ip: IPv4Address(10, 0, 0, 23), rssi: -61))
    case 3: event = .wifi(.disconnected(.beaconTimeout))
    case 4: event = .wifi(.scanDone([]))
    case 5: event = .mqtt(.connected)
    case 6: event = .mqtt(.disconnected)
    case 7: event = .mqtt(.message(topic: d.topics.ota, payload: Array("{\"action\":\"check\"}".utf8)))
    case 8: event = .httpRequest(id: 1, HTTPRequest(method: .get, path: "/info"))
    case 9: event = .dnsQuery(id: 2, [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1])
    case 10: event = .download(.finished)
    default: event = .mqtt(.published(messageID: Int(kind)))
    }
    let actions = d.handle(event, at: Instant(milliseconds: epochMillis + millis))
    device = d
    var score: Int32 = 0
    for action in actions {
        if case .mqttPublish = action { score += 100 } else { score += 1 }
    }
    return score
}

/// The device's next deadline in milliseconds after the epoch, -1 when it has none.
@_cdecl("footprint_next_deadline")
public func footprintNextDeadline() -> Int64 {
    guard let due = device?.nextDeadline else { return -1 }
    return due.milliseconds - epochMillis
}
