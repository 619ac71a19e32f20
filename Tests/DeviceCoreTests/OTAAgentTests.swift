import XCTest
@testable import DeviceCore
import DeviceTestKit

/// The OTA agent on its own: each refusal typed in the answer of the event that caused it, every
/// illegal event refused without a change, and no allocation while idle.
final class OTAAgentTests: XCTestCase {
    typealias Agent = OTAAgent<InsecureTestCrypto>
    static let manifestURL = "http://127.0.0.1:8080/manifest.json"
    static let imageURL = "http://127.0.0.1:8080/fw.bin"
    let epoch = Instant(milliseconds: 1_000_000)

    /// A device online with a manifest URL (polling off), whose agent and context the tests drive.
    func onlineDevice(manifestURL: String? = OTAAgentTests.manifestURL) -> DeviceHarness {
        var config = DeviceHarness.config()
        config.manifestURL = manifestURL
        var h = DeviceHarness(config: config)
        h.bootOnline()
        return h
    }

    func send(_ event: Agent.Event, to h: inout DeviceHarness) -> Agent.Output {
        var random = SeededRandom(seed: 1)
        var counters = DeviceCounters()
        let context = h.device.otaContext
        return h.device.ota.handle(event, at: h.now, device: context, random: &random, counters: &counters)
    }

    func install(_ version: String) -> Agent.Event {
        .install(OTARequest(url: Self.imageURL, version: version, origin: .mqttCommand))
    }

    func testAnIdleDeviceHoldsNoOTAAllocation() {
        let h = onlineDevice()
        XCTAssertFalse(h.device.ota.isAllocated, "booted and online, no update: nothing out of line")
        XCTAssertNil(h.device.ota.updater)
        XCTAssertFalse(h.device.ota.isTransferring)
        XCTAssertNil(h.device.ota.heartbeatObject)
    }

    func testTheWorkingStateIsAllocatedByACheckAndDroppedWhenTheAgentIsIdleAgain() {
        var h = onlineDevice()
        let check = send(.checkManifest, to: &h)
        XCTAssertNil(check.refusal)
        XCTAssertEqual(check.actions.last, .startDownload(url: Self.manifestURL, rangeStart: 0))
        XCTAssertTrue(h.device.ota.isAllocated)
        XCTAssertTrue(h.device.ota.isCheckingManifest)
        _ = send(.download(.response(status: 200, contentLength: nil, rangeStart: 0)), to: &h)
        _ = send(.download(.data(Array(#"{"version":"1.0.0","firmware_url":"http://h/f.bin"}"#.utf8))), to: &h)
        let done = send(.download(.finished), to: &h)
        XCTAssertNil(done.refusal, "up to date is an answer, not a refusal")
        XCTAssertFalse(h.device.ota.isAllocated, "up to date: the box is freed")
        XCTAssertFalse(h.device.ota.isCheckingManifest)
    }

    func testARefusedUpdateKeepsItsResultUntilTheStatusCarriedItThenFreesTheBox() {
        var h = onlineDevice()
        let refused = send(install("0.0.1"), to: &h)
        guard case .update(.notNewer)? = refused.refusal else { return XCTFail("\(String(describing: refused.refusal))") }
        XCTAssertEqual(refused.refusal?.httpStatus, 400)
        XCTAssertTrue(h.device.ota.isAllocated, "a result is owed to the status topic")
        XCTAssertEqual(h.device.ota.heartbeatObject?["state"]?.stringValue, "failed")
        h.device.ota.statusPublished()
        XCTAssertNil(h.device.ota.heartbeatObject)
        XCTAssertFalse(h.device.ota.isAllocated, "reported once: nothing left to hold")
    }

    func testADownloadEventWithNothingDownloadingIsRefusedAsIllegal() {
        var h = onlineDevice()
        let out = send(.download(.data([1, 2, 3])), to: &h)
        XCTAssertEqual(out.refusal, .nothingDownloading)
        XCTAssertEqual(out.actions, [])
        XCTAssertFalse(h.device.ota.isAllocated, "an illegal event allocates nothing")
    }

    func testAnInstallDuringAManifestCheckIsRefusedAsBusyAndTheCheckGoesOn() {
        var h = onlineDevice()
        _ = send(.checkManifest, to: &h)
        let out = send(install("9.0.0"), to: &h)
        XCTAssertEqual(out.refusal, .checkingManifest)
        XCTAssertEqual(out.refusal?.httpStatus, 409)
        XCTAssertFalse(out.actions.contains { if case .startDownload = $0 { return true } else { return false } })
        XCTAssertTrue(h.device.ota.isCheckingManifest, "the check still owns the channel")
    }

    func testASecondInstallDuringAnUpdateIsRefusedWithTheUpdatersState() {
        var h = onlineDevice()
        XCTAssertNil(send(install("9.0.0"), to: &h).refusal)
        XCTAssertTrue(h.device.ota.isTransferring)
        let second = send(install("9.1.0"), to: &h)
        XCTAssertEqual(second.refusal, .updateInProgress(state: "connecting"))
        let check = send(.checkManifest, to: &h)
        XCTAssertEqual(check.refusal, .updateInProgress(state: "connecting"), "a check waits for the update too")
        XCTAssertEqual(h.device.ota.updater?.state.name, "connecting")
    }

    func testACheckWithoutAManifestURLIsRefusedAndAllocatesNothing() {
        var h = onlineDevice(manifestURL: nil)
        let out = send(.checkManifest, to: &h)
        XCTAssertEqual(out.refusal, .noManifestURL)
        XCTAssertEqual(out.refusal?.reason, "no manifest URL configured")
        XCTAssertFalse(h.device.ota.isAllocated)
    }

    func testRequestsInAccessPointModeAreRefusedForWantOfANetwork() {
        var config = DeviceHarness.config(wifi: nil)
        config.manifestURL = Self.manifestURL
        var h = DeviceHarness(config: config)
        h.send(.powerOn(.powerOn, boot: BootInfo(slot: 0, firmwareVersion: "1.0.0")))
        XCTAssertEqual(send(install("9.0.0"), to: &h).refusal, .noNetwork)
        XCTAssertEqual(send(.checkManifest, to: &h).refusal, .noNetwork)
        XCTAssertFalse(h.device.ota.isAllocated)
    }

    func testAFailedManifestDownloadIsARefusalNamingItsKind() {
        var h = onlineDevice()
        _ = send(.checkManifest, to: &h)
        let out = send(.download(.response(status: 404, contentLength: nil, rangeStart: 0)), to: &h)
        XCTAssertEqual(out.refusal, .manifestFailed(kind: "http_status", reason: "HTTP status 404"))
        XCTAssertEqual(out.actions.first, .cancelDownload)
        XCTAssertFalse(h.device.ota.isAllocated, "the check is over: nothing owed")
    }

    func testBrokerConnectedWithNothingToConfirmChangesNothing() {
        var h = onlineDevice()
        let out = send(.brokerConnected, to: &h)
        XCTAssertEqual(out.actions, [])
        XCTAssertNil(out.refusal)
        XCTAssertNil(out.notice)
        XCTAssertFalse(h.device.ota.isAllocated)
    }

    func testAnUnconfirmedImageAsksForARestartThatRollsBack() {
        var h = DeviceHarness()
        h.send(.powerOn(.powerOn, boot: BootInfo(slot: 1, firmwareVersion: "2.0.0", pendingVerify: true)))
        XCTAssertTrue(h.device.ota.isAllocated, "a PENDING_VERIFY image is watched from boot")
        XCTAssertEqual(h.device.ota.updater?.state.name, "pending_verify")
        h.now = h.device.ota.deadline ?? h.now
        let out = send(.tick, to: &h)
        XCTAssertEqual(out.notice, .restart(installed: nil, position: out.actions.count))
        XCTAssertFalse(out.actions.contains { if case .reboot = $0 { return true } else { return false } },
                       "the device promises the restart; the agent only asks for it")
    }

    func testARestartDueInTheSameTickAsAPollIsPromisedWhereTheUpdaterAskedForIt() {
        var config = DeviceHarness.config()
        config.manifestURL = Self.manifestURL
        config.manifestPollInterval = .seconds(60)
        config.ota.confirmWithin = .seconds(60)
        var h = DeviceHarness(config: config)
        h.send(.powerOn(.powerOn, boot: BootInfo(slot: 1, firmwareVersion: "2.0.0", pendingVerify: true)))
        h.advance(by: .seconds(60))  // the confirmation deadline and the first poll, both due now
        let lines = h.send(.tick).logLines
        let expired = lines.firstIndex(of: "ota: new image not confirmed in time, rebooting to roll back")
        let promised = lines.firstIndex(of: "restart in 500 ms")
        let skipped = lines.firstIndex(of: "ota: manifest poll skipped (offline or busy)")
        XCTAssertNotNil(expired)
        XCTAssertNotNil(promised)
        XCTAssertNotNil(skipped)
        if let expired, let promised, let skipped {
            XCTAssertTrue(expired < promised && promised < skipped, "\(lines)")
        }
    }
}
