import DeviceCore

/// The virtual clock's origin for every device vector: 2025-11-29 06:00:00 UTC in Unix milliseconds.
let vectorEpoch = Instant(milliseconds: 1_764_396_000_000)

/// The device every scenario uses: an ESP32-C6 with a fixed MAC and seed, running the reference
/// project's 2025.03.25 release, with credentials for the test network.
func vectorDeviceConfig(provisioned: Bool = true) -> DeviceConfig {
    DeviceConfig(baseMAC: [0x40, 0x4C, 0xCA, 0x5E, 0xC6, 0x01], chip: .esp32c6,
                 firmwareVersion: "2025.03.25.124759", projectName: "iot_ota_controller", randomSeed: 7,
                 wifi: provisioned ? WiFiCredentials(ssid: "fleet-lab", password: "correct horse") : nil)
}

/// What the bootloader hands over on a normal boot of ota_0.
let vectorBoot = BootInfo(slot: 0, firmwareVersion: "2025.03.25.124759")

/// Drives a device through its first minute on a healthy network: power-on, WiFi association,
/// CONNACK, the broker's acknowledgement of the first status, and two periodic heartbeats, each
/// at the deadline the device itself asked for. `observe` sees every step while the device is
/// alive (step name, time, actions, next deadline). Used both as a golden vector and by the
/// bare-metal driver to measure the heap a device needs for this cycle.
public func runBootHeartbeatCycle(observe: (_ step: String, _ now: Instant, _ actions: [Action], _ next: Instant?) -> Void) {
    var device = Device<SoftwareCrypto>(config: vectorDeviceConfig())
    var now = vectorEpoch
    func step(_ name: String, _ event: Event, at time: Instant) {
        now = time
        let actions = device.handle(event, at: now)
        observe(name, now, actions, device.nextDeadline)
    }
    step("power-on", .powerOn(.powerOn, boot: vectorBoot), at: vectorEpoch)
    step("wifi-up", .wifi(.connected(ip: IPv4Address(10, 0, 0, 23), rssi: -61)), at: vectorEpoch + .milliseconds(1_200))
    step("connack", .mqtt(.connected), at: vectorEpoch + .milliseconds(1_450))
    step("puback", .mqtt(.published(messageID: 1)), at: vectorEpoch + .milliseconds(1_480))
    for beat in ["heartbeat-1", "heartbeat-2"] {
        guard let due = device.nextDeadline else {
            observe(beat, now, [], nil)
            return
        }
        step(beat, .tick, at: due)
    }
}

/// Renders steps as `name @+ms` (offset from `vectorEpoch`), the actions, and the next deadline.
func renderStep(_ name: String, _ now: Instant, _ actions: [Action], _ next: Instant?) -> String {
    "[" + name + " @+" + dec((now - vectorEpoch).milliseconds) + "]" + renderActions(actions)
        + "\n  next: " + (next.map { "+" + dec(($0 - vectorEpoch).milliseconds) } ?? "none")
}

/// A scripted run: each step is an event at an offset in ms from `vectorEpoch`, or (`at: nil`) a
/// `.tick` at whatever deadline the device asked for.
struct Script {
    var device: Device<SoftwareCrypto>
    var now = vectorEpoch
    var transcript: [String] = []

    init(_ config: DeviceConfig) { device = Device<SoftwareCrypto>(config: config) }

    mutating func send(_ name: String, _ event: Event, atMillis offset: Int64) {
        now = vectorEpoch + .milliseconds(offset)
        let actions = device.handle(event, at: now)
        transcript.append(renderStep(name, now, actions, device.nextDeadline))
    }

    /// A `.tick` at the device's next deadline; records `no deadline` when it has none.
    mutating func tick(_ name: String) {
        guard let due = device.nextDeadline else {
            transcript.append("[" + name + "] no deadline")
            return
        }
        now = due
        let actions = device.handle(.tick, at: now)
        transcript.append(renderStep(name, now, actions, device.nextDeadline))
    }

    var text: String { joined(transcript, "\n") }
}

/// Bytes a `Device` value occupies inline (in a static, a task's stack or its owner's storage),
/// besides what it keeps on the heap; the bare-metal driver reports it next to the heap peak.
public var deviceInlineBytes: Int { MemoryLayout<Device<SoftwareCrypto>>.stride }
