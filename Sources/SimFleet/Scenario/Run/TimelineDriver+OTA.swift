import DeviceCore
import Foundation

/// `rollout` and `firmware_fault`: OTA commands to a cohort through the broker, and faults of the
/// embedded origin aimed at the plan's devices (they name themselves in the download URL).
extension TimelineDriver {
    /// Sends the cohort an install command (`via: mqtt`, the origin's image or the step's `url`), or
    /// points the manifest at the version and sends `{"action":"check"}` (`via: manifest`), or only
    /// points the manifest at it for polling devices (`via: poll`). Devices already on the version, or (with
    /// `from_version`) not on that one any more, are left out, as a rollout tool would.
    func rollout(_ r: Rollout, targets: [Int]) {
        let running = runner.runningVersions(devices: targets)
        let cohort = targets.filter { i in
            guard let v = running[i], v != r.version else { return false }
            return r.selector.version == nil || r.selector.version == v
        }
        log("simfleet: rollout of " + r.version + " to " + String(cohort.count) + " of " + String(targets.count)
            + " planned devices (the others already run it or left " + (r.selector.version ?? "their version") + ")")
        guard !cohort.isEmpty else { return }
        if r.via == .mqtt, let url = r.url {
            // An image served elsewhere (the backend's firmware server): the command names it as given.
            var members = [JSONMember("version", .string(r.version)), JSONMember("url", .string(url))]
            if let sha256 = r.sha256 { members.append(JSONMember("sha256", .string(sha256))) }
            if let size = r.size { members.append(JSONMember("size", .int(Int64(size)))) }
            runner.sendCommand(devices: cohort, payload: JSONValue.object(members).encodedBytes())
            return
        }
        guard let origin = runner.origin, let catalog = runner.firmware else {
            return fail("rollout " + r.version, "no embedded origin or firmware catalog in this run")
        }
        do {
            switch r.via {
            case .mqtt:
                let image = try catalog.image(r.version)
                let command = JSONValue.object([
                    JSONMember("version", .string(r.version)),
                    JSONMember("url", .string(origin.url(of: FirmwareCatalog.fileName(r.version)))),
                    JSONMember("sha256", .string(hexString(image.digest))),
                    JSONMember("size", .int(Int64(image.bytes.count))),
                ])
                runner.sendCommand(devices: cohort, payload: command.encodedBytes())
            case .manifest:
                try runner.publishRelease(r.version, manifest: true)
                runner.sendCommand(devices: cohort, payload: Array(#"{"action":"check"}"#.utf8))
            case .poll:
                try runner.publishRelease(r.version, manifest: true)
                log("simfleet: manifest.json names " + r.version + "; devices install it at their next poll")
            }
        } catch {
            fail("rollout " + r.version, String(describing: error))
        }
    }

    /// Aims the fault at the plan's devices (their downloads of `version`, or of every image).
    func firmwareFault(_ f: FirmwareFault, targets: [Int]) {
        let ids = Set(targets.map { plan.devices[$0].id })
        originFaults.targeted.append(TargetedFault(f, devices: ids))
        runner.setOriginFaults(originFaults)
        log("simfleet: firmware fault aimed at " + String(ids.count) + " devices' downloads")
    }
}
