import DeviceCore
import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// Runs a scenario's timeline against a running fleet on its own thread: waits for each step's
/// trigger (a time, or a condition on live figures polled every `pollInterval`), then calls the
/// runtime's hooks with the plan's targets. A condition that times out, or a step the run ended
/// before, is a failure the verdict reports, never a silent pass.
public final class TimelineDriver: @unchecked Sendable {
    /// A step that did not happen as written.
    public struct Failure: Equatable, Sendable {
        public var expression: String
        public var measured: String
    }

    let scenario: Scenario
    let plan: ScenarioPlan
    let runner: FleetRunner
    let pollInterval: Double
    /// Seconds from the ramp's start at which the runner ends the run.
    let runEnd: Double
    private let wake = DispatchSemaphore(value: 0)
    private let lock = NIOLock()
    private var stopped = false
    private var thread: OSThread?
    private var done = DispatchSemaphore(value: 0)
    private var _failures: [Failure] = []
    private var _completed = 0
    /// Targeted origin faults in force (timeline thread only; `clear_faults` empties them).
    var originFaults = OriginFaults.none
    private var _windows: [FaultWindow] = []
    private var _tally = ProvisioningTally()
    private var _provisioningUsed = false
    private var _disconnects = 0
    private var _phases: [TimelinePhase] = []
    /// The other shards of a sharded run, for steps that must start together (`TimelineDriver+Shards`).
    public var rendezvous: ShardRendezvous?
    /// Where step events are written (stderr by default).
    public var log: @Sendable (String) -> Void = { StandardStream.error.write($0 + "\n") }

    public init(scenario: Scenario, plan: ScenarioPlan, runner: FleetRunner, pollInterval: Double = 0.2) {
        self.scenario = scenario
        self.plan = plan
        self.runner = runner
        self.pollInterval = pollInterval
        self.runEnd = runner.rampSeconds + runner.configuration.durationSeconds
    }

    public var failures: [Failure] { lock.withLock { _failures } }

    /// Portal provisioning done by the timeline, nil when no step provisioned or reset WiFi.
    public var provisioning: ProvisioningTally? { lock.withLock { _provisioningUsed ? _tally : nil } }
    /// The steps that ran, with their start and end (a `hold` is a named steady phase).
    public var phases: [TimelinePhase] { lock.withLock { _phases } }

    /// Connections dropped by disconnect storms.
    public var disconnects: Int { lock.withLock { _disconnects } }

    /// The faults the timeline carried out, in order (open ones have no end).
    public var faultWindows: [FaultWindow] { lock.withLock { _windows } }

    /// Records the start of a fault; returns its handle for `closeWindow`.
    func openWindow(step: Int, kind: String, mode: String = "", devices: [Int]) -> Int {
        let s = runner.snapshot()
        let name = scenario.timeline[step].name ?? "step" + String(step + 1)
        let w = FaultWindow(step: step + 1, label: name, kind: kind, mode: mode, devices: devices,
                            startMicros: HostClock.now().microseconds, startSeconds: runner.elapsedSeconds,
                            sentAtStart: s.sent, receivedAtStart: s.received)
        return lock.withLock {
            _windows.append(w)
            return _windows.count - 1
        }
    }

    /// Takes the fleet's counts at the start again, once the fault is in force on every reactor
    /// (its start time stays: sessions it ended while it was being set up still count).
    func recountStart(_ handle: Int) {
        let s = runner.snapshot()
        lock.withLock {
            _windows[handle].sentAtStart = s.sent
            _windows[handle].receivedAtStart = s.received
        }
    }

    /// What the fleet looked like as a fault ended: taken just before the fault is lifted, so what
    /// flows the moment it is gone counts as after.
    struct EndMark {
        var micros: Int64
        var seconds: Double
        var sent: Int
        var received: Int
        var queued: Int
    }

    func endMark(_ handle: Int) -> EndMark? {
        let devices = lock.withLock { _windows[handle].endMicros == nil ? _windows[handle].devices : nil }
        guard let devices else { return nil }
        let queued = runner.inFlight(devices: devices.count == runner.configuration.devices ? nil : devices)
        let s = runner.snapshot()
        return EndMark(micros: HostClock.now().microseconds, seconds: runner.elapsedSeconds, sent: s.sent, received: s.received,
                       queued: queued)
    }

    /// Records the end of a fault at `mark` (taken before the fault was lifted); the first end counts.
    func closeWindow(_ handle: Int, _ mark: EndMark?) {
        guard let mark else { return }
        lock.withLock {
            guard _windows[handle].endMicros == nil else { return }
            _windows[handle].endMicros = mark.micros
            _windows[handle].endSeconds = mark.seconds
            _windows[handle].sentAtEnd = mark.sent
            _windows[handle].receivedAtEnd = mark.received
            _windows[handle].queuedAtEnd = mark.queued
        }
    }

    /// Handles of network fault windows still open (for `clear_faults`).
    func openToxicWindows() -> [Int] {
        lock.withLock {
            _windows.indices.filter { _windows[$0].endMicros == nil && !["broker_outage", "broker_restart"].contains(_windows[$0].kind) }
        }
    }

    /// The step being carried out (0-based), for the fault windows it opens.
    var currentStep = 0

    func count(_ body: (inout ProvisioningTally) -> Void) {
        lock.withLock { _provisioningUsed = true; body(&_tally) }
    }

    func countDisconnects(_ n: Int) { lock.withLock { _disconnects += n } }

    public func start() {
        thread = OSThread(name: "simfleet-timeline") { [self] in
            run()
            // Stay alive until the run ends: a broker restarted from this thread is its child with
            // PR_SET_PDEATHSIG, which Linux fires when the spawning *thread* exits.
            while !isStopped { _ = wake.wait(timeout: .now() + 1) }
            done.signal()
        }
    }

    /// Stops waiting, lets a step in progress finish, and records the steps that never ran.
    public func stop() {
        lock.withLock { stopped = true }
        wake.signal()
        if thread != nil { done.wait() }
        thread = nil
        let completed = lock.withLock { _completed }
        for i in completed..<scenario.timeline.count {
            record(i, "never ran: the run ended first")
        }
    }

    var isStopped: Bool { lock.withLock { stopped } }

    /// Sleeps until `elapsed` reaches `t` or the driver stops; false when stopped.
    func sleep(until t: Double) -> Bool {
        while !isStopped {
            let left = t - runner.elapsedSeconds
            if left <= 0 { return true }
            _ = wake.wait(timeout: .now() + min(left, 1))
        }
        return false
    }

    func label(_ i: Int) -> String {
        let step = scenario.timeline[i]
        return "timeline step " + String(i + 1) + (step.name.map { " '" + $0 + "'" } ?? "") + " (" + step.kind + " at "
            + step.position.description + ")"
    }

    /// A step that could not do all it should: failed in the verdict, named with what went wrong.
    func fail(_ what: String, _ why: String) {
        log("simfleet: " + what + ": " + why)
        lock.withLock { _failures.append(Failure(expression: what, measured: why)) }
    }

    func record(_ i: Int, _ why: String) {
        lock.withLock { _failures.append(Failure(expression: label(i), measured: why)) }
    }

    func run() {
        for (i, step) in scenario.timeline.enumerated() {
            switch step.trigger {
            case .afterPrevious where rendezvous != nil, .after where rendezvous != nil:
                switch agree(i, step, via: rendezvous!) {
                case .proceed: break
                case .stopped: return
                case .timedOut(let why):
                    record(i, why)
                    lock.withLock { _completed = i + 1 }
                    log("simfleet: " + label(i) + ": " + why + "; stopping the run")
                    runner.requestStop()
                    return
                }
            case .afterPrevious: break
            case .at(let at):
                guard sleep(until: Double(at.microseconds) / 1e6) else { return }
            case .after(let condition, let timeout):
                let deadline = runner.elapsedSeconds + Double(timeout.microseconds) / 1e6
                var held = false
                while !isStopped && runner.elapsedSeconds < deadline {
                    let versions = LiveFigures.needsVersions(condition.comparison) ? runner.versionCounts() : [:]
                    if ExpectationEvaluator(report: LiveFigures.document(runner.snapshot(), versions: versions))
                        .holds(condition.comparison) {
                        held = true
                        break
                    }
                    _ = wake.wait(timeout: .now() + pollInterval)
                }
                if isStopped { return }
                if !held {
                    record(i, "'" + condition.text + "' did not hold within " + Units.format(timeout))
                    lock.withLock { _completed = i + 1 }
                    log("simfleet: " + label(i) + ": '" + condition.text + "' did not hold within " + Units.format(timeout)
                        + "; stopping the run")
                    runner.requestStop()
                    return
                }
            }
            guard !isStopped else { return }
            log(String(printf: "simfleet: [%6.1fs] ", runner.elapsedSeconds) + label(i))
            let started = runner.elapsedSeconds
            currentStep = i
            guard perform(step.action, targets: plan.steps[i].targets) else { return }
            let phase = TimelinePhase(step: i + 1, kind: step.kind, name: step.name, startSeconds: started,
                                      endSeconds: runner.elapsedSeconds)
            lock.withLock {
                _completed = i + 1
                _phases.append(phase)
            }
        }
    }

    /// Carries out one action; false when the driver was stopped during it.
    func perform(_ action: StepAction, targets: [Int]) -> Bool {
        switch action {
        case .wait(let span), .hold(let span):
            // Cut short by the end of the run is fine: the fleet kept running until then.
            _ = sleep(until: runner.elapsedSeconds + Double(span.microseconds) / 1e6)
            return true
        case .deviceFault(let fault):
            switch fault.kind {
            case .powerCycle(let off): runner.powerCycle(devices: targets, offFor: off)
            case .wifiDrop(let duration): runner.dropWiFi(devices: targets, downFor: duration)
            case .powerLossDuringFlashWrite:
                runner.cutPowerDuringNextFlashWrite(devices: targets, off: .seconds(1))
            case .resetWiFi(let reprovision):
                resetWiFi(targets, reprovision: reprovision)
            }
            return true
        case .brokerRestart(let down):
            let window = openWindow(step: currentStep, kind: "broker_restart", devices: Array(0..<runner.configuration.devices))
            do {
                try runner.restartBroker(downForSeconds: Double(down.microseconds) / 1e6)
            } catch {
                log("simfleet: broker restart failed: " + String(describing: error))
                lock.withLock { _failures.append(Failure(expression: "broker_restart", measured: String(describing: error))) }
            }
            // The broker is back once the restart returns (it waits for its listeners).
            closeWindow(window, endMark(window))
            return true
        case .brokerOutage(let down, let mode):
            brokerOutage(down: down, mode: mode)
            return true
        case .brokerKill:
            do {
                try runner.killBroker()
                log("simfleet: embedded broker killed (SIGKILL)")
            } catch {
                lock.withLock { _failures.append(Failure(expression: "broker_kill", measured: String(describing: error))) }
            }
            return true
        case .clearFaults:
            originFaults = .none
            runner.setOriginFaults(.none)
            let marks = openToxicWindows().map { ($0, endMark($0)) }
            if runner.hasFaultProxy { runner.clearToxics(nil, devices: nil) }
            for (w, mark) in marks { closeWindow(w, mark) }
            return true
        case .rollout(let rollout):
            self.rollout(rollout, targets: targets)
            return true
        case .firmwareFault(let fault):
            firmwareFault(fault, targets: targets)
            return true
        case .networkFault(let fault):
            networkFault(fault, targets: targets)
            return true
        case .provision(let step):
            if step.via == .idfSoftAP { provisionSoftAP(targets, step) } else { provision(targets, step) }
            return true
        case .aclProbe(let probe):
            for attempt in 0..<probe.attempts {
                var topics: [Int: String] = [:]
                let fleet = runner.configuration
                for i in targets {
                    topics[i] = ACLProbeTopics.topic(device: i, attempt: attempt, plan: plan, layout: fleet.topics,
                                                     placeholders: { fleet.placeholders($0) })
                }
                let chosen = topics
                runner.probeACL(devices: targets) { i in chosen[i] ?? "#" }
            }
            // And once per device with its own credentials but another device's client id. That probe
            // takes over the prober's session, which would leave its subscription probes without a
            // verdict: wait (up to 10 s) until they are all settled.
            let settleBy = runner.elapsedSeconds + 10
            guard sleep(until: runner.elapsedSeconds + 1) else { return true }
            while runner.elapsedSeconds < settleBy {
                let s = runner.snapshot()
                if s.aclRefused + s.aclAllowed >= s.aclAttempts { break }
                guard sleep(until: runner.elapsedSeconds + 0.1) else { return true }
            }
            // The next device's id and status topic (attempt 0 of the subscription probes names it).
            var claimed: [Int: (id: String, topic: String)] = [:]
            let fleet = runner.configuration
            for i in targets {
                claimed[i] = (ACLProbeTopics.spoofedClientID(device: i, plan: plan),
                              ACLProbeTopics.topic(device: i, attempt: 0, plan: plan, layout: fleet.topics,
                                                   placeholders: { fleet.placeholders($0) }))
            }
            let spoofed = claimed
            runner.probeSpoofedClientID(devices: targets) { i in spoofed[i] ?? ("elsewhere", "#") }
            return true
        case .rampUp(let group, let perSecond):
            let rate = perSecond ?? scenario.fleet.first { $0.name == group }?.rampPerSecond
                ?? targets.first.flatMap { i in scenario.group(named: plan.devices[i].group)?.rampPerSecond } ?? 1000
            // Only groups that wait for a ramp-up; the others are on (or ramping) since the start.
            let waiting = targets.filter { scenario.group(named: plan.devices[$0].group)?.startAtBeginning == false }
            runner.rampUp(devices: waiting, perSecond: rate)
            return true
        }
    }
}
