import COpenSSL
import DeviceCore
import Foundation
import SimFleet

// Cost of verifying a 1 MiB OTA image on the host: SHA-256 over the signed data plus the
// Secure Boot V2 signature (RSA-3072-PSS, ECDSA-P256), against an OpenSSL baseline measured in
// the same run. Usage: ota-verify-bench PACKAGE_ROOT [RUNS]

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { FileHandle.standardError.write(Data("usage: ota-verify-bench PACKAGE_ROOT [RUNS]\n".utf8)); exit(2) }
let root = URL(fileURLWithPath: arguments[1])
let runs = arguments.count > 2 ? max(5, Int(arguments[2]) ?? 9) : 9
let fixtures = root.deletingLastPathComponent().appendingPathComponent("shared/fixtures/esp")
let stopwatch = Stopwatch(runs: runs)
let mebibyte = 1 << 20

// 1 MiB of seeded bytes: already 4 KB aligned, so the signed data is exactly 1 MiB.
var random = SeededRandom(seed: 0x0_7A_2025)
var data = [UInt8](repeating: 0, count: mebibyte)
for i in stride(from: 0, to: mebibyte, by: 8) {
    var word = random.next()
    for j in 0..<8 { data[i + j] = UInt8(truncatingIfNeeded: word); word >>= 8 }
}
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ota-verify-bench-" + String(getpid()))
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }
let dataFile = scratch.appendingPathComponent("signed-data.bin")
try Data(data).write(to: dataFile)

/// SHA-256 of the signed data streamed in 4 KB chunks, as a download delivers it.
func streamedDigest<H: SHA256Hashing>(_ bytes: [UInt8], _: H.Type) -> [UInt8] {
    var hasher = H()
    var offset = 0
    while offset < bytes.count {
        hasher.update(bytes[offset..<min(offset + 4096, bytes.count)])
        offset += 4096
    }
    return hasher.finalize()
}

var rows: [(String, Double)] = []
@MainActor func record(_ name: String, _ samples: [Double]) { rows.append((name, median(samples))) }

// Baselines: raw one-shot EVP SHA-256 in process, and the openssl CLI on the same file.
record("baseline: EVP_Digest SHA-256, 1 MiB, one call", stopwatch.measure {
    var out = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    precondition(EVP_Digest(data, data.count, &out, &length, EVP_sha256(), nil) == 1)
})
/// `openssl speed -evp sha256` on 1 MiB buffers, each run 1 s: ms per 1 MiB, as the CLI measures it.
func opensslSpeed() throws -> [Double] {
    var samples: [Double] = []
    for _ in 0..<max(5, runs / 3) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["speed", "-evp", "sha256", "-bytes", String(mebibyte), "-seconds", "1", "-mr"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "+F:<n>:sha256:<bytes per second>"
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("+F:") }),
              let rate = Double(line.split(separator: ":").last ?? "")
        else { preconditionFailure("cannot read openssl speed output: " + output) }
        samples.append(Double(mebibyte) / rate * 1000)
    }
    return samples
}
record("baseline: `openssl speed -evp sha256 -bytes 1048576` (CLI, per 1 MiB)", try opensslSpeed())
record("OpenSSLSHA256 streamed in 4 KB chunks, 1 MiB", stopwatch.measure { _ = streamedDigest(data, OpenSSLSHA256.self) })
record("reference: DeviceCore SoftwareSHA256 streamed, 1 MiB", stopwatch.measure { _ = streamedDigest(data, SoftwareSHA256.self) })

for scheme in ["rsa3072", "ecdsa256"] {
    let keyPath = fixtures.appendingPathComponent("signing/keys/" + scheme + "_a.pem").path
    let key = try PEMKey(path: keyPath)
    let signed = try SignatureSectorWriter.sign(image: data, key: key)
    precondition(signed.count == mebibyte + 4096)
    let sector = Array(signed[mebibyte...])
    let trusted = try SecureBootPublicKey(key).digest
    let verifier = SignatureVerifier<OpenSSLCrypto>(trust: .digests([trusted]))
    let digest = OpenSSLSHA256.digest(data)
    record(scheme + ": signature block only (CRC, key digest, signature)", try stopwatch.measure {
        let index = try verifier.verify(sector: sector, signedDataDigest: digest)
        precondition(index == 0)
    })
    record(scheme + ": SHA-256 (OpenSSL) + signature, 1 MiB", try stopwatch.measure {
        let index = try verifier.verify(sector: sector, signedDataDigest: streamedDigest(data, OpenSSLSHA256.self))
        precondition(index == 0)
    })
    record(scheme + ": reference, SoftwareSHA256 + signature, 1 MiB", try stopwatch.measure {
        let index = try verifier.verify(sector: sector, signedDataDigest: streamedDigest(data, SoftwareSHA256.self))
        precondition(index == 0)
    })
    // The whole device-side check on the real 1.07 MB espsecure-signed fixture: image header,
    // checksum, appended SHA-256, signed-data SHA-256 and the signature (what `inspect --key` does).
    let real = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("signing/signed_" + scheme + ".bin")))
    let realKey = try SecureBootPublicKey(PEMKey(path: fixtures.appendingPathComponent("signing/keys/" + scheme + "_a.pub.pem").path))
    record(scheme + ": full inspect of the real signed image (" + String(real.count) + " B)", stopwatch.measure {
        precondition(ImageInspector.inspect(real, trustedKeys: [realKey]).passed)
    })
}

let baseline = rows[0].1
let formatter = ISO8601DateFormatter()
print("OTA verification benchmark, " + formatter.string(from: Date()) + ", median of " + String(runs) + " runs after one warm-up")
print("OpenSSL " + String(cString: OpenSSL_version(0)) + "; " + String(ProcessInfo.processInfo.activeProcessorCount) + " CPUs")
print("")
print("| measurement | median ms | × baseline |")
print("| --- | ---: | ---: |")
for (name, value) in rows {
    print("| " + name + " | " + ms(value) + " | " + String(format: "%.2f", value / baseline) + " |")
}
print("")
print("baseline = EVP_Digest SHA-256 of 1 MiB in process: " + String(format: "%.0f", Double(mebibyte) / 1_000_000 / (baseline / 1000)) + " MB/s")
