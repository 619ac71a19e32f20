import DeviceCore

/// What every device host of a run gets from the fleet's firmware: its OTA settings and a
/// factory-fresh chip (copies share the factory image and the partition table).
struct FleetFirmwareSetup: Sendable {
    let settings: DeviceOTASettings
    /// The chip as built at the factory, by the firmware version it ships with.
    let templates: [String: DeviceChip]

    /// A new device's chip: the factory image of `version` in ota_0, otadata erased, the fleet's eFuses.
    /// Its boots keep only the version they started (`Chip.keepsBootOutcome`): nothing in a fleet
    /// reads more.
    func chip(version: String) -> DeviceChip? { templates[version] }
}

extension FleetRunner {
    /// Builds the fleet's firmware (`configuration.ota`): the factory image every device starts
    /// with, the releases and `manifest.json` the embedded origin serves, and the devices' OTA
    /// settings and eFuses (Secure Boot with the signing key's digest when images are signed).
    /// nil when flash is not modelled.
    /// Flash bytes the devices hold privately (image bytes not shared, otadata): what a fleet's
    /// flash costs beyond the shared images. Blocks until every reactor has answered.
    public func privateFlashBytes() -> Int {
        shards.reduce(0) { total, shard in
            total + syncOn(shard.reactor) { shard.hosts.reduce(0) { $0 + ($1.chip?.flash.privateBytes ?? 0) } }
        }
    }

    /// Builds release `version` (once), serves it from the embedded origin as `fw-<version>.bin`
    /// and, with `manifest`, points `manifest.json` at it: a rollout decided during the run.
    /// Returns the image's URL.
    @discardableResult
    public func publishRelease(_ version: String, manifest: Bool = true) throws(FirmwareCatalogError) -> String {
        guard let firmware, let origin else { throw .write("no embedded origin or no firmware catalog in this run") }
        try firmware.publish([version], manifestRelease: manifest ? version : nil, to: origin)
        return origin.url(of: FirmwareCatalog.fileName(version))
    }

    func prepareFirmware() throws(FirmwareCatalogError) -> FleetFirmwareSetup? {
        let c = configuration
        let o = c.ota
        guard o.modelFlash else { return nil }
        let catalog = try FirmwareCatalog(chip: c.chip, payloadBytes: o.imagePayloadBytes, signingKeyPath: o.signingKeyPath,
                                          appVersions: o.appVersions)
        firmware = catalog
        var manifestURL = o.manifestURL
        if let origin {
            let release = o.manifestRelease ?? o.releases.last
            try catalog.publish(o.releases, manifestRelease: release, to: origin)
            // Devices check the origin's manifest even before one is published (a 404 until then).
            if manifestURL == nil { manifestURL = origin.url(of: "manifest.json") }
        }
        let efuses = catalog.trustedKeyDigest.map { EFuses(keyDigests: [$0], secureBootEnabled: true) } ?? EFuses()
        var templates: [String: DeviceChip] = [:]
        for version in Set([c.firmwareVersion] + (c.shapes?.groups.map(\.firmwareVersion) ?? [])) {
            templates[version] = DeviceChip(chip: c.chip, factoryImage: try catalog.image(version), efuses: efuses,
                                            brokenReleases: o.brokenReleases, keepsBootOutcome: false)
        }
        return FleetFirmwareSetup(settings: o.deviceSettings(manifestURL: manifestURL), templates: templates)
    }
}

/// What the devices' updaters did during a run, summed over the fleet (the report's `ota` section).
public struct OTAOutcomes: Sendable, Equatable {
    /// Updates accepted and started (a download began).
    public var started = 0
    /// Verified images committed to otadata (the device rebooted into them).
    public var committed = 0
    /// New images confirmed VALID after reaching the broker.
    public var succeeded = 0
    /// Updates refused or abandoned, and by `OTAError.kind`.
    public var refused = 0
    public var refusedByKind: [String: Int] = [:]
    /// Manifest checks (`{"action":"check"}`, `POST /update`, polls) and those that failed, by kind.
    public var manifestChecks = 0
    public var manifestFailures = 0
    public var manifestFailuresByKind: [String: Int] = [:]
    /// OTA commands the devices could not read (not JSON, a field missing or of the wrong type, too
    /// large): each device logged and ignored them, so they start nothing but are a backend's bug.
    public var rejectedCommands = 0

    /// Another part's outcomes (a reactor's devices) added to these.
    mutating func add(_ o: OTAOutcomes) {
        started += o.started
        committed += o.committed
        succeeded += o.succeeded
        refused += o.refused
        for (k, n) in o.refusedByKind { refusedByKind[k, default: 0] += n }
        manifestChecks += o.manifestChecks
        manifestFailures += o.manifestFailures
        for (k, n) in o.manifestFailuresByKind { manifestFailuresByKind[k, default: 0] += n }
        rejectedCommands += o.rejectedCommands
    }

    mutating func add(_ c: DeviceCounters) {
        rejectedCommands += c.rejectedCommands
        manifestChecks += c.manifestChecks
        manifestFailures += c.manifestFailures
        for k in c.manifestFailureKinds { manifestFailuresByKind[k.kind, default: 0] += k.count }
        started += c.otaUpdatesStarted
        committed += c.otaImagesCommitted
        succeeded += c.otaConfirmed
        refused += c.otaRefusals
        for k in c.otaRefusalKinds { refusedByKind[k.kind, default: 0] += k.count }
    }
}

extension FleetRunner {
    /// Sums every device's OTA counters (reactor threads; blocks until each has answered).
    func otaOutcomes() -> OTAOutcomes {
        var total = OTAOutcomes()
        for shard in shards {
            let part: OTAOutcomes = syncOn(shard.reactor) {
                var o = OTAOutcomes()
                for h in shard.hosts { o.add(h.firmware.counters) }
                return o
            }
            total.add(part)
        }
        return total
    }
}
