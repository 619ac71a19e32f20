import DeviceCore
import Dispatch
import XCTest
@testable import SimFleet

/// The host's life cycle (`DeviceHost.Life`): every state × event against the table in its doc
/// comment, then a real host on a real broker to show the bookkeeping rides on the transitions.
final class DeviceHostLifeTests: XCTestCase {
    typealias Life = DeviceHost.Life
    typealias Illegal = Life.IllegalTransition

    private static let t0 = Instant(microseconds: 1_000_000)
    private static let t1 = Instant(microseconds: 9_000_000)

    /// One of each state, with the link up where a link is possible.
    private static let states: [Life] = [
        .off(powerOnAt: t0), .running(link: .off), .running(link: .online), .frozen(link: .off), .frozen(link: .connecting), .frozenOff,
    ]
    private static let events: [Life.Event] = [
        .powerOn, .powerOff(until: t1), .freeze, .link(.off), .link(.online), .movePowerOn(to: t1),
    ]

    /// What each state × event gives: the next state or the refusal (the state then stays as it was).
    private static func expected(_ state: Life, _ event: Life.Event) -> Result<Life, Illegal> {
        switch (state, event) {
        case (.off, .powerOn): return .success(.running(link: .off))
        case (.running, .powerOn), (.frozen, .powerOn): return .failure(.powerOnWhilePowered)
        case (.frozenOff, .powerOn): return .failure(.powerOnAfterTheRun)
        case (.off, .powerOff): return .success(.off(powerOnAt: t1))
        case (.running(.off), .powerOff): return .success(.off(powerOnAt: t1))
        case (.running(let link), .powerOff): return .failure(.powerCutWithLinkUp(link))
        case (.frozen(.off), .powerOff), (.frozenOff, .powerOff): return .success(.frozenOff)
        case (.frozen(let link), .powerOff): return .failure(.powerCutWithLinkUp(link))
        case (.off, .freeze): return .success(.frozenOff)
        case (.running(let link), .freeze): return .success(.frozen(link: link))
        case (.frozen, .freeze), (.frozenOff, .freeze): return .failure(.frozenTwice)
        case (.running, .link(let new)): return .success(.running(link: new))
        case (.frozen, .link(let new)): return .success(.frozen(link: new))
        case (.off, .link(.off)), (.frozenOff, .link(.off)): return .success(state)
        case (.off, .link(let new)), (.frozenOff, .link(let new)): return .failure(.linkWithoutPower(new))
        case (.off, .movePowerOn(let at)): return .success(.off(powerOnAt: at))
        case (_, .movePowerOn): return .failure(.powerOnMovedWhileNotOff)
        }
    }

    func testEveryStateAndEventFollowsTheTable() {
        for state in Self.states {
            for event in Self.events {
                var life = state
                let outcome: Result<Life, Illegal>
                do {
                    try life.handle(event)
                    outcome = .success(life)
                } catch {
                    XCTAssertEqual(life, state, "\(state) × \(event): a refused event leaves the state alone")
                    outcome = .failure(error)
                }
                XCTAssertEqual(outcome, Self.expected(state, event), "\(state) × \(event)")
            }
        }
    }

    func testAnOffDevicePowersOnWithoutALinkAndCountsAsPowered() throws {
        var life = Life.off(powerOnAt: Self.t0)
        XCTAssertFalse(life.isPoweredOn)
        XCTAssertEqual(life.powerOnAt, Self.t0)
        try life.handle(.powerOn)
        XCTAssertEqual(life, .running(link: .off))
        XCTAssertTrue(life.isPoweredOn)
        XCTAssertTrue(life.isRunning)
        XCTAssertNil(life.powerOnAt, "a powered device has no power-on time")
    }

    func testPoweringOnTwiceIsIllegal() {
        var life = Life.running(link: .online)
        XCTAssertThrowsError(try life.handle(.powerOn)) { XCTAssertEqual($0 as? Illegal, .powerOnWhilePowered) }
        XCTAssertEqual(life, .running(link: .online))
    }

    func testAPowerCutNeedsTheLinkEndedFirst() throws {
        var life = Life.running(link: .online)
        XCTAssertThrowsError(try life.handle(.powerOff(until: Self.t1))) { XCTAssertEqual($0 as? Illegal, .powerCutWithLinkUp(.online)) }
        try life.handle(.link(.off))
        try life.handle(.powerOff(until: Self.t1))
        XCTAssertEqual(life, .off(powerOnAt: Self.t1))
        XCTAssertEqual(life.link, .off)
    }

    func testAPowerCutOfAnOffDeviceRestartsItsOffTime() throws {
        var life = Life.off(powerOnAt: Self.t0)
        try life.handle(.powerOff(until: Self.t1))
        XCTAssertEqual(life, .off(powerOnAt: Self.t1))
    }

    func testAnOffDeviceHasNoLinkToRaise() throws {
        var life = Life.off(powerOnAt: Self.t0)
        XCTAssertThrowsError(try life.handle(.link(.connecting))) { XCTAssertEqual($0 as? Illegal, .linkWithoutPower(.connecting)) }
        try life.handle(.link(.off))
        XCTAssertEqual(life, .off(powerOnAt: Self.t0), "ending no link changes nothing")
    }

    func testFreezingKeepsTheLinkSoTheDrainCanStillBeAcknowledged() throws {
        var life = Life.running(link: .online)
        try life.handle(.freeze)
        XCTAssertEqual(life, .frozen(link: .online))
        XCTAssertTrue(life.isPoweredOn)
        XCTAssertFalse(life.isRunning, "no timers after the run")
        try life.handle(.link(.waiting))
        XCTAssertEqual(life, .frozen(link: .waiting))
    }

    func testFreezingTwiceIsIllegal() throws {
        var life = Life.off(powerOnAt: Self.t0)
        try life.handle(.freeze)
        XCTAssertEqual(life, .frozenOff)
        XCTAssertThrowsError(try life.handle(.freeze)) { XCTAssertEqual($0 as? Illegal, .frozenTwice) }
    }

    func testAPowerCutDuringTheDrainLeavesTheDeviceOffForGood() throws {
        var life = Life.frozen(link: .off)
        try life.handle(.powerOff(until: Self.t1))
        XCTAssertEqual(life, .frozenOff)
        XCTAssertNil(life.powerOnAt, "frozen: no power-on time")
        XCTAssertThrowsError(try life.handle(.powerOn)) { XCTAssertEqual($0 as? Illegal, .powerOnAfterTheRun) }
    }

    func testOnlyAnOffDeviceTakesANewPowerOnTime() throws {
        var life = Life.off(powerOnAt: Self.t1)
        try life.handle(.movePowerOn(to: Self.t0))
        XCTAssertEqual(life, .off(powerOnAt: Self.t0))
        var running = Life.running(link: .off)
        XCTAssertThrowsError(try running.handle(.movePowerOn(to: Self.t0))) { XCTAssertEqual($0 as? Illegal, .powerOnMovedWhileNotOff) }
    }

    func testIllegalTransitionsSayWhatWasAsked() {
        XCTAssertEqual(Illegal.frozenTwice.description, "frozen twice")
        XCTAssertEqual(Illegal.powerCutWithLinkUp(.online).description, "power cut with the link still online (end it first)")
        XCTAssertEqual(Illegal.linkWithoutPower(.connecting).description, "link connecting without power")
    }

    /// Thousands of hosts per process: the state enum takes no more than the optional power-on
    /// instant it replaced (link, frozen and the AP outage went with it).
    func testTheLifeFitsInTheBytesOfThePowerOnInstantItReplaced() {
        XCTAssertLessThanOrEqual(MemoryLayout<Life>.size, MemoryLayout<Instant?>.size)
    }

    // MARK: - A real host on a real broker

    func testAPowerCycleEndsTheLinkCountsTwoPowerChangesAndAFrozenHostStaysOff() throws {
        let broker = try PlainBroker()
        defer { broker.stop() }
        let (reactor, host) = startHost(port: broker.port)
        defer { reactor.stopAndJoin() }
        let counters = reactor.counters
        awaitCondition("the device online", timeout: 30) { on(reactor) { host.life } == .running(link: .online) }
        XCTAssertEqual(counters.online.load(ordering: .relaxed), 1)
        XCTAssertEqual(counters.poweredOn.load(ordering: .relaxed), 1)
        XCTAssertEqual(counters.versionChanges.load(ordering: .relaxed), 1, "power on")

        let off = on(reactor) { () -> Life in
            host.powerCycle(offFor: .seconds(3600), now: HostClock.now())
            return host.life
        }
        XCTAssertNotNil(off.powerOnAt)
        XCTAssertFalse(off.isPoweredOn)
        XCTAssertEqual(counters.online.load(ordering: .relaxed), 0, "an off device is not online")
        XCTAssertEqual(counters.planned(.powerCycle), 1)
        XCTAssertEqual(counters.versionChanges.load(ordering: .relaxed), 2, "power on, power off")

        let after = on(reactor) { () -> Life in
            host.freeze()
            host.timerFired(at: HostClock.now() + .seconds(7200))  // long past its power-on time
            return host.life
        }
        XCTAssertEqual(after, .frozenOff)
        XCTAssertEqual(counters.poweredOn.load(ordering: .relaxed), 1, "a frozen host never powers on again")
        XCTAssertEqual(counters.versionChanges.load(ordering: .relaxed), 2)
        on(reactor) { host.shutdown() }
    }

    func testAFrozenHostKeepsItsLinkUntilAPowerCutEndsIt() throws {
        let broker = try PlainBroker()
        defer { broker.stop() }
        let (reactor, host) = startHost(port: broker.port)
        defer { reactor.stopAndJoin() }
        let counters = reactor.counters
        awaitCondition("the device online", timeout: 30) { on(reactor) { host.life } == .running(link: .online) }
        let sentBefore = on(reactor) { () -> Int in
            host.freeze()
            return counters.sent.load(ordering: .relaxed)
        }
        XCTAssertEqual(on(reactor) { host.life }, .frozen(link: .online))
        // Its heartbeat period is 200 ms: frozen, none goes out.
        usleep(800_000)
        XCTAssertEqual(counters.sent.load(ordering: .relaxed), sentBefore, "no timers after the run")
        XCTAssertEqual(on(reactor) { host.life }, .frozen(link: .online), "the link stays up for the drain")
        let off = on(reactor) { () -> Life in
            host.powerCycle(offFor: .seconds(1), now: HostClock.now(), cause: .powerCut)
            return host.life
        }
        XCTAssertEqual(off, .frozenOff)
        XCTAssertEqual(counters.online.load(ordering: .relaxed), 0)
        XCTAssertEqual(counters.planned(.powerCut), 1)
        usleep(1_500_000)
        XCTAssertEqual(on(reactor) { host.life }, .frozenOff, "the power never comes back after the run")
        XCTAssertEqual(counters.poweredOn.load(ordering: .relaxed), 1)
        on(reactor) { host.shutdown() }
    }

    /// Why the access point's outage is no part of `running`: it is the AP's, and a device power
    /// cycled during it still finds no AP when it boots.
    func testAWiFiDropOutlastsAPowerCycleOfTheDevice() throws {
        let broker = try PlainBroker()
        defer { broker.stop() }
        let (reactor, host) = startHost(port: broker.port)
        defer { reactor.stopAndJoin() }
        awaitCondition("the device online", timeout: 30) { on(reactor) { host.life } == .running(link: .online) }
        let downUntil = on(reactor) { () -> Instant in
            let now = HostClock.now()
            host.dropWiFi(downFor: .seconds(4), now: now)
            host.powerCycle(offFor: .milliseconds(100), now: now)
            return now + .seconds(4)
        }
        awaitCondition("powered on again", timeout: 10) { on(reactor) { host.life.isPoweredOn } }
        // Booted, it tries to join; until the AP is back no join succeeds, so no connection either.
        while HostClock.now() + .milliseconds(300) < downUntil {
            let link = on(reactor) { host.link }
            guard link == .off else { return XCTFail("\(link) while its access point is gone") }
            usleep(100_000)
        }
        awaitCondition("online once the access point is back", timeout: 60) { on(reactor) { host.life } == .running(link: .online) }
        XCTAssertGreaterThanOrEqual(HostClock.now(), downUntil)
        on(reactor) { host.shutdown() }
    }

    private func startHost(port: Int) -> (Reactor, DeviceHost) {
        let reactor = Reactor(index: 0, tickMicros: 1000)
        reactor.start()
        let spec = DeviceSpec(index: 0, id: "life-0", mac: [0x24, 0x6F, 0x28, 0, 0, 1], chip: .esp32, firmwareVersion: "1.0.0",
                              heartbeatMs: 200, qos: 1, provisioned: true, username: nil, password: nil, seed: 7)
        let host = on(reactor) { () -> DeviceHost in
            let h = DeviceHost(spec: spec, endpoint: BrokerEndpoint(host: "127.0.0.1", port: port), powerOnAt: HostClock.now(), reactor: reactor)
            h.attach()
            return h
        }
        return (reactor, host)
    }
}

/// Runs `body` on the reactor's thread and returns its result (hosts are touched there only).
private func on<T>(_ reactor: Reactor, _ body: @escaping () -> T) -> T { reactor.sync(body) }
