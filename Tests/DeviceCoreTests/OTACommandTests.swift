import XCTest
@testable import DeviceCore
import DeviceTestKit

final class OTACommandParserTests: XCTestCase {
    let parser = OTACommandParser()

    func parse(_ text: String) throws(OTACommandError) -> OTACommand { try parser.command(Array(text.utf8)) }

    func error(_ text: String) -> OTACommandError? {
        do { _ = try parse(text); return nil } catch { return error }
    }

    func testInstallCommandWithEveryField() throws {
        let digest = "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff"
        let command = try parse(#"{"version":"v1.2.0","url":"http://127.0.0.1/fw.bin","sha256":"\#(digest)","size":123456}"#)
        XCTAssertEqual(command, .install(OTARequest(url: "http://127.0.0.1/fw.bin", version: "v1.2.0",
                                                    sha256: bytesFromHex(digest), size: 123456, origin: .mqttCommand)))
    }

    func testOptionalFieldsMayBeAbsentOrNull() throws {
        XCTAssertEqual(try parse(#"{"url":"https://h/f","version":null,"sha256":null,"size":null}"#),
                       .install(OTARequest(url: "https://h/f", version: nil, origin: .mqttCommand)))
    }

    func testCheckActionAsksForTheManifest() throws {
        XCTAssertEqual(try parse(#"{"action":"check"}"#), .checkManifest)
    }

    func testBadCommandsGetTypedErrors() {
        XCTAssertEqual(error("bogus"), .malformedJSON(.unexpectedByte(UInt8(ascii: "b"), offset: 0)))
        XCTAssertEqual(error(#""url""#), .notAnObject)
        XCTAssertEqual(error(#"{"version":"1"}"#), .missingField("url"))
        XCTAssertEqual(error(#"{"url":null}"#), .missingField("url"))
        XCTAssertEqual(error(#"{"url":"http://h/f","sha256":"zz"}"#), .badSHA256)
        XCTAssertEqual(error(#"{"url":"http://h/f","sha256":"\#(String(repeating: "g", count: 64))"}"#), .badSHA256)
        XCTAssertEqual(error(#"{"url":"http://h/f","sha256":"\#(String(repeating: "a", count: 62))"}"#), .badSHA256)
        XCTAssertEqual(error(#"{"url":"http://h/f","size":-5}"#), .negativeSize)
        XCTAssertEqual(error(#"{"url":"http://h/f","size":1.5}"#), .wrongType(field: "size"))
        XCTAssertEqual(error(#"{"url":"http://h/f","version":2}"#), .wrongType(field: "version"))
        XCTAssertEqual(error(#"{"url":"http://"}"#), .unsupportedURL("http://"))
        XCTAssertEqual(error(#"{"action":"reboot"}"#), .unknownAction("reboot"))
        XCTAssertEqual(error(#"{"action":1}"#), .wrongType(field: "action"))
    }

    func testOversizedAndDeepInputIsRefusedBeforeParsing() {
        let small = OTACommandParser(maxBytes: 64)
        let long = #"{"url":"http://h/"# + String(repeating: "x", count: 64) + #""}"#
        XCTAssertThrowsError(try small.command(Array(long.utf8))) { error in
            XCTAssertEqual(error as? OTACommandError, .malformedJSON(.tooLarge(limit: 64)))
        }
        let deep = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        XCTAssertEqual(error(deep), .malformedJSON(.tooDeep(limit: 8)))
    }

    func testManifestOfTheReferenceBackend() throws {
        let manifest = try parser.manifest(Array(
            #"{"version":"v2025.03.25.155052","firmware_url":"http://127.0.0.1:9000/firmware/fw.bin","released":"2025-03-25T15:50:52Z","notes":"fixes"}"#.utf8))
        XCTAssertEqual(manifest.version, "v2025.03.25.155052")
        XCTAssertEqual(manifest.bareVersion, "2025.03.25.155052")
        XCTAssertEqual(manifest.released, "2025-03-25T15:50:52Z")
        XCTAssertEqual(manifest.notes, "fixes")
        XCTAssertEqual(manifest.request(), OTARequest(url: "http://127.0.0.1:9000/firmware/fw.bin",
                                                      version: "v2025.03.25.155052", origin: .manifest))
        XCTAssertEqual(try parser.manifest(Array(#"{"version":"1.2.0","firmware_url":"https://h/f"}"#.utf8)).bareVersion, "1.2.0")
    }

    func testManifestWithoutFirmwareURLIsRefused() {
        XCTAssertThrowsError(try parser.manifest(Array(#"{"version":"1.2.0","url":"http://h/f"}"#.utf8))) { error in
            XCTAssertEqual(error as? OTACommandError, .missingField("firmware_url"))
        }
        XCTAssertThrowsError(try parser.manifest(Array(#"{"firmware_url":"http://h/f"}"#.utf8))) { error in
            XCTAssertEqual(error as? OTACommandError, .missingField("version"))
        }
    }
}

/// OTA commands arriving over MQTT, through the whole device.
final class OTACommandDeliveryTests: XCTestCase {
    let otaTopic = "device/esp32c6-a1b2c3/ota"

    func testValidCommandReachesTheUpdater() {
        var h = DeviceHarness()
        h.bootOnline()
        let actions = h.send(.mqtt(.message(topic: otaTopic, payload: Array(#"{"url":"http://h/fw.bin","version":"1.1"}"#.utf8))))
        XCTAssertTrue(actions.contains(.startDownload(url: "http://h/fw.bin", rangeStart: 0)))
        XCTAssertEqual(h.device.reportedState, .updating)
    }

    func testMalformedCommandIsLoggedAndChangesNothing() {
        var h = DeviceHarness()
        h.bootOnline()
        let before = h.device.nextDeadline
        let actions = h.send(.mqtt(.message(topic: otaTopic, payload: Array(#"{"url":"http://h/f","size":-1}"#.utf8))))
        XCTAssertEqual(actions, [.log(.warning, "OTA command rejected: size must not be negative")])
        XCTAssertEqual(h.device.counters.rejectedCommands, 1)
        XCTAssertEqual(h.device.reportedState, .online)
        XCTAssertEqual(h.device.nextDeadline, before)
    }

    func testMessagesOnOtherTopicsAreIgnored() {
        var h = DeviceHarness()
        h.bootOnline()
        let actions = h.send(.mqtt(.message(topic: "device/other/ota", payload: Array(#"{"url":"http://h/f"}"#.utf8))))
        XCTAssertEqual(actions, [.log(.warning, "ignored MQTT message on unknown topic device/other/ota (state online)")])
    }

    func testMessagesWhileNotConnectedAreIgnored() {
        var h = DeviceHarness()
        h.send(.powerOn(.powerOn, boot: DeviceHarness.boot))
        h.send(.wifi(.connected(ip: DeviceHarness.stationIP, rssi: -50)))
        let actions = h.send(.mqtt(.message(topic: otaTopic, payload: Array(#"{"url":"http://h/f"}"#.utf8))))
        XCTAssertEqual(actions, [.log(.warning, "ignored MQTT message while not connected (state connecting)")])
        XCTAssertEqual(h.device.counters.ignoredEvents, 1)
    }
}
