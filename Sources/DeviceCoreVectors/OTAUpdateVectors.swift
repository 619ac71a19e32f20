import DeviceCore

/// Version ordering and a whole update on a simulated chip: updater, NOR flash, bootloader and
/// eFuses, driven by download events on the virtual clock, through confirm and through rollback.
func otaUpdateVectors(_ emit: (String, String) -> Void) {
    var order: [String] = []
    let pairs: [(String, String)] = [
        ("v2025.03.25.155052", "2025.03.25.155052"), ("1.2.0", "1.10.0"), ("1.2", "1.2.0.0"),
        ("1.2.0-rc.1", "1.2.0"), ("1.2.0-rc.2", "1.2.0-rc.10"), ("1.2.0-alpha", "1.2.0-1"), ("1.2.0+build7", "1.2.0"),
        ("e097db2-dirty", "1.0.0"), ("v", "1"), ("99999999999999999999", "1"),
    ]
    for (a, b) in pairs {
        let va = FirmwareVersion(a), vb = FirmwareVersion(b)
        let relation: String
        if let x = va, let y = vb { relation = x < y ? "<" : (y < x ? ">" : "==") } else { relation = "n/a" }
        order.append(a + " " + relation + " " + b)
    }
    let decisions: [(String?, String, Bool)] = [
        ("2025.03.25.124759", "v2025.03.23.184616", false), ("v2025.03.23.184616", "2025.03.23.184616", false),
        ("2025.03.22", "2025.03.23.184616", false), ("2025.03.22", "2025.03.23.184616", true), (nil, "1.0.0", false),
        ("e097db2-dirty", "cc3ca8c", false), ("ve097db2-dirty", "e097db2-dirty", false),
    ]
    for (offered, running, force) in decisions {
        let text: String
        switch UpdateDecision.decide(offered: offered, running: running, force: force) {
        case .install: text = "install"
        case .notNewer(let o, let r): text = "not newer (" + o + " vs " + r + ")"
        case .unknownVersion: text = "unknown version"
        }
        order.append("decide " + optional(offered) + " on " + running + (force ? " forced" : "") + ": " + text)
    }
    emit("ota.version-order", joined(order, "\n"))

    emit("ota.update-confirmed", simulatedUpdate(confirm: true))
    emit("ota.update-rolled-back", simulatedUpdate(confirm: false))
    emit("ota.resume-length-overflow", resumeLengthOverflow())
}

/// A resumed 206 at the right offset whose Content-Length plus that offset does not fit an `Int`
/// (32 bits on the chip): refused as too large, the transfer cancelled, nothing trapped. Log lines
/// and the reason name `Int.max`, which differs between the ISAs: only the kind is rendered.
func resumeLengthOverflow() -> String {
    let config = OTAConfig(chip: .esp32c6)
    var updater = OTAUpdater<SoftwareCrypto>(config: config, boot: OTABootState(assuming: vectorBoot), at: vectorEpoch)
    let image = AppImageBuilder.simple(chip: .esp32c6, version: "2.0.0", payload: [UInt8](repeating: 1, count: 600),
                                       hasher: SoftwareSHA256.self)
    let request = OTARequest(url: "http://127.0.0.1:8080/fw.bin", version: "2.0.0", sha256: nil, size: nil, origin: .mqttCommand)
    var now = vectorEpoch
    var lines: [String] = []
    var lastRefusal: OTAError?
    func step(_ name: String, _ out: OTAUpdater<SoftwareCrypto>.Output) {
        var rendered: [String] = []
        for a in actionsWithRestart(out) where !isFlash(a) && !isLog(a) { rendered.append(renderAction(a)) }
        if let refusal = out.refusal { lastRefusal = refusal }
        lines.append(name + ": " + updater.state.name + " " + dec(updater.progress.bytes) + " [" + joined(rendered, "; ") + "]")
    }
    step("start", updater.start(request, running: "1.0.0", at: now))
    step("response", updater.handle(.response(status: 200, contentLength: image.count, rangeStart: 0), at: now))
    step("data", updater.handle(.data(Array(image[0..<300])), at: now))
    step("dropped", updater.handle(.failed(.connectionLost), at: now))
    if let due = updater.deadline { now = due }
    step("retry", updater.tick(at: now))
    step("huge-length", updater.handle(.response(status: 206, contentLength: Int.max, rangeStart: 300), at: now))
    lines.append("error " + optional(lastRefusal.map { $0.kind }))
    return joined(lines, "\n")
}

/// The updater's actions as the transcript always showed them: a requested restart last, as the
/// `reboot` the device performs for it.
private func actionsWithRestart(_ out: OTAUpdater<SoftwareCrypto>.Output) -> [Action] {
    out.notice == nil ? out.actions : out.actions + [.reboot(.software)]
}

private func isFlash(_ action: Action) -> Bool {
    if case .flash = action { return true }
    return false
}

private func isLog(_ action: Action) -> Bool {
    if case .log = action { return true }
    return false
}

/// A chip with `2025.03.23.184616` in ota_0 that downloads `2025.03.25.124759` (a small image built
/// by AppImageBuilder) in 300-byte chunks with one dropped connection, verifies, commits otadata,
/// reboots into the new slot and then confirms it, or never confirms and rolls back.
func simulatedUpdate(confirm: Bool) -> String {
    let config = OTAConfig(chip: .esp32c6, confirmWithin: .seconds(20))
    let bootloader = Bootloader<SoftwareCrypto>(chip: .esp32c6, partitions: config.partitions)
    var flash = NORFlash()
    var efuses = EFuses()
    var lines: [String] = []
    var now = vectorEpoch
    let running = AppImageBuilder.simple(chip: .esp32c6, version: "2025.03.23.184616", hasher: SoftwareSHA256.self)
    var payload: [UInt8] = []
    var random = SeededRandom(seed: 2025)
    for _ in 0..<900 { payload.append(UInt8(truncatingIfNeeded: random.next())) }
    let offered = AppImageBuilder.simple(chip: .esp32c6, version: "2025.03.25.124759", payload: payload,
                                         hasher: SoftwareSHA256.self)
    do { try flash.write(offset: config.partitions.otaSlots[0].offset, bytes: running) } catch { return "install failed" }

    func powerOn() -> OTAUpdater<SoftwareCrypto>? {
        do {
            let outcome = try bootloader.boot(flash: &flash, efuses: &efuses)
            let info = outcome.bootInfo
            lines.append("[boot @+" + dec((now - vectorEpoch).milliseconds) + "] slot=" + optional(info.slot.map(dec))
                         + " fw=" + info.firmwareVersion + " pending_verify=" + yesNo(info.pendingVerify)
                         + " rolled_back_from=" + optional(info.rolledBackFrom))
            for line in outcome.log { lines.append("  " + line) }
            return OTAUpdater(config: config, boot: OTABootState(outcome: outcome, efuses: efuses), at: now)
        } catch {
            lines.append("[boot] failed")
            return nil
        }
    }
    func perform(_ name: String, _ out: OTAUpdater<SoftwareCrypto>.Output, _ updater: OTAUpdater<SoftwareCrypto>) {
        let actions = actionsWithRestart(out)
        var line = "[" + name + " @+" + dec((now - vectorEpoch).milliseconds) + "] " + updater.state.name
        let p = updater.progress
        line += " " + dec(p.bytes) + "/" + optional(p.total.map(dec))
        lines.append(line)
        for action in actions {
            if case .flash(let op) = action {
                do { try flash.apply(op) } catch { lines.append("  flash error " + error.reason) }
            } else if case .burnSecureVersion(let v) = action {
                efuses.burnSecureVersion(v)
            }
            lines.append("  " + renderAction(action))
        }
    }

    guard var updater = powerOn() else { return joined(lines, "\n") }
    let request = OTARequest(url: "http://127.0.0.1:8080/fw.bin", version: "v2025.03.25.124759",
                             sha256: SoftwareSHA256.hash(offered[...]), size: offered.count, origin: .mqttCommand)
    perform("start", updater.start(request, running: "2025.03.23.184616", at: now), updater)
    perform("response", updater.handle(.response(status: 200, contentLength: offered.count, rangeStart: 0), at: now), updater)
    var offset = 0
    while offset < 600 {
        now = now + .milliseconds(10)
        perform("data", updater.handle(.data(Array(offered[offset..<(offset + 300)])), at: now), updater)
        offset += 300
    }
    perform("dropped", updater.handle(.failed(.connectionLost), at: now), updater)
    if let due = updater.deadline { now = due }
    perform("retry", updater.tick(at: now), updater)
    perform("resumed", updater.handle(.response(status: 206, contentLength: offered.count - offset, rangeStart: offset),
                                      at: now), updater)
    while offset < offered.count {
        now = now + .milliseconds(10)
        let end = min(offset + 300, offered.count)
        perform("data", updater.handle(.data(Array(offered[offset..<end])), at: now), updater)
        offset = end
    }
    perform("finished", updater.handle(.finished, at: now), updater)
    if let due = updater.deadline { now = max(now, due) }
    perform("verify", updater.tick(at: now), updater)

    now = now + .seconds(1)
    guard var second = powerOn() else { return joined(lines, "\n") }
    if confirm {
        now = now + .seconds(5)
        perform("confirm", second.confirmRunningImage(at: now), second)
    } else {
        if let due = second.deadline { now = due }
        perform("confirm-deadline", second.tick(at: now), second)
    }
    now = now + .seconds(1)
    _ = powerOn()
    let otadata = OTAData.parse((try? flash.read(offset: 0xD000, length: OTAData.partitionSize)) ?? [])
    var entries: [String] = []
    for e in otadata.entries { entries.append("seq=" + dec(Int64(e.sequence)) + " " + e.state.name) }
    lines.append("otadata: " + joined(entries, ", "))
    return joined(lines, "\n")
}
