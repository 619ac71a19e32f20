import DeviceCore
import Foundation

/// `provision`, `reset_wifi` and `network_fault`: what a phone, a user and a flaky network do to
/// devices, carried out for real (HTTP to each device's portal, its local API, its host's link).
extension TimelineDriver {
    /// How long provisioning waits for the devices' portals to answer.
    static var provisionTimeout: Double { 60 }

    /// POSTs the run's WiFi credentials to each target's captive portal (`/save` on the device's own
    /// loopback address), retrying while its access point is not up yet; a device whose portal never
    /// accepts them is a step failure.
    func provision(_ targets: [Int], _ step: Provision? = nil) {
        guard let exposure = runner.configuration.accessPoints else {
            return fail("provision", "the devices have no captive portals in this run")
        }
        let wifi = ScenarioFleet.provisioningNetwork(scenario, step)
        let targets = targets.filter(runner.configuration.slice.owns)  // a shard serves only its own portals
        var pending = targets
        var lastError: [Int: String] = [:]
        var redirected: Set<Int> = []
        let deadline = runner.elapsedSeconds + TimelineDriver.provisionTimeout
        while !pending.isEmpty && !isStopped && runner.elapsedSeconds < deadline {
            var next: [Int] = []
            for i in pending {
                guard let address = exposure.address(forDevice: i) else {
                    lastError[i] = "no portal address"
                    continue
                }
                let client = PortalClient(address: address.text, port: exposure.httpPort)
                // As a phone does on joining the AP: its connectivity check resolves to the portal.
                if !redirected.contains(i),
                   client.resolve("connectivitycheck.gstatic.com", dnsPort: exposure.dnsPort) == address.text {
                    redirected.insert(i)
                    count { $0.dnsRedirects += 1 }
                }
                switch client.save(ssid: wifi.ssid, password: wifi.password) {
                case .success(let answer) where answer.status == 200:
                    count { $0.saved += 1 }
                    lastError[i] = nil
                case .success(let answer):
                    lastError[i] = "HTTP " + String(answer.status)
                    next.append(i)
                case .failure(let failure):
                    lastError[i] = failure.description
                    next.append(i)
                }
            }
            pending = next
            if !pending.isEmpty { _ = sleep(until: runner.elapsedSeconds + 0.25) }
        }
        let failed = targets.filter { lastError[$0] != nil }
        count { $0.failed += failed.count }
        log("simfleet: provisioned " + String(targets.count - failed.count) + " of " + String(targets.count)
            + " devices through their portals")
        if let first = failed.first {
            fail("provision", String(failed.count) + " devices' portals did not accept the credentials (first: "
                 + plan.devices[first].id + ": " + (lastError[first] ?? "") + ")")
        }
    }

    /// `POST /reset_wifi` to each target's local API (credentials erased, reboot into the portal),
    /// then, with `reprovision`, provisions them again through their portals.
    func resetWiFi(_ targets: [Int], reprovision: Bool) {
        let targets = targets.filter(runner.configuration.slice.owns)
        var reset: [Int] = []
        for i in targets {
            let request = HTTPRequest(method: .post, path: "/reset_wifi", headers: [HTTPHeader("Content-Type", "application/json")], body: [])
            if let answer = runner.localRequest(device: i, request), answer.status == 200 {
                reset.append(i)
            }
        }
        count { $0.wifiResets += reset.count }
        if reset.count < targets.count {
            fail("reset_wifi", String(targets.count - reset.count) + " devices did not answer POST /reset_wifi with 200")
        }
        if reprovision && !reset.isEmpty { provision(reset) }
    }

    /// Disconnect storms reset connections (spread over `over`); toxics impair the targets' links
    /// both ways until `duration` ends or `clear_faults`. Everything acts in the fault proxy.
    func networkFault(_ f: NetworkFault, targets: [Int]) {
        let window = openWindow(step: currentStep, kind: f.kind.name, devices: targets)
        switch f.kind {
        case .disconnectStorm(let over):
            let span = Double(over.microseconds) / 1e6
            let batches = max(1, min(targets.count, Int(span * 10)))
            let start = runner.elapsedSeconds
            for b in 0..<batches {
                guard sleep(until: start + span * Double(b) / Double(batches)) else { break }
                let batch = stride(from: b, to: targets.count, by: batches).map { targets[$0] }
                runner.dropConnections(devices: batch)
                countDisconnects(batch.filter(runner.configuration.slice.owns).count)
            }
            closeWindow(window, endMark(window))
        case .toxic(let toxic):
            runner.applyToxic(toxic, devices: targets)
            guard let duration = f.duration else { return }
            let runner = self.runner
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(duration.microseconds) / 1e6) { [weak self] in
                guard let self, !self.isStopped else { return }
                let mark = self.endMark(window)
                runner.clearToxics(toxic.kind, devices: targets)
                self.closeWindow(window, mark)
            }
        }
    }

    /// The broker unreachable for every device for `down` (any broker: the proxy in front of it
    /// refuses, blackholes or resets), then reachable again. The step lasts the outage.
    func brokerOutage(down: TimeSpan, mode: OutageMode) {
        let window = openWindow(step: currentStep, kind: "broker_outage", mode: mode.rawValue,
                                devices: Array(0..<runner.configuration.devices))
        do {
            try runner.beginBrokerOutage(mode)
        } catch {
            fail("broker_outage", String(describing: error))
            return closeWindow(window, endMark(window))
        }
        recountStart(window)
        log("simfleet: broker unreachable (" + mode.rawValue + ") for " + Units.format(down))
        // Cut short by the end of the run, the outage still ends: the drain needs the broker.
        _ = sleep(until: runner.elapsedSeconds + Double(down.microseconds) / 1e6)
        let mark = endMark(window)
        runner.endBrokerOutage()
        closeWindow(window, mark)
    }
}
