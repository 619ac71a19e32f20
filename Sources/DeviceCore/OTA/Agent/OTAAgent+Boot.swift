/// A power-on as the agent sees it: the bootloader's report rebuilds the updater; a rollback is
/// logged and owed to the status topic; a PENDING_VERIFY image waits for the broker. Only those
/// two allocate the working state at boot; an ordinary boot leaves the agent idle and empty.
extension OTAAgent {
    mutating func boot(_ boot: BootInfo, at now: Instant, config: DeviceConfig, random: inout SeededRandom,
                       counters: inout DeviceCounters, actions: inout [Action]) {
        let poll: Instant? = config.manifestURL != nil && config.manifestPollInterval != nil ? now : nil
        reset(boot, nextPoll: nil)
        let state = boot.ota
        if (state?.pendingVerify ?? boot.pendingVerify) || boot.rolledBackFrom != nil { activate(config: config.otaConfig, at: now) }
        if let from = boot.rolledBackFrom {
            let cause = state?.rollbackCause
            counters.otaRollbacks += 1
            active.report = .rolledBack(from: from, cause: cause)
            actions.append(.log(.error, "ota: rolled back from " + from + " (" + (cause?.name ?? "unknown")
                                + "), running " + boot.firmwareVersion))
        }
        if let active = storage?.value, case .pendingVerify(let deadline) = active.updater.state {
            actions.append(.log(.info, "ota: " + boot.firmwareVersion + " is PENDING_VERIFY: confirming once the broker is reached (within "
                                + decimal((deadline - now).milliseconds) + " ms)"))
        }
        if let poll { nextPoll = poll + Self.pollWait(config, random: &random) }
        settle()
    }
}
