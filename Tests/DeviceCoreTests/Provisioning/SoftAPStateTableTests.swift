import XCTest
@testable import DeviceCore

/// Every phase of the provisioning service × every kind of input, with the phase it must end in.
/// Inputs that are not legal in a phase leave it unchanged (an error status, a refusal, or a log
/// line); none traps.
final class SoftAPStateTableTests: XCTestCase {
    enum Input: String, CaseIterable {
        case setConfig, apply, reset, reprov, getStatus, connected, authFailed, beaconLost, tick
    }

    /// A service driven into `phase` through its real inputs.
    func service(in phase: String) -> SoftAPHarness {
        var h = SoftAPHarness()
        _ = h.openSession()
        if phase == "awaiting_credentials" { return h }
        _ = h.setConfig("home", "hunter22")
        _ = h.apply()
        if phase == "join_scheduled" { return h }
        h.tickAtDeadline()
        if phase == "joining" { return h }
        if phase == "failed" {
            h.send(.station(.connectFailed(.authFailed)))
            return h
        }
        h.send(.station(.connected(ip: IPv4Address(10, 0, 0, 2), rssi: -50)))
        if phase == "joined" { return h }
        _ = h.status()
        if phase == "stopping" { return h }
        h.tickAtDeadline()
        return h
    }

    static let phases = ["awaiting_credentials", "join_scheduled", "joining", "failed", "joined", "stopping", "stopped"]

    /// The phase each input leads to from each phase (`=` for unchanged).
    static let table: [String: [Input: String]] = [
        "awaiting_credentials": [.apply: "join_scheduled"],
        "join_scheduled": [.tick: "joining"],
        "joining": [.connected: "joined", .authFailed: "failed", .beaconLost: "joining"],
        "failed": [.reset: "awaiting_credentials"],
        "joined": [.getStatus: "stopping", .authFailed: "failed", .beaconLost: "joining", .tick: "stopping"],
        "stopping": [.tick: "stopped"],
        "stopped": [:],
    ]

    func apply(_ input: Input, to h: inout SoftAPHarness) {
        switch input {
        case .setConfig: _ = h.setConfig("office", "correct horse")
        case .apply:
            _ = h.setConfig("office", "correct horse")
            _ = h.apply()
        case .reset: _ = h.ctrl(WiFiCtrlPayload.typeCmdCtrlReset)
        case .reprov: _ = h.ctrl(WiFiCtrlPayload.typeCmdCtrlReprov)
        case .getStatus: _ = h.status()
        case .connected: h.send(.station(.connected(ip: IPv4Address(10, 0, 0, 9), rssi: -40)))
        case .authFailed: h.send(.station(.connectFailed(.authFailed)))
        case .beaconLost: h.send(.station(.disconnected(.beaconTimeout)))
        case .tick:
            if let due = h.service.deadline { h.now = max(h.now, due) }
            h.send(.tick)
        }
    }

    func testEveryPhaseTimesEveryInputEndsWhereTheTableSays() {
        for phase in Self.phases {
            for input in Input.allCases {
                var h = service(in: phase)
                XCTAssertEqual(h.service.phaseName, phase, "setting up " + phase)
                apply(input, to: &h)
                let expected = Self.table[phase]?[input] ?? phase
                XCTAssertEqual(h.service.phaseName, expected, phase + " × " + input.rawValue)
            }
        }
    }

    func testIllegalControlCommandsAnswerInternalErrorInEveryPhaseThatRefusesThem() {
        for phase in Self.phases where phase != "stopped" {
            var h = service(in: phase)
            XCTAssertEqual(h.ctrl(WiFiCtrlPayload.typeCmdCtrlReprov), internalError, phase + ": reprov with auto-stop on")
            if phase != "failed" {
                XCTAssertEqual(h.ctrl(WiFiCtrlPayload.typeCmdCtrlReset), internalError, phase + ": reset outside a failure")
            }
        }
    }

    func testStationEventsOutsideAJoinAreIgnoredWithALogLine() {
        for phase in ["awaiting_credentials", "join_scheduled", "failed", "stopping", "stopped"] {
            var h = service(in: phase)
            let out = h.send(.station(.connected(ip: IPv4Address(10, 0, 0, 9), rssi: -40)))
            XCTAssertNil(out.storage, phase)
            XCTAssertTrue(out.actions.allSatisfy { if case .log = $0 { return true } else { return false } }, phase)
        }
    }
}
