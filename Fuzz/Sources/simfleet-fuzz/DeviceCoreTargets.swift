import DeviceCore

/// Targets over DeviceCore's parsers: what a device reads from MQTT, HTTP, DNS and its own flash.
let deviceCoreTargets: [FuzzTarget] = [
    FuzzTarget(name: "json", summary: "JSONReader: any bytes; what parses re-encodes to the same value") { bytes in
        guard let value = try? JSONReader(maxBytes: 1 << 16, maxDepth: 32).parse(bytes) else { return }
        let again = try? JSONReader(maxBytes: 1 << 20, maxDepth: 32).parse(value.encodedBytes())
        fuzzCheck(again == value, "JSONWriter output does not read back to the same value")
    },
    FuzzTarget(name: "ota-command", summary: "OTA command on device/{id}/ota and POST /update bodies") { bytes in
        let parser = OTACommandParser()
        _ = try? parser.command(bytes)
        _ = try? parser.installRequest(bytes, origin: .httpTestUpdate, force: bytes.count % 2 == 0)
    },
    FuzzTarget(name: "ota-manifest", summary: "backend manifest, then the version check against the running one") { bytes in
        guard let manifest = try? OTACommandParser().manifest(bytes) else { return }
        _ = ManifestCheck.request(version: manifest.version, firmwareURL: manifest.firmwareURL, running: "1.0.0")
        _ = ManifestCheck.request(version: "1.0.0", firmwareURL: manifest.firmwareURL, running: manifest.version)
    },
    FuzzTarget(name: "dns", summary: "DNS query datagram to the captive portal's responder") { bytes in
        _ = try? DNSMessage(parsing: bytes)
        if let reply = DNSResponder().respond(to: bytes) {
            fuzzCheck(reply.count <= DNSMessage.maxUDPSize, "reply larger than a UDP DNS message")
            fuzzCheck((try? DNSHeader(parsing: reply))?.isResponse == true, "reply is not a DNS response")
        }
    },
    FuzzTarget(name: "portal-form", summary: "captive portal: form body decoding and the portal's routes") { bytes in
        _ = try? FormFields(decoding: bytes)
        var input = FuzzInput(bytes)
        let request = HTTPRequest(method: input.pick([.post, .get, .put]), path: input.pick(["/save", "/", "/scan", "/generate_204"]),
                                  headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                                  body: input.rest, declaredLength: input.rest.count)
        var portal = CaptivePortal(config: PortalConfig(deviceID: "esp32-fuzz"),
                                   networks: [ScannedNetwork(ssid: "home", bssid: [1, 2, 3, 4, 5, 6], rssi: -50, channel: 6, auth: .wpa2PSK)])
        _ = portal.handle(request, id: 1, at: Instant(milliseconds: 1000))
        _ = portal.tick(at: Instant(milliseconds: 60_000))
    },
    FuzzTarget(name: "image", summary: "app image header, segments and app descriptor, whole and streamed") { bytes in
        var input = FuzzInput(bytes)
        let chunk = 1 + Int(input.byte())
        let bytes = input.rest
        _ = try? ImageHeader.parse(bytes)
        if bytes.count > 32 { _ = try? AppDescriptor.parse(bytes[32...]) }
        let whole = try? AppImage.parse(bytes, hasher: SoftwareSHA256.self)
        var validator = ImageValidator<SoftwareSHA256>(policy: .init(chip: .esp32c6, slotSize: 1 << 20))
        var i = 0
        do {
            while i < bytes.count { try validator.consume(bytes[i..<min(i + chunk, bytes.count)]); i += chunk }
            try validator.finish()
        } catch {}
        _ = whole?.isValid
    },
    FuzzTarget(name: "signature", summary: "Secure Boot V2 signature sector: blocks parsed and verified") { bytes in
        var sector = bytes
        if sector.count < 4096 { sector += [UInt8](repeating: 0xFF, count: 4096 - sector.count) }
        _ = try? SignatureBlock.parseAll(sector: sector)
        _ = try? SignatureBlock.parse(sector: bytes, index: 0)
        let digest = [UInt8](repeating: 0xAB, count: 32)
        let verifier = SignatureVerifier<SoftwareCrypto>(trust: .digests([digest]))
        _ = try? verifier.verify(sector: sector, signedDataDigest: digest)
    },
    FuzzTarget(name: "otadata", summary: "otadata partition: boot slot selection and the writes an update makes") { bytes in
        var input = FuzzInput(bytes)
        let slotCount = 1 + Int(input.byte() % 16)
        let hasFactory = input.flag(), rollback = input.flag()
        let slot = Int(input.byte()) % slotCount
        let otadata = OTAData.parse(otadataPartition(entries: input.rest))
        _ = otadata.activeIndex
        _ = BootSlots.decide(otadata, slotCount: slotCount, hasFactory: hasFactory, rollbackEnabled: rollback, otadataOffset: 0xD000)
        // Refused (no such slot, sequence used up) is a typed answer; a write must select its slot.
        if let write = try? otadata.settingBootSlot(slot, slotCount: slotCount, rollbackEnabled: rollback) {
            let after = otadata.applying(sector: write.sector, entry: write.entry)
            // ESP-IDF's own arithmetic (`(seq - 1) % count`, unsigned) only holds for the sequences it
            // writes itself: from 1, far from wrapping. Sequence 0 or near 2^32 is foreign otadata.
            let sane = otadata.activeIndex.map { (1..<0x8000_0000).contains(otadata.entries[$0].sequence) } ?? true
            fuzzCheck(!sane || after.activeIndex.map { OTAData.slot(forSequence: after.entries[$0].sequence, slotCount: slotCount) } == slot,
                      "settingBootSlot(\(slot)) of \(slotCount) over \(otadata.entries) wrote \(write), selects \(String(describing: after.activeIndex))")
        }
        _ = otadata.markingActive(.valid)
    },
    FuzzTarget(name: "partition-table", summary: "partition table, then a boot with it over fuzzed otadata") { bytes in
        let tableBytes = Array(bytes.prefix(0xC00))
        guard let table = try? PartitionTable.parse(tableBytes) else { return }
        var flash = NORFlash(size: 0x40000)
        if let otadata = table.otaData, otadata.offset >= 0, otadata.offset <= 0x40000 - OTAData.partitionSize {
            _ = try? flash.write(offset: otadata.offset, bytes: otadataPartition(entries: Array(bytes.dropFirst(0xC00))))
        }
        var efuses = EFuses()
        _ = try? Bootloader<SoftwareCrypto>(chip: .esp32c6, partitions: table).boot(flash: &flash, efuses: &efuses)
    },
]

/// An otadata partition (two 4 KB sectors, 0xFF) whose sectors start with the first and second
/// 32 bytes of `entries`: only those are read, so inputs stay small.
func otadataPartition(entries: [UInt8]) -> [UInt8] {
    var raw = [UInt8](repeating: 0xFF, count: OTAData.partitionSize)
    for (i, b) in entries.prefix(64).enumerated() { raw[i < 32 ? i : 4096 + i - 32] = b }
    return raw
}

/// Reads choices off the front of a fuzz input; `rest` is what is left.
struct FuzzInput {
    private(set) var rest: [UInt8]

    init(_ bytes: [UInt8]) { rest = bytes }

    mutating func byte() -> UInt8 { rest.isEmpty ? 0 : rest.removeFirst() }
    mutating func flag() -> Bool { byte() & 1 == 1 }
    mutating func pick<T>(_ options: [T]) -> T { options[Int(byte()) % options.count] }
}

/// A device on a virtual clock, booted online (station) or into its captive portal (AP mode).
struct FuzzDevice {
    var device: Device<SoftwareCrypto>
    var now = Instant(milliseconds: 1_764_396_000_000)
    /// Every action since the harness last emptied it.
    var actions: [Action] = []

    init(accessPoint: Bool) {
        let wifi: WiFiCredentials? = accessPoint ? nil : WiFiCredentials(ssid: "home", password: "hunter22")
        device = Device(config: DeviceConfig(baseMAC: [0x40, 0x4C, 0xCA, 0xA1, 0xB2, 0xC3], firmwareVersion: "1.0.0",
                                             randomSeed: 42, wifi: wifi))
        send(.powerOn(.powerOn, boot: BootInfo(slot: 0, firmwareVersion: "1.0.0")))
        if !accessPoint {
            send(.wifi(.connected(ip: IPv4Address(192, 168, 1, 57), rssi: -58)))
            send(.mqtt(.connected))
        }
    }

    mutating func send(_ event: Event) {
        actions += device.handle(event, at: now)
    }

    /// Fires up to `count` deadlines, as a host's timer would.
    mutating func runDeadlines(count: Int) {
        for _ in 0..<count {
            guard let deadline = device.nextDeadline else { return }
            fuzzCheck(deadline >= now, "deadline in the past")
            now = deadline
            send(.tick)
        }
    }
}
