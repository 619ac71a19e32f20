import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Every updater state × every input: nothing crashes, the running slot is never written, and
/// otadata changes only on the three transitions that are meant to change it.
final class OTAUpdaterStateTableTests: XCTestCase {
    enum Input: CaseIterable {
        case response200, response206Elsewhere, data, finished, dropped, http500, tick, tickLater, start, confirm, reject
    }

    static let image = TestImages.simple("2.0.0", payload: 20000)

    /// A chip whose updater is in the named state.
    func chip(in state: String) throws -> SimulatedChip<SoftwareCrypto> {
        var chip = SimulatedChip<SoftwareCrypto>(config: OTAConfig(chip: .esp32c6))
        try chip.install(TestImages.simple("1.0.0"), slot: 0)
        try chip.powerOn()
        let request = OTARequest(url: "http://127.0.0.1/fw.bin", version: "2.0.0", origin: .mqttCommand)
        switch state {
        case "idle": break
        case "connecting": chip.start(request, running: "1.0.0")
        case "downloading":
            chip.start(request, running: "1.0.0")
            chip.serve(Self.image, limit: 8000)
        case "retrying":
            chip.start(request, running: "1.0.0")
            chip.serve(Self.image, limit: 8000)
            chip.send(.failed(.connectionLost))
        case "verifying":
            chip.start(request, running: "1.0.0")
            chip.serve(Self.image)
        case "rebooting":
            chip.start(request, running: "1.0.0")
            chip.serve(Self.image)
            chip.runDeadlines()
        case "pending_verify":
            chip.start(request, running: "1.0.0")
            chip.serve(Self.image)
            chip.runDeadlines()
            try chip.powerOn()
        default: XCTFail(state)
        }
        XCTAssertEqual(chip.updater.state.name, state)
        chip.appFlashLog = []
        return chip
    }

    func testEveryStateHandlesEveryInput() throws {
        let states = ["idle", "connecting", "downloading", "retrying", "verifying", "rebooting", "pending_verify"]
        let otadataChanging: Set<String> = ["verifying/tick", "verifying/tickLater", "pending_verify/confirm", "pending_verify/reject"]
        var pairs = 0
        for state in states {
            for input in Input.allCases {
                var chip = try chip(in: state)
                let before = chip.otadata
                let running = chip.boot.index
                let output: OTAUpdater<SoftwareCrypto>.Output
                switch input {
                case .response200: output = chip.updater.handle(.response(status: 200, contentLength: Self.image.count, rangeStart: 0), at: chip.now)
                case .response206Elsewhere: output = chip.updater.handle(.response(status: 206, contentLength: 10, rangeStart: 77), at: chip.now)
                case .data: output = chip.updater.handle(.data(Array(Self.image[0..<4096])), at: chip.now)
                case .finished: output = chip.updater.handle(.finished, at: chip.now)
                case .dropped: output = chip.updater.handle(.failed(.connectionLost), at: chip.now)
                case .http500: output = chip.updater.handle(.failed(.httpStatus(500)), at: chip.now)
                case .tick: output = chip.updater.tick(at: chip.now)
                case .tickLater: output = chip.updater.tick(at: chip.now + .seconds(3600))
                case .start: output = chip.updater.start(OTARequest(url: "http://127.0.0.1/b.bin", version: "3.0.0", origin: .httpUpdate),
                                                          running: "1.0.0", at: chip.now)
                case .confirm: output = chip.updater.confirmRunningImage(at: chip.now)
                case .reject: output = chip.updater.rejectRunningImage(at: chip.now)
                }
                chip.perform(output)
                let actions = output.actions
                pairs += 1
                let label = "\(state)/\(input)"
                let runningSlot = chip.config.partitions.otaSlots[running]
                for op in chip.appFlashLog {
                    let offset: Int
                    switch op { case let .erase(o, _): offset = o; case let .write(o, _): offset = o }
                    XCTAssertFalse(runningSlot.range.contains(offset), label + ": wrote into the running slot")
                }
                if !otadataChanging.contains(label) {
                    XCTAssertEqual(chip.otadata, before, label + ": otadata changed")
                } else {
                    XCTAssertNotEqual(chip.otadata, before, label + ": otadata should change")
                }
                if input == .start && state != "idle" {
                    XCTAssertEqual(chip.updater.state.name, state, label + ": a trigger never disturbs an update or a pending verification")
                }
                if state == "rebooting" {
                    XCTAssertTrue(actions.allSatisfy { if case .log = $0 { return true } else { return false } },
                                  label + ": waiting for the reboot, only logs")
                    XCTAssertNil(output.notice, label + ": the restart was asked for once, on entering the state")
                }
            }
        }
        XCTAssertEqual(pairs, 77)
    }
}
