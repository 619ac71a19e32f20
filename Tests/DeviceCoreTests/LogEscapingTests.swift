import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Text from outside (an SSID, a version, an action name) reaches log lines with its control
/// characters escaped: it cannot start a forged line or drive a terminal.
final class LogEscapingTests: XCTestCase {
    static let hostile = "evil\nE (0) forged line\r\u{1b}[2J\u{7f}\u{85}\u{2028}\u{202e}end"

    func assertClean(_ lines: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(lines.isEmpty, what, file: file, line: line)
        for text in lines {
            for scalar in text.unicodeScalars {
                let v = scalar.value
                XCTAssertFalse(v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v),
                               what + ": raw U+" + String(v, radix: 16) + " in " + text.debugDescription, file: file, line: line)
            }
        }
    }

    func testAnSSIDWithControlCharactersIsEscapedInTheJoinLogLine() {
        var config = DeviceHarness.config(wifi: WiFiCredentials(ssid: Self.hostile, password: "hunter22"))
        config.streamLogsToMQTT = true
        var h = DeviceHarness(config: config)
        let actions = h.bootOnline()
        let lines = actions.logLines.filter { $0.contains("WiFi connected") }
        assertClean(lines, "join line")
        XCTAssertEqual(lines.first, #"WiFi connected to "evil\nE (0) forged line\r\x1b[2J\x7f\u0085\u2028\u202eend", ip 192.168.1.57, rssi -58"#)
    }

    func testAnActionNameAURLAndAVersionAreEscapedInLogLinesAndOnTheLogsTopic() {
        var config = DeviceHarness.config()
        config.streamLogsToMQTT = true
        var h = DeviceHarness(config: config)
        h.bootOnline()
        let ota = h.device.topics.ota
        var actions = h.send(.mqtt(.message(topic: ota, payload: Array(#"{"action":"re\nboot\u001b[31m"}"#.utf8))))
        actions += h.send(.mqtt(.message(topic: ota, payload: Array(#"{"version":"9.0","url":"http://h/f\u001b[2J.bin"}"#.utf8))))
        assertClean(actions.logLines, "command log lines")
        XCTAssertTrue(actions.logLines.contains { $0.contains(#"unknown action "re\nboot\x1b[31m""#) }, "\(actions.logLines)")
        XCTAssertTrue(actions.logLines.contains { $0.contains(#"http://h/f\x1b[2J.bin"#) }, "\(actions.logLines)")
        let streamed = actions.compactMap { a -> String? in
            guard case .mqttPublish(let p) = a, p.topic == h.device.topics.logs else { return nil }
            return String(decoding: p.payload, as: UTF8.self)
        }
        assertClean(streamed, "logs topic")
        // A version from an image's app descriptor, booted pending verification.
        var booted = DeviceHarness()
        let boot = booted.send(.powerOn(.software, boot: BootInfo(slot: 1, firmwareVersion: "2.0\n\u{1b}[1A", pendingVerify: true)))
        assertClean(boot.logLines, "boot log lines")
        XCTAssertTrue(boot.logLines.contains { $0.contains(#"2.0\n\x1b[1A"#) }, "\(boot.logLines)")
    }

    func testTextWithoutControlCharactersIsUnchanged() {
        XCTAssertEqual(logEscaped("ota: image 1.2.0 verified, booting ota_1 next — ünïcödé ✓"),
                       "ota: image 1.2.0 verified, booting ota_1 next — ünïcödé ✓")
        XCTAssertEqual(logEscaped("a\tb\\c"), #"a\tb\c"#)
    }
}
