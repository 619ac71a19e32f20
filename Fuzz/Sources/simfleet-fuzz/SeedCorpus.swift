import DeviceCore
#if canImport(Glibc)
import Glibc
#endif

/// The committed seed corpora (`Fuzz/corpus/TARGET/seed-N`), made by the project's own writers:
/// `AppImageBuilder`, `SignatureBlock.encode`, `PartitionTable.binary`, `OTASelectEntry.sealed`,
/// the heartbeat writer. `scripts/fuzz --seeds` rewrites them (`FUZZ_TARGET=write-seeds`).
enum SeedCorpus {
    static func all() -> [String: [[UInt8]]] {
        let image = AppImageBuilder.simple(chip: .esp32c6, version: "2.0.0", payload: Array(0..<200), hasher: SoftwareSHA256.self)
        let heartbeat = Heartbeat(id: "esp32-a1b2c3", firmware: "1.0.0", state: .online, uptimeSeconds: 3600, rssi: -58,
                                  freeHeap: 241_000, resetReason: .powerOn, bootCount: 3, seq: 17,
                                  timestamp: Instant(milliseconds: 1_764_396_000_123)).encodedBytes()
        let otaCommand = #"{"version":"2.0.0","url":"http://127.0.0.1:8080/fw.bin","sha256":"\#(String(repeating: "ab", count: 32))","size":1024}"#
        return [
            "json": [heartbeat, b(otaCommand), b(#"[1,-2.5e3,true,false,null,"\u00e9\n\"x\"",{"a":{"b":[]}}]"#), b("{}")],
            "ota-command": [b(otaCommand), b(#"{"action":"check"}"#), b(#"{"url":"https://fw.example/1.bin","version":"v1.2.3","size":null}"#)],
            "ota-manifest": [b(#"{"version":"2.1.0","firmware_url":"https://fw.example/2.1.0.bin","released":"2026-01-01","notes":"fixes"}"#)],
            "dns": [dnsQuery(["connectivitycheck", "gstatic", "com"], type: 1),
                    dnsQuery(["captive", "apple", "com"], type: 28) + [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0]],
            "portal-form": [[0, 0] + b("ssid=home&password=hunter22"), [0, 0] + b("ssid=caf%C3%A9+wifi&password=%26%3D%25"), [1, 1]],
            "http-request": [
                [0] + b("POST /update HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(otaCommand.utf8.count)\r\n\r\n" + otaCommand),
                [0] + b("GET /status HTTP/1.1\r\nHost: esp32.local\r\n\r\n"),
                [0] + b("POST /test_update?force=1 HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n" + otaCommand),
                [1] + b("GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n"),
                [1] + b("POST /save HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nssid=home&password=hunter22"),
            ],
            "image": [[0x1F] + image, [0x00] + Array(image.prefix(300))],
            "signature": [signatureSector(.ecdsaP256, keyLength: 64, signatureLength: 64),
                          signatureSector(.rsa3072, keyLength: 384, signatureLength: 384)],
            "otadata": [[2, 0, 1, 1] + otadata(first: 1, second: 2), [2, 1, 0, 0] + otadata(first: 5, second: nil)],
            "partition-table": [PartitionTable.reference.binary + otadata(first: 1, second: 2)],
            "status": [heartbeat, heartbeat + [0] + b(#"{"id":"b","state":"offline"}"#) + [0] + heartbeat],
            "download-headers": [
                b("HTTP/1.1 200 OK\nContent-Length: 300\n\n") + Array(image.prefix(300)),
                b("HTTP/1.1 302 Found\nLocation: /b\n\nHTTP/1.1 200 OK\nContent-Length: 5000\n\n") + Array(image.prefix(100))
                    + b("\n--\nHTTP/1.1 206 Partial Content\nContent-Range: bytes 100-4999/5000\nContent-Length: 4900\n\n") + Array(image.dropFirst(100)),
            ],
        ]
    }

    static func write(to folder: String) {
        for (target, seeds) in all() {
            for (i, seed) in seeds.enumerated() {
                let path = folder + "/" + target + "/seed-" + String(i)
                guard let f = fopen(path, "wb") else { fputs("cannot write \(path)\n", stderr); exit(1) }
                _ = seed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
                fclose(f)
            }
        }
    }

    private static func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    private static func dnsQuery(_ labels: [String], type: UInt16) -> [UInt8] {
        var q: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for l in labels { q.append(UInt8(l.utf8.count)); q += l.utf8 }
        return q + [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
    }

    private static func signatureSector(_ scheme: SignatureScheme, keyLength: Int, signatureLength: Int) -> [UInt8] {
        let key: [UInt8]
        let signature: [UInt8]
        switch scheme {
        case .rsa3072:
            key = SignatureBlock.rsaKeyField(modulusBE: [UInt8](repeating: 0xC3, count: 384), exponent: 65537,
                                                     rinvBE: [UInt8](repeating: 0x11, count: 384), mPrime: 0x1234_5678)
            signature = SignatureBlock.rsaSignatureField(signatureBE: [UInt8](repeating: 0x5A, count: signatureLength))
        default:
            key = SignatureBlock.ecdsaKeyField(scheme: scheme, xBE: [UInt8](repeating: 0x21, count: keyLength / 2),
                                                       yBE: [UInt8](repeating: 0x43, count: keyLength / 2))
            signature = SignatureBlock.ecdsaSignatureField(scheme: scheme, rBE: [UInt8](repeating: 0x65, count: signatureLength / 2),
                                                                   sBE: [UInt8](repeating: 0x87, count: signatureLength / 2))
        }
        let block = SignatureBlock.encode(scheme: scheme, imageDigest: [UInt8](repeating: 0xAB, count: 32),
                                                  keyField: key, signatureField: signature)
        return SignatureBlock.sector(blocks: [block])
    }

    /// The two otadata entries (sealed; nil: erased) as the targets read them (`otadataPartition`).
    private static func otadata(first: UInt32?, second: UInt32?) -> [UInt8] {
        func entry(_ seq: UInt32?) -> [UInt8] {
            seq.map { OTASelectEntry.sealed(sequence: $0, state: .valid).bytes } ?? OTASelectEntry.erased.bytes
        }
        return entry(first) + entry(second)
    }
}
