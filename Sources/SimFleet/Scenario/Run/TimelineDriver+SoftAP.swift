import DeviceCore
import Foundation

/// `provision` with `via: idf_softap`: what a phone app does with ESP-IDF's provisioning service,
/// carried out by SimFleet's own client over HTTP to each target's loopback address.
extension TimelineDriver {
    /// One target's progress through provisioning.
    private enum Progress {
        /// Not reached yet (its access point may not be up): retried until the step's deadline.
        case pending(lastError: String?)
        /// Credentials applied; its status is polled until it says connected or failed.
        case polling(ProvisioningClient, startedAt: Double)
        case done
    }

    /// Establishes a session with each target as its group's security asks (security 1 with the
    /// step's `pop` if given), resets a device whose previous join failed, sends and applies the
    /// step's network, then polls `GetStatus` until
    /// the device says connected or failed. Counts handshakes, failures by reason and the time to
    /// provisioned; the step fails only for devices that never answered.
    func provisionSoftAP(_ targets: [Int], _ step: Provision) {
        guard let exposure = runner.configuration.accessPoints else {
            return fail("provision", "the devices have no access points in this run")
        }
        let wifi = ScenarioFleet.provisioningNetwork(scenario, step)
        var tally = SoftAPProvisioningTally()
        var progress: [Int: Progress] = [:]
        for i in targets { progress[i] = .pending(lastError: nil) }
        let deadline = runner.elapsedSeconds + TimelineDriver.provisionTimeout
        func failed(_ i: Int, _ reason: String) {
            tally.failures[reason, default: 0] += 1
            progress[i] = .done
        }
        while !isStopped && runner.elapsedSeconds < deadline {
            var open = 0
            for i in targets {
                switch progress[i] {
                case .pending?:
                    open += 1
                    let config = exposure.provisioning(forDevice: i)
                    guard let address = exposure.address(forDevice: i), config.scheme.servesProtocomm else {
                        failed(i, "not_idf_softap")
                        continue
                    }
                    guard let security = Self.clientSecurity(config.softAP.security, pop: step.pop) else {
                        failed(i, "no_client_credentials")
                        continue
                    }
                    let started = runner.elapsedSeconds
                    let client = ProvisioningClient(transport: CurlProvisioningTransport(host: address.text, port: exposure.httpPort,
                                                                                         timeoutMs: 3000), security: security)
                    do {
                        try client.establishSession()
                        tally.handshakes += 1
                        // A device whose last join failed takes credentials again only after a reset,
                        // as Espressif's apps and `esp_prov --reset` do it.
                        if case .failed = try client.status() { _ = try client.reset() }
                        guard try client.setConfig(ssid: wifi.ssid, passphrase: wifi.password) == 0 else {
                            failed(i, "set_config_refused")
                            continue
                        }
                        guard try client.applyConfig() == 0 else {
                            failed(i, "apply_config_refused")
                            continue
                        }
                        progress[i] = .polling(client, startedAt: started)
                    } catch .transport(let what) {
                        progress[i] = .pending(lastError: what)  // the access point is not up yet
                    } catch {
                        failed(i, error.code)
                    }
                case .polling(let client, let started)?:
                    open += 1
                    do {
                        switch try client.status() {
                        case .connecting: break
                        case .connected:
                            tally.provisioned += 1
                            tally.timeToProvisionedMs.append(((runner.elapsedSeconds - started) * 1000).rounded())
                            progress[i] = .done
                        case .failed(let reason?):
                            failed(i, reason == .authError ? "auth_error" : "network_not_found")
                        case .failed(nil), .disconnected:
                            failed(i, "join_failed")
                        }
                    } catch {
                        failed(i, error.code)
                    }
                default:
                    break
                }
            }
            if open == 0 { break }
            _ = sleep(until: runner.elapsedSeconds + 0.2)
        }
        var unanswered: [(device: Int, why: String?)] = []
        for i in targets {
            switch progress[i] {
            case .pending(let why)?:
                unanswered.append((i, why))
                failed(i, "timeout")
            case .polling?:
                failed(i, "timeout")
            default:
                break
            }
        }
        count { t in
            var total = t.idfSoftAP ?? SoftAPProvisioningTally()
            total.provisioned += tally.provisioned
            total.handshakes += tally.handshakes
            for (reason, n) in tally.failures { total.failures[reason, default: 0] += n }
            total.timeToProvisionedMs += tally.timeToProvisionedMs
            t.idfSoftAP = total
        }
        log("simfleet: provisioned " + String(tally.provisioned) + " of " + String(targets.count)
            + " devices through ESP-IDF's provisioning service (" + String(tally.handshakes) + " sessions)")
        if let first = unanswered.first {
            fail("provision", String(unanswered.count) + " devices' provisioning services never answered (first: "
                 + plan.devices[first.device].id + (first.why.map { ": " + $0 } ?? "") + ")")
        }
    }

    /// The client's credentials for a device of this security: its own PoP (or the step's), its
    /// SRP username and password; nil when the device keeps only a salt and verifier.
    static func clientSecurity(_ security: ProtocommSecurity, pop: String?) -> ClientSecurity? {
        switch security {
        case .none: return ClientSecurity.none
        case .proofOfPossession(let own): return .proofOfPossession(pop ?? String(decoding: own ?? [], as: UTF8.self))
        case .srp6a(.password(let username, let password)): return .srp6a(username: username, password: password)
        case .srp6a(.verifier): return nil
        }
    }
}
