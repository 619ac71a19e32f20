import DeviceCore
import DeviceCoreVectors
import Foundation
import XCTest
@testable import SimFleet

/// The provisioning vectors' crypto, checked on the host with OpenSSL: the client requests they
/// replay are what SimFleet's client sends, every answer in `provisioningKnownAnswers` is what
/// OpenSSL computes for its inputs (and the vectors ask for no other), and the same vectors run
/// with OpenSSL print exactly the lines of `Tests/RISCV/expected.txt` that QEMU must print with the
/// table. With SIMFLEET_UPDATE_GOLDEN=1 the two generated sources are rewritten instead (rebuild,
/// then rewrite expected.txt with `scripts/riscv-test --update-expected`).
final class ProvisioningKnownAnswerTests: XCTestCase {
    static let vectorsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/DeviceCoreVectors")
    static var updating: Bool { ProcessInfo.processInfo.environment["SIMFLEET_UPDATE_GOLDEN"] == "1" }

    static let sec1 = SoftAPProvisioningConfig.reference
    static let sec2 = SoftAPProvisioningConfig(security: .srp6a(.password(username: "wifiprov", password: "abcd1234")),
                                               serviceName: "iot-ctrlr")

    /// What SimFleet's client sends with fixed keys to a service seeded with 14.
    static func clientRequests(_ config: SoftAPProvisioningConfig, _ security: ClientSecurity) throws -> [String] {
        let service = VectorService(config)
        var fixed = SeededRandom(seed: 1414)
        let session = ProtocommClientSession(security: security) { count in
            var out: [UInt8] = []
            while out.count < count { out.append(UInt8(truncatingIfNeeded: fixed.next())) }
            return out
        }
        let client = ProvisioningClient(transport: service, session: session)
        _ = try client.protoVersion()
        try client.establishSession()
        _ = try client.setConfig(ssid: "home", passphrase: "hunter22")
        _ = try client.applyConfig()
        service.joinNow()
        _ = try client.status()
        return service.sent.map { hexString($0) }
    }

    /// The known answers the secure sessions need, recorded from OpenSSL.
    static func record(_ sec1Requests: [String], _ sec2Requests: [String]) -> [(String, String)] {
        RecordingCrypto.answers = []
        _ = secureScript(sec1, sec1Requests, crypto: RecordingCrypto.self)
        _ = secureScript(sec2, sec2Requests, crypto: RecordingCrypto.self)
        var seen = Set<String>()
        return RecordingCrypto.answers.filter { seen.insert($0.0).inserted }
    }

    func testReplayedRequestsAreWhatSimFleetsClientSends() throws {
        let sec1 = try Self.clientRequests(Self.sec1, .proofOfPossession("12345678"))
        let sec2 = try Self.clientRequests(Self.sec2, .srp6a(username: "wifiprov", password: "abcd1234"))
        if Self.updating {
            try Self.writeRequests(sec1, sec2)
            try Self.writeAnswers(Self.record(sec1, sec2))
            throw XCTSkip("rewrote ProvisioningClientRequests.swift and ProvisioningKnownAnswers.swift: rebuild, then "
                          + "SIMFLEET_UPDATE_GOLDEN=1 for expected.txt")
        }
        XCTAssertEqual(sec1VectorRequests, sec1)
        XCTAssertEqual(sec2VectorRequests, sec2)
    }

    func testEveryKnownAnswerIsOpenSSLsAndTheVectorsNeedNoOther() throws {
        try XCTSkipIf(Self.updating)
        let recorded = Self.record(sec1VectorRequests, sec2VectorRequests)
        XCTAssertGreaterThan(recorded.count, 20)
        let table = Dictionary(provisioningKnownAnswers, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(table.count, provisioningKnownAnswers.count, "duplicate keys in the table")
        for (key, answer) in recorded {
            XCTAssertEqual(table[key], answer, key)
        }
        XCTAssertEqual(Set(recorded.map(\.0)), Set(table.keys), "the table holds exactly what the vectors ask")
    }

    func testProvisioningVectorsWithOpenSSLPrintTheCommittedLines() throws {
        try XCTSkipIf(Self.updating)
        let expected = try String(contentsOf: GoldenTranscriptTests.expectedURL, encoding: .utf8).split(separator: "\n")
        var checked = 0
        provisioningVectors({ name, output in
            let line = goldenLine(name: name, output: output)
            XCTAssertTrue(expected.contains { $0 == line }, "with OpenSSL, " + name + " differs from expected.txt")
            checked += 1
        }, crypto: OpenSSLCrypto.self)
        XCTAssertGreaterThanOrEqual(checked, 5)
        // And the golden run (known answers) prints the same lines.
        var golden: [String] = []
        provisioningVectors({ golden.append(goldenLine(name: $0, output: $1)) }, crypto: KnownAnswerCrypto.self)
        var openSSL: [String] = []
        provisioningVectors({ openSSL.append(goldenLine(name: $0, output: $1)) }, crypto: OpenSSLCrypto.self)
        XCTAssertEqual(golden, openSSL)
        XCTAssertFalse(openSSL.joined().contains("crypto_unavailable"))
    }

    static func writeRequests(_ sec1: [String], _ sec2: [String]) throws {
        func list(_ items: [String]) -> String { "[\n" + items.map { "    \"" + $0 + "\",\n" }.joined() + "]" }
        let text = """
            // The requests SimFleet's provisioning client sent, with fixed client keys, to a service seeded
            // with 14 (`provisioningVectors`): version, the two session commands, SetConfig home/hunter22,
            // ApplyConfig, GetStatus. RISCVGoldenTests regenerates them with the client and checks they are
            // these bytes (SIMFLEET_UPDATE_GOLDEN=1 rewrites this file).

            /// Security 1, PoP 12345678.
            public let sec1VectorRequests: [String] = \(list(sec1))

            /// Security 2, wifiprov / abcd1234.
            public let sec2VectorRequests: [String] = \(list(sec2))

            """
        try text.write(to: vectorsDir.appendingPathComponent("ProvisioningClientRequests.swift"), atomically: true, encoding: .utf8)
    }

    static func writeAnswers(_ answers: [(String, String)]) throws {
        var text = """
            // OpenSSL's answers to the crypto the provisioning vectors ask for (`KnownAnswerCrypto`), keyed by
            // operation and the SHA-256 of its inputs. RISCVGoldenTests checks OpenSSL still gives each one and
            // that the vectors ask for no other (SIMFLEET_UPDATE_GOLDEN=1 rewrites this file).
            public let provisioningKnownAnswers: [(String, String)] = [

            """
        for (key, answer) in answers { text += "    (\"" + key + "\", \"" + answer + "\"),\n" }
        text += "]\n"
        try text.write(to: vectorsDir.appendingPathComponent("ProvisioningKnownAnswers.swift"), atomically: true, encoding: .utf8)
    }
}

/// OpenSSL, with every provisioning answer written down under its known-answer key.
enum RecordingCrypto: DeviceCrypto {
    typealias Hasher = SoftwareSHA256
    nonisolated(unsafe) static var answers: [(String, String)] = []

    static func verifyRSAPSS(modulusBE: [UInt8], exponent: UInt32, digest: [UInt8], signatureBE: [UInt8]) -> Bool { false }
    static func verifyECDSAP256(x: [UInt8], y: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> Bool { false }

    static func note(_ op: KnownAnswerOperation, _ inputs: [[UInt8]], _ result: [UInt8]?) -> [UInt8]? {
        answers.append((knownAnswerKey(op, inputs), result.map { hexString($0) } ?? "nil"))
        return result
    }

    static func x25519PublicKey(privateKey: [UInt8]) -> [UInt8]? {
        note(.x25519PublicKey, [privateKey], OpenSSLCrypto.x25519PublicKey(privateKey: privateKey))
    }
    static func x25519SharedSecret(privateKey: [UInt8], peerPublicKey: [UInt8]) -> [UInt8]? {
        note(.x25519SharedSecret, [privateKey, peerPublicKey], OpenSSLCrypto.x25519SharedSecret(privateKey: privateKey, peerPublicKey: peerPublicKey))
    }
    static func aes256CTR(key: [UInt8], counter: [UInt8], streamOffset: Int, _ input: [UInt8]) -> [UInt8]? {
        note(.aes256CTR, [key, counter, Array(String(streamOffset).utf8), input],
             OpenSSLCrypto.aes256CTR(key: key, counter: counter, streamOffset: streamOffset, input))
    }
    static func aes256GCMSeal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8]) -> [UInt8]? {
        note(.aes256GCMSeal, [key, nonce, plaintext], OpenSSLCrypto.aes256GCMSeal(key: key, nonce: nonce, plaintext: plaintext))
    }
    static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], sealed: [UInt8]) -> [UInt8]? {
        note(.aes256GCMOpen, [key, nonce, sealed], OpenSSLCrypto.aes256GCMOpen(key: key, nonce: nonce, sealed: sealed))
    }
    static func sha512(_ message: [UInt8]) -> [UInt8]? { note(.sha512, [message], OpenSSLCrypto.sha512(message)) }
    static func modularExponentiation(base: [UInt8], exponent: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        note(.modularExponentiation, [base, exponent, modulus],
             OpenSSLCrypto.modularExponentiation(base: base, exponent: exponent, modulus: modulus))
    }
    static func modularMultiplication(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        note(.modularMultiplication, [a, b, modulus], OpenSSLCrypto.modularMultiplication(a, b, modulus: modulus))
    }
    static func modularAddition(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8]) -> [UInt8]? {
        note(.modularAddition, [a, b, modulus], OpenSSLCrypto.modularAddition(a, b, modulus: modulus))
    }
}

/// A service seeded like the vectors' (14), reached through the client's transport; records the
/// request bodies.
final class VectorService: ProvisioningTransport {
    var service: SoftAPProvisioning
    var random = SeededRandom(seed: 14)
    var now = Instant(milliseconds: 1_000_000)
    var nextID: UInt32 = 0
    var cookie: String?
    private(set) var sent: [[UInt8]] = []

    init(_ config: SoftAPProvisioningConfig) { service = SoftAPProvisioning(config: config) }

    func post(_ endpoint: String, _ body: [UInt8]) throws(ProvisioningClientError) -> [UInt8] {
        sent.append(body)
        nextID += 1
        var headers: [HTTPHeader] = []
        if let cookie { headers.append(HTTPHeader("Cookie", cookie)) }
        let out = service.handle(.request(id: nextID, HTTPRequest(method: .post, path: "/" + endpoint, headers: headers, body: body,
                                                                  connection: 1)), at: now, random: &random, crypto: OpenSSLCrypto.self)
        for case .httpRespond(let id, let r) in out.actions where id == nextID {
            if let set = r.header("Set-Cookie") { cookie = set }
            guard r.status == 200 else { throw .http(status: r.status, body: String(decoding: r.body, as: UTF8.self), refusal: r.header("X-Protocomm-Refusal")) }
            return r.body
        }
        throw .transport("no answer")
    }

    /// The join the service scheduled, done at once.
    func joinNow() {
        if let due = service.deadline { now = due }
        _ = service.handle(.tick, at: now, random: &random, crypto: OpenSSLCrypto.self)
        _ = service.handle(.station(.connected(ip: IPv4Address(10, 0, 0, 2), rssi: -51)), at: now, random: &random,
                           crypto: OpenSSLCrypto.self)
    }
}
