import DeviceCore

/// Vectors for the primitives every machine builds on: seeded randomness, time text, byte and
/// number text, chip and reset-reason names. A 32-bit core does 64-bit arithmetic in pairs of
/// registers, so these are where a width bug would show first.
func supportVectors(_ emit: (String, String) -> Void) {
    var rng = SeededRandom(seed: 42)
    var draws: [String] = []
    for _ in 0..<6 { draws.append(hex64(rng.next())) }
    emit("random.splitmix64.seed42", joined(draws, " "))

    var bounded = SeededRandom(seed: 0xDEAD_BEEF)
    var small: [String] = []
    for bound: UInt64 in [0, 1, 6, 999, 30_000, UInt64(Int64.max), UInt64.max] {
        small.append(dec(bounded.next(upTo: bound)))
    }
    emit("random.bounded.seed-deadbeef", joined(small, " ") + " state=" + hex64(bounded.state))

    var times: [String] = []
    for us: Int64 in [0, 7, 1_000, 1_764_396_000_123_456, -1_500, Int64.max] {
        times.append(Instant(microseconds: us).millisecondsText)
    }
    let later = Instant(milliseconds: 1_764_396_000_000) + .seconds(30) + .milliseconds(250)
    times.append(decimal((later - Instant(milliseconds: 1_764_396_000_000)).milliseconds))
    times.append(decimal((TimeSpan.seconds(3) * 7).microseconds))
    emit("time.instant-text", joined(times, " "))

    var numbers: [String] = []
    for v: Int64 in [0, 9, -1, 1_000_000_007, Int64.max, Int64.min] { numbers.append(decimal(v)) }
    emit("text.decimal", joined(numbers, " "))

    let bytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF]
    let hex = hexString(bytes)
    let back = bytesFromHex("00017F80abFF").map { hexString($0) } ?? "nil"
    let odd = bytesFromHex("abc").map { hexString($0) } ?? "nil"
    let bad = bytesFromHex("zz").map { hexString($0) } ?? "nil"
    emit("text.hex", hex + " " + back + " " + odd + " " + bad)

    var chips: [String] = []
    for chip: ChipModel in [.esp32, .esp32s3, .esp32c3, .esp32c6] {
        let roundTrip = ChipModel(imageChipID: chip.imageChipID) == chip
        chips.append(chip.idPrefix + "/" + chip.displayName + "/0x" + hex16(chip.imageChipID) + "/" + yesNo(roundTrip))
    }
    for name in ["ESP32-C6", "esp32_s3", "Esp32C3", "esp8266", ""] {
        chips.append(name + "->" + optional(ChipModel(name: name)?.idPrefix))
    }
    chips.append("id7->" + optional(ChipModel(imageChipID: 7)?.idPrefix))
    emit("chip.models", joined(chips, " "))

    var reasons: [String] = []
    let all: [ResetReason] = [.powerOn, .external, .software, .panic, .interruptWatchdog, .taskWatchdog,
                              .otherWatchdog, .deepSleep, .brownout, .sdio, .unknown]
    for r in all { reasons.append(r.name + (ResetReason(name: r.name) == r ? "" : "!")) }
    for alias in ["power-on", "deep_sleep", "external", "reboot"] {
        reasons.append(alias + "->" + optional(ResetReason(name: alias)?.name))
    }
    emit("reset.reasons", joined(reasons, " "))

    let addresses = [IPv4Address.softAPDefault, IPv4Address(0, 0, 0, 0), IPv4Address(255, 255, 255, 255),
                     IPv4Address(127, 0, 1, 42)]
    var texts: [String] = []
    for a in addresses { texts.append(a.text) }
    texts.append(yesNo(IPv4Address(192, 168, 4, 1) == .softAPDefault))
    emit("net.ipv4-text", joined(texts, " "))

    var modes: [String] = []
    for name in ["open", "wpa2", "wpa_wpa2_psk", "wpa3", "wpa2_enterprise", "wapi"] {
        modes.append(name + "->" + optional(WiFiAuthMode(name: name)?.name))
    }
    emit("wifi.auth-modes", joined(modes, " "))
}
