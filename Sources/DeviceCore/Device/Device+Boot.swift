/// Power-on and restarts: what the firmware does between the bootloader handing over and the first
/// network event, and how it keeps a promise to restart.
extension Device {
    /// How many times this device has powered on (NVS keeps it across restarts): the `boot_count`
    /// of its status messages, so a shell need not read it back out of the JSON it publishes.
    public var bootCount: Int { nvs.bootCount }

    /// A fresh run: NVS counts the boot and records why it happened; RAM starts empty. With stored
    /// credentials the station joins its network, without them the access point opens.
    mutating func powerOn(_ reason: ResetReason, boot: BootInfo, at now: Instant, actions: inout [Action]) {
        nvs.bootCount += 1
        nvs.lastResetReason = reason
        counters.boots += 1
        let installed = nvs.release(ofSlot: boot.slot, factoryRelease: config.firmwareVersion)
        let reported = config.versionSource == .release ? (installed ?? boot.firmwareVersion) : boot.firmwareVersion
        cycle = PowerCycle(poweredOnAt: now, firmwareVersion: reported, installedRelease: installed)
        actions.append(.log(.info, "boot #" + decimal(Int64(nvs.bootCount)) + ", reset reason " + reason.name
                            + ", firmware " + reported))
        if let credentials = nvs.wifiCredentials {
            let wifi = WiFiStation(joining: credentials, actions: &actions, counters: &counters)
            let mqtt = MQTTSession()
            mode = .station(StationMode(wifi: wifi, mqtt: mqtt))
        } else {
            actions.append(.log(.info, "no WiFi credentials stored: starting access point " + accessPointName))
            enterProvisioning(lastFailure: nil, actions: &actions)
        }
        otaDidBoot(boot, at: now, actions: &actions)
    }

    /// Promises a restart `config.rebootDelay` from now, so the HTTP answer leaves first. A second
    /// request keeps the earlier promise.
    mutating func scheduleReboot(_ reason: ResetReason, at now: Instant, actions: inout [Action]) {
        guard cycle.pendingReboot == nil else { return }
        cycle.pendingReboot = PendingReboot(at: now + config.rebootDelay, reason: reason)
        actions.append(.log(.info, "restart in " + decimal(config.rebootDelay.milliseconds) + " ms"))
    }

    /// Restarts now: the host resets the chip and later delivers `.powerOn(reason, ...)`.
    mutating func restart(_ reason: ResetReason, actions: inout [Action]) {
        actions.append(.log(.info, "restarting (" + reason.name + ")"))
        actions.append(.reboot(reason))
        mode = .off
        cycle = PowerCycle(poweredOnAt: cycle.poweredOnAt, firmwareVersion: cycle.firmwareVersion,
                           installedRelease: cycle.installedRelease)
    }

    /// Time since the last power-on.
    public func uptime(at now: Instant) -> TimeSpan { now - cycle.poweredOnAt }

    /// The running firmware's version as the device reports it (`config.versionSource`; the factory
    /// version before boot).
    public var firmwareVersion: String { cycle.firmwareVersion }
}

/// Two release names for one release: equal text after a leading `v`.
func sameRelease(_ a: String, _ b: String) -> Bool {
    func stripped(_ s: String) -> Substring {
        if let f = s.utf8.first, f == UInt8(ascii: "v") || f == UInt8(ascii: "V") { return s.dropFirst() }
        return Substring(s)
    }
    return stripped(a) == stripped(b)
}
