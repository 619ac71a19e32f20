import DeviceCore
import Foundation

/// A scenario's timeline in virtual time: the same steps, triggers and targets as
/// `TimelineDriver`, carried out at epoch boundaries of a `VirtualFleet` instead of on a thread
/// that sleeps. `after:` conditions are judged on the live figures every 200 ms of virtual time,
/// as the socket driver polls them; a condition that times out, or a step the run ended before,
/// is a failure the verdict reports.
public final class VirtualTimeline {
    let scenario: Scenario
    let plan: ScenarioPlan
    public private(set) var failures: [TimelineDriver.Failure] = []
    public private(set) var phases: [TimelinePhase] = []
    /// Connections dropped by disconnect storms.
    public private(set) var disconnects = 0
    /// Where step events are written (stderr by default).
    public var log: (String) -> Void = { StandardStream.error.write($0 + "\n") }
    /// When the fleet must next stop for the timeline; nil when nothing is pending.
    private(set) var wake: Instant?

    private var step = 0
    private var state = State.ready
    private var originFaults = OriginFaults.none
    private var impaired: Set<Int> = []
    static let pollInterval = TimeSpan.milliseconds(200)

    private enum State {
        case ready
        case waitingUntil(Instant)
        case polling(deadline: Instant)
        case holding(until: Instant, startedSeconds: Double)
    }

    public init(scenario: Scenario, plan: ScenarioPlan) {
        self.scenario = scenario
        self.plan = plan
    }

    func begin(_ fleet: VirtualFleet) { advance(fleet) }

    /// Runs what is due at the fleet's `now` and sets `wake`.
    func advance(_ fleet: VirtualFleet) {
        wake = nil
        while step < scenario.timeline.count && !fleet.isStopRequested {
            let current = scenario.timeline[step]
            switch state {
            case .ready:
                switch current.trigger {
                case .afterPrevious:
                    perform(fleet)
                case .at(let offset):
                    state = .waitingUntil(fleet.start + offset)
                case .after(_, let timeout):
                    state = .polling(deadline: fleet.now + timeout)
                }
            case .waitingUntil(let at):
                guard fleet.now >= at else { wake = at; return }
                perform(fleet)
            case .polling(let deadline):
                guard case .after(let condition, let timeout) = current.trigger else { return }
                let versions = LiveFigures.needsVersions(condition.comparison) ? fleet.versionCounts() : [:]
                if ExpectationEvaluator(report: LiveFigures.document(fleet.snapshot(), versions: versions)).holds(condition.comparison) {
                    perform(fleet)
                } else if fleet.now >= deadline {
                    let why = "'" + condition.text + "' did not hold within " + Units.format(timeout)
                    failures.append(TimelineDriver.Failure(expression: label(step), measured: why))
                    log("simfleet: " + label(step) + ": " + why + "; stopping the run")
                    step += 1
                    fleet.requestStop()
                    return
                } else {
                    wake = min(deadline, fleet.now + VirtualTimeline.pollInterval)
                    return
                }
            case .holding(let until, let started):
                guard fleet.now >= until else { wake = until; return }
                finishStep(started: started, fleet)
            }
        }
    }

    /// The run ended: steps that never started are failures.
    func finish(_ fleet: VirtualFleet) {
        if case .holding(_, let started) = state {
            finishStep(started: started, fleet)  // cut short by the end of the run: the fleet kept running until then
        }
        while step < scenario.timeline.count {
            failures.append(TimelineDriver.Failure(expression: label(step), measured: "never ran: the run ended first"))
            step += 1
        }
    }

    private func finishStep(started: Double, _ fleet: VirtualFleet) {
        let current = scenario.timeline[step]
        phases.append(TimelinePhase(step: step + 1, kind: current.kind, name: current.name, startSeconds: started,
                                    endSeconds: fleet.elapsedSeconds))
        step += 1
        state = .ready
    }

    private func label(_ i: Int) -> String {
        let s = scenario.timeline[i]
        return "timeline step " + String(i + 1) + (s.name.map { " '" + $0 + "'" } ?? "") + " (" + s.kind + " at "
            + s.position.description + ")"
    }

    /// Carries out the current step at `now`; a step that lasts (`wait`, `hold`, a storm) holds.
    private func perform(_ fleet: VirtualFleet) {
        let started = fleet.elapsedSeconds
        log(String(printf: "simfleet: [%6.1fs virtual] ", started) + label(step))
        let targets = plan.steps[step].targets
        var lasts: TimeSpan?
        switch scenario.timeline[step].action {
        case .wait(let span), .hold(let span):
            lasts = span
        case .deviceFault(let fault):
            switch fault.kind {
            case .powerCycle(let off): fleet.powerCycle(devices: targets, offFor: off)
            case .wifiDrop(let duration): fleet.dropWiFi(devices: targets, downFor: duration)
            case .powerLossDuringFlashWrite: fleet.cutPowerDuringNextFlashWrite(devices: targets, off: .seconds(1))
            case .resetWiFi: preconditionFailure("refused by VirtualTimeSupport")
            }
        case .brokerRestart(let down):
            fleet.restartBroker(down: down)
        case .brokerKill:
            preconditionFailure("refused by VirtualTimeSupport")
        case .clearFaults:
            originFaults = .none
            fleet.setOriginFaults(.none)
            if !impaired.isEmpty { fleet.impairLinks(devices: impaired.sorted(), latency: nil, loss: 0) }
            impaired = []
        case .rollout(let r):
            rollout(r, targets: targets, fleet)
        case .firmwareFault(let f):
            let ids = Set(targets.map { plan.devices[$0].id })
            originFaults.targeted.append(TargetedFault(f, devices: ids))
            fleet.setOriginFaults(originFaults)
            log("simfleet: firmware fault aimed at " + String(ids.count) + " devices' downloads")
        case .networkFault(let f):
            lasts = networkFault(f, targets: targets, fleet)
        case .provision, .brokerOutage:
            preconditionFailure("refused by VirtualTimeSupport")
        case .aclProbe(let probe):
            for attempt in 0..<probe.attempts {
                fleet.probeACL(devices: targets) { i in ACLProbeTopics.topic(device: i, attempt: attempt, plan: self.plan) }
            }
        case .rampUp(let group, let perSecond):
            let rate = perSecond ?? scenario.fleet.first { $0.name == group }?.rampPerSecond
                ?? targets.first.flatMap { i in scenario.group(named: plan.devices[i].group)?.rampPerSecond } ?? 1000
            let waiting = targets.filter { scenario.group(named: plan.devices[$0].group)?.startAtBeginning == false }
            fleet.rampUp(devices: waiting, perSecond: rate)
        }
        if let lasts {
            state = .holding(until: fleet.now + lasts, startedSeconds: started)
        } else {
            finishStep(started: started, fleet)
        }
    }

    /// `TimelineDriver.rollout`: the cohort gets an install command or a manifest check.
    private func rollout(_ r: Rollout, targets: [Int], _ fleet: VirtualFleet) {
        let running = fleet.runningVersions(devices: targets)
        let cohort = targets.filter { i in
            guard let v = running[i], v != r.version else { return false }
            return r.selector.version == nil || r.selector.version == v
        }
        log("simfleet: rollout of " + r.version + " to " + String(cohort.count) + " of " + String(targets.count)
            + " planned devices (the others already run it or left " + (r.selector.version ?? "their version") + ")")
        guard !cohort.isEmpty else { return }
        guard let catalog = fleet.firmware else {
            failures.append(TimelineDriver.Failure(expression: "rollout " + r.version, measured: "no firmware catalog in this run"))
            return
        }
        do {
            switch r.via {
            case .mqtt:
                let image = try catalog.image(r.version)
                let url = try fleet.publishRelease(r.version, manifest: false)
                let command = JSONValue.object([
                    JSONMember("version", .string(r.version)), JSONMember("url", .string(url)),
                    JSONMember("sha256", .string(hexString(image.digest))), JSONMember("size", .int(Int64(image.bytes.count))),
                ])
                fleet.sendCommand(devices: cohort, payload: command.encodedBytes())
            case .manifest:
                try fleet.publishRelease(r.version, manifest: true)
                fleet.sendCommand(devices: cohort, payload: Array(#"{"action":"check"}"#.utf8))
            case .poll:
                // Refused before the run (`VirtualTimeSupport`): virtual devices do not poll.
                try fleet.publishRelease(r.version, manifest: true)
            }
        } catch {
            failures.append(TimelineDriver.Failure(expression: "rollout " + r.version, measured: String(describing: error)))
        }
    }

    /// Storms drop connections in batches over `over` (the step lasts that long); latency and loss
    /// impair links until `duration` ends or `clear_faults`.
    private func networkFault(_ f: NetworkFault, targets: [Int], _ fleet: VirtualFleet) -> TimeSpan? {
        switch f.kind {
        case .disconnectStorm(let over):
            let span = Double(over.microseconds) / 1e6
            let batches = max(1, min(targets.count, Int(span * 10)))
            for b in 0..<batches {
                let batch = Swift.stride(from: b, to: targets.count, by: batches).map { targets[$0] }
                let at = fleet.now + TimeSpan(microseconds: Int64(span * Double(b) / Double(batches) * 1e6))
                fleet.at(at) { [unowned self, unowned fleet] in
                    fleet.dropConnections(devices: batch)
                    self.disconnects += batch.count
                }
            }
            return over
        case .toxic(.latency(let delay, _)):  // jitter > 0 is refused by VirtualTimeSupport
            impair(targets, latency: delay, loss: 0, for: f.duration, fleet)
        case .toxic(.packetLoss(let loss)):
            impair(targets, latency: nil, loss: loss, for: f.duration, fleet)
        case .toxic:
            preconditionFailure("refused by VirtualTimeSupport")
        }
        return nil
    }

    private func impair(_ targets: [Int], latency: TimeSpan?, loss: Double, for duration: TimeSpan?, _ fleet: VirtualFleet) {
        fleet.impairLinks(devices: targets, latency: latency, loss: loss)
        impaired.formUnion(targets)
        guard let duration else { return }
        fleet.at(fleet.now + duration) { [unowned fleet] in fleet.impairLinks(devices: targets, latency: nil, loss: 0) }
    }
}
