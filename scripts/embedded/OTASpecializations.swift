// Instantiates the generic OTA code with SoftwareCrypto so that scripts/check-embedded-ota compiles
// its specialized bodies as Embedded Swift (unspecialized generics are never compiled there).
// Not part of the DeviceCore target.
public func _embeddedCheckOTA(flash: inout NORFlash, efuses: inout EFuses, now: Instant) -> Int {
    let loader = Bootloader<SoftwareCrypto>(chip: .esp32c6)
    guard let outcome = try? loader.boot(flash: &flash, efuses: &efuses) else { return -1 }
    var u = OTAUpdater<SoftwareCrypto>(config: OTAConfig(chip: .esp32c6, requireSignature: true), boot: OTABootState(outcome: outcome, efuses: efuses), at: now)
    var n = u.start(OTARequest(url: "http://x/f.bin", version: "1.0.1", origin: .mqttCommand), running: "1.0.0", at: now).count
    n += u.handle(.response(status: 200, contentLength: 10, rangeStart: 0), at: now).count
    n += u.handle(.data([1, 2, 3]), at: now).count
    n += u.tick(at: now).count + u.confirmRunningImage(at: now).count + u.progress.bytes
    let v = SignatureVerifier<SoftwareCrypto>(trust: .anyEmbeddedKey)
    n += (try? v.verify(sector: [], signedDataDigest: [])) ?? 0
    if case .success = ManifestCheck.request(version: "1", firmwareURL: "u", running: "0") { n += 1 }
    n += (try? PartitionTable.parse([]))?.partitions.count ?? 0
    return n
}
public func _embeddedCheckOTA2(bytes: [UInt8]) -> Int {
    var n = 0
    if let image = try? AppImage.parse(bytes) { n += image.segments.count }
    n += AppImageBuilder.simple(chip: .esp32c6, version: "1", hasher: SoftwareSHA256.self).count
    n += SignatureBlock.encode(scheme: .rsa3072, imageDigest: [], keyField: [], signatureField: []).count
    n += MD5.hash(bytes).count
    return n
}
public func _embeddedCheckDeviceOTA(now: Instant) -> Int {
    var device = Device<SoftwareCrypto>(config: DeviceConfig(baseMAC: [1, 2, 3, 4, 5, 6]))
    var n = device.handle(.powerOn(.powerOn, boot: BootInfo(slot: 0, firmwareVersion: "1.0.0")), at: now).count
    n += device.handle(.mqtt(.message(topic: device.topics.ota, payload: Array("{\"action\":\"check\"}".utf8))), at: now).count
    n += device.handle(.download(.response(status: 200, contentLength: 2, rangeStart: 0)), at: now).count
    n += device.handle(.tick, at: now).count
    return n
}
