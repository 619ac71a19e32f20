import DeviceCore

/// The device state machine end to end: boot to heartbeat, reconnect backoff with seeded full
/// jitter, OTA commands over MQTT, the local web server and events that are illegal in a state.
func deviceVectors(_ emit: (String, String) -> Void) {
    var cycle: [String] = []
    runBootHeartbeatCycle { name, now, actions, next in cycle.append(renderStep(name, now, actions, next)) }
    emit("device.boot-to-heartbeat", joined(cycle, "\n"))

    statusReadBackVectors(emit)

    let backoff = vectorDeviceConfig().backoff
    var random = SeededRandom(seed: 7)
    var delays: [String] = []
    for failures in 0..<12 {
        delays.append(dec(failures) + ":" + dec(backoff.delay(afterFailures: failures, using: &random).milliseconds)
                      + "/" + dec(backoff.ceiling(afterFailures: failures).milliseconds))
    }
    delays.append("huge:" + dec(backoff.ceiling(afterFailures: Int.max).milliseconds))
    emit("backoff.full-jitter.seed7", joined(delays, " "))

    var wifiDown = Script(vectorDeviceConfig())
    wifiDown.send("power-on", .powerOn(.powerOn, boot: vectorBoot), atMillis: 0)
    for attempt in 1...6 {
        wifiDown.send("no-ap-" + dec(attempt), .wifi(.connectFailed(.noAPFound)),
                      atMillis: (wifiDown.now - vectorEpoch).milliseconds + 3_000)
        wifiDown.tick("retry-" + dec(attempt))
    }
    emit("device.wifi-retry-backoff", wifiDown.text)

    var broker = Script(vectorDeviceConfig())
    broker.send("power-on", .powerOn(.software, boot: vectorBoot), atMillis: 0)
    broker.send("wifi-up", .wifi(.connected(ip: IPv4Address(10, 0, 0, 23), rssi: -70)), atMillis: 900)
    broker.send("refused", .mqtt(.connectFailed(code: 5)), atMillis: 950)
    broker.tick("retry")
    broker.send("connack", .mqtt(.connected), atMillis: (broker.now - vectorEpoch).milliseconds + 40)
    broker.send("broker-gone", .mqtt(.disconnected), atMillis: 20_000)
    broker.tick("reconnect")
    broker.send("wifi-lost", .wifi(.disconnected(.beaconTimeout)), atMillis: 25_000)
    emit("device.mqtt-refused-and-lost", broker.text)

    var ota = Script(vectorDeviceConfig())
    ota.send("power-on", .powerOn(.powerOn, boot: vectorBoot), atMillis: 0)
    ota.send("wifi-up", .wifi(.connected(ip: IPv4Address(10, 0, 0, 23), rssi: -61)), atMillis: 1_000)
    ota.send("connack", .mqtt(.connected), atMillis: 1_100)
    let otaTopic = ota.device.topics.ota
    ota.send("ota-garbage", .mqtt(.message(topic: otaTopic, payload: Array("{\"url\":42}".utf8))), atMillis: 2_000)
    ota.send("ota-wrong-topic", .mqtt(.message(topic: "device/other/ota", payload: Array("{}".utf8))), atMillis: 2_100)
    ota.send("ota-check", .mqtt(.message(topic: otaTopic, payload: Array("{\"action\":\"check\"}".utf8))), atMillis: 2_200)
    ota.send("ota-install", .mqtt(.message(topic: otaTopic, payload: Array(
        ("{\"version\":\"v2025.04.01.000000\",\"url\":\"http://127.0.0.1:8080/fw.bin\","
         + "\"sha256\":\"f89344d2b7021d30001c4fd90f3a50fb2d6518cef4e7d444ef2ee76717e4bf32\",\"size\":1071616}").utf8))),
             atMillis: 2_300)
    emit("device.ota-commands", ota.text)

    var web = Script(vectorDeviceConfig())
    web.send("power-on", .powerOn(.powerOn, boot: vectorBoot), atMillis: 0)
    web.send("wifi-up", .wifi(.connected(ip: IPv4Address(10, 0, 0, 23), rssi: -61)), atMillis: 1_000)
    web.send("get-version", .httpRequest(id: 1, HTTPRequest(method: .get, path: "/version")), atMillis: 1_500)
    web.send("get-info", .httpRequest(id: 2, HTTPRequest(method: .get, path: "/info")), atMillis: 1_600)
    web.send("get-missing", .httpRequest(id: 3, HTTPRequest(method: .get, path: "/nope")), atMillis: 1_700)
    web.send("delete-info", .httpRequest(id: 4, HTTPRequest(method: .delete, path: "/info")), atMillis: 1_800)
    web.send("update-too-big", .httpRequest(id: 5, HTTPRequest(method: .post, path: "/update", body: [],
                                                                 declaredLength: 1 << 20)), atMillis: 1_900)
    let json = [HTTPHeader("Content-Type", "application/json")]
    web.send("update-bad-json", .httpRequest(id: 6, HTTPRequest(method: .post, path: "/update", headers: json,
                                                                  body: Array("{\"url\":".utf8))), atMillis: 2_000)
    web.send("update-text-plain", .httpRequest(id: 8, HTTPRequest(method: .post, path: "/test_update",
                                                                    headers: [HTTPHeader("Content-Type", "text/plain")],
                                                                    body: Array("{\"url\":\"http://x/f.bin\"}".utf8))),
             atMillis: 2_050)
    web.send("post-reboot", .httpRequest(id: 7, HTTPRequest(method: .post, path: "/reboot", headers: json)), atMillis: 2_100)
    web.tick("reboot-due")
    web.send("power-on-again", .powerOn(.software, boot: vectorBoot), atMillis: 3_000)
    emit("device.local-endpoints", web.text)

    var illegal = Script(vectorDeviceConfig())
    illegal.send("connack-while-off", .mqtt(.connected), atMillis: 0)
    illegal.send("tick-while-off", .tick, atMillis: 1)
    illegal.send("power-on", .powerOn(.brownout, boot: vectorBoot), atMillis: 10)
    illegal.send("connack-before-wifi", .mqtt(.connected), atMillis: 20)
    illegal.send("dns-in-station-mode", .dnsQuery(id: 9, [0x12, 0x34]), atMillis: 30)
    illegal.send("unasked-scan", .wifi(.scanDone([])), atMillis: 40)
    illegal.send("download-without-update", .download(.finished), atMillis: 50)
    emit("device.illegal-events", illegal.text)

    var ap = Script(vectorDeviceConfig(provisioned: false))
    ap.send("power-on-unprovisioned", .powerOn(.powerOn, boot: BootInfo(slot: nil, firmwareVersion: "1.0.0")), atMillis: 0)
    ap.send("wifi-event-in-ap", .wifi(.connected(ip: IPv4Address(10, 0, 0, 2), rssi: -40)), atMillis: 10)
    emit("device.unprovisioned-boot", ap.text)
}
