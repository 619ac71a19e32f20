import XCTest
@testable import DeviceCore

/// The station sub-machine in the common shape: link changes as notices, illegal events as typed
/// refusals, and an answer that continues the owner's actions.
final class WiFiStationTests: XCTestCase {
    let t0 = Instant(milliseconds: 1_000)
    let ip = IPv4Address(10, 0, 0, 2)
    let backoff = Backoff(base: .seconds(1), cap: .seconds(30))

    func joining() -> (WiFiStation, DeviceCounters) {
        var actions: [Action] = []
        var counters = DeviceCounters()
        let station = WiFiStation(joining: WiFiCredentials(ssid: "home", password: "correct horse"),
                                  actions: &actions, counters: &counters)
        return (station, counters)
    }

    func testAJoinIsAnUpNoticeAndALostLinkADownNotice() {
        var (station, counters) = joining()
        var random = SeededRandom(seed: 1)
        let up = station.handle(.connected(ip: ip, rssi: -50), at: t0, backoff: backoff, random: &random, counters: &counters)
        XCTAssertEqual(up.notice, .up)
        XCTAssertNil(up.refusal)
        let refresh = station.handle(.connected(ip: ip, rssi: -60), at: t0, backoff: backoff, random: &random, counters: &counters)
        XCTAssertNil(refresh.notice, "a re-reported link changes nothing for the owner")
        XCTAssertEqual(refresh.actions, [])
        let down = station.handle(.disconnected(.beaconTimeout), at: t0, backoff: backoff, random: &random, counters: &counters)
        XCTAssertEqual(down.notice, .down)
        XCTAssertEqual(counters.wifiConnectionsLost, 1)
    }

    func testAnEventIllegalInTheStateIsRefusedAndChangesNothing() {
        var (station, counters) = joining()
        var random = SeededRandom(seed: 1)
        _ = station.handle(.connected(ip: ip, rssi: -50), at: t0, backoff: backoff, random: &random, counters: &counters)
        let before = station
        let out = station.handle(.connectFailed(.authFailed), at: t0, backoff: backoff, random: &random, counters: &counters)
        XCTAssertEqual(out.refusal, .unexpectedEvent)
        XCTAssertNil(out.notice)
        XCTAssertEqual(out.actions, [])
        XCTAssertEqual(station, before)
        XCTAssertEqual(counters.wifiConnectFailures, 0)
    }

    func testTheAnswerContinuesTheOwnersActionsInOrder() {
        var (station, counters) = joining()
        var random = SeededRandom(seed: 1)
        var actions: [Action] = [.log(.info, "before")]
        let out = station.handle(.connectFailed(.noAPFound), at: t0, backoff: backoff, random: &random, counters: &counters,
                                 continuing: WiFiStation.Output(continuing: &actions))
        XCTAssertEqual(actions, [], "taken over by the answer")
        XCTAssertEqual(out.actions.first, .log(.info, "before"))
        XCTAssertEqual(out.actions.dropFirst().first, .log(.warning, "WiFi join failed: no_ap_found"))
        guard let due = station.deadline else { return XCTFail("backing off") }
        let early = station.tick(at: Instant(microseconds: due.microseconds - 1000), counters: &counters)
        XCTAssertEqual(early.actions, [], "nothing due yet")
        let retry = station.tick(at: due, counters: &counters)
        XCTAssertEqual(retry.actions, [.wifiConnect(ssid: "home", password: "correct horse")])
    }
}
