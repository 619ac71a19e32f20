import DeviceCore
import XCTest
@testable import SimFleet

/// Protocomm security 1 and 2 end to end: DeviceCore's service with OpenSSL on one side, SimFleet's
/// own client on the other; then every way a client can get the session wrong, each refused with
/// its reason and none changing what the service had accepted.
final class SecureSessionTests: XCTestCase {
    static let sec1 = SoftAPProvisioningConfig.reference
    static let sec2 = SoftAPProvisioningConfig(security: .srp6a(.password(username: "wifiprov", password: "abcd1234")),
                                               serviceName: "iot-ctrlr")

    func provision(_ device: InMemorySoftAP, _ security: ClientSecurity, file: StaticString = #filePath,
                   line: UInt = #line) throws -> ProvisioningClient.StationStatus {
        let client = ProvisioningClient(transport: device, security: security)
        try client.establishSession()
        return try client.provision(ssid: "home", passphrase: "hunter22", poll: 0)
    }

    func testSecurityOneWithTheReferencePoPProvisionsAndStopsTheService() throws {
        let device = InMemorySoftAP(Self.sec1)
        XCTAssertEqual(try provision(device, .proofOfPossession("12345678")), .connected(ip: "10.0.0.2"))
        XCTAssertEqual(device.sessionsEstablished, 1)
        XCTAssertEqual(device.storage, [.store(WiFiCredentials(ssid: "home", password: "hunter22")), .confirm])
        device.advance(by: .seconds(2))
        XCTAssertTrue(device.restarted)
        XCTAssertEqual(device.refusals, [])
    }

    func testSecurityTwoWithUsernameAndPasswordProvisions() throws {
        let device = InMemorySoftAP(Self.sec2)
        XCTAssertEqual(try provision(device, .srp6a(username: "wifiprov", password: "abcd1234")), .connected(ip: "10.0.0.2"))
        XCTAssertEqual(device.sessionsEstablished, 1)
    }

    func testSecurityTwoWithASaltAndVerifierMadeByTheClientsRulesProvisions() throws {
        let salt = bytesFromHex("8a4cb2d7d4a1f0ee33e910bb02aa5c71")!
        let x = BigNumber(SRPClient.h(SRPClient.stripped(salt) + SRPClient.stripped(SRPClient.h(Array("admin:s3cret-pass".utf8)))))
        let verifier = SRPClient.generator.modExp(x, SRPClient.prime).bytes
        let device = InMemorySoftAP(SoftAPProvisioningConfig(security: .srp6a(.verifier(salt: salt, verifier: verifier)),
                                                             serviceName: "iot-ctrlr"))
        XCTAssertEqual(try provision(device, .srp6a(username: "admin", password: "s3cret-pass")), .connected(ip: "10.0.0.2"))
    }

    func testWrongPoPFailsTheSessionAndTheRightOneStillWorksAfterwards() throws {
        let device = InMemorySoftAP(Self.sec1)
        let wrong = ProvisioningClient(transport: device, security: .proofOfPossession("87654321"))
        XCTAssertThrowsError(try wrong.establishSession()) { error in
            XCTAssertEqual((error as? ProvisioningClientError)?.code, "proof_mismatch", "the device names its refusal")
        }
        XCTAssertEqual(device.refusals, [.proofMismatch])
        XCTAssertEqual(device.service.phaseName, "awaiting_credentials")
        device.newClient(connection: 2)
        XCTAssertEqual(try provision(device, .proofOfPossession("12345678")), .connected(ip: "10.0.0.2"))
    }

    func testWrongSRPPasswordOrUsernameFailsTheSession() throws {
        for (user, password) in [("wifiprov", "wrong-password"), ("someone", "abcd1234")] {
            let device = InMemorySoftAP(Self.sec2)
            let client = ProvisioningClient(transport: device, security: .srp6a(username: user, password: password))
            XCTAssertThrowsError(try client.establishSession(), user)
            XCTAssertEqual(device.refusals, [.proofMismatch], user)
            XCTAssertEqual(device.sessionsEstablished, 0)
        }
    }

    func testConfigurationBeforeTheSessionIsRefusedAtEveryEncryptedEndpoint() throws {
        for config in [Self.sec1, Self.sec2] {
            let device = InMemorySoftAP(config)
            for endpoint in ["prov-config", "prov-scan", "prov-ctrl"] {
                let r = device.raw(endpoint, WiFiConfigPayload(msg: 0, body: .getStatus).encoded())
                XCTAssertEqual(r.status, 500)
                XCTAssertEqual(r.header("Connection"), "close")
            }
            XCTAssertEqual(device.refusals, Array(repeating: .sessionNotEstablished, count: 3))
        }
    }

    func testReplayedSessionCommandIsRefusedAndTheEstablishedSessionKeepsWorking() throws {
        for (config, security) in [(Self.sec1, ClientSecurity.proofOfPossession("12345678")),
                                   (Self.sec2, ClientSecurity.srp6a(username: "wifiprov", password: "abcd1234"))] {
            let device = InMemorySoftAP(config)
            let recorder = Recorder(device)
            let client = ProvisioningClient(transport: recorder, security: security)
            try client.establishSession()
            let command1 = try XCTUnwrap(recorder.sent.last { $0.endpoint == "prov-session" }).body
            XCTAssertEqual(device.raw("prov-session", command1).status, 500)
            XCTAssertEqual(device.refusals, [.sessionCommandOutOfOrder])
            XCTAssertEqual(try client.status(), .connecting, "the session survived the replay")
        }
    }

    func testReKeyingRestartsTheSessionAndTheOldKeysNoLongerWork() throws {
        let device = InMemorySoftAP(Self.sec1)
        let old = ProvisioningClient(transport: device, security: .proofOfPossession("12345678"))
        try old.establishSession()
        let fresh = ProvisioningClient(transport: device, security: .proofOfPossession("12345678"))
        try fresh.establishSession()  // same connection and cookie: the device restarts the session
        XCTAssertEqual(device.sessionsEstablished, 2)
        // The device deciphers the old client's request with the new keystream: whatever that
        // gives, the answer is ciphered with keys the old client does not have.
        XCTAssertThrowsError(try old.status(), "the old keystream no longer matches")
        XCTAssertEqual(device.service.phaseName, "awaiting_credentials")
    }

    func testSecondClientTakesOverAndTheFirstFailsWithoutChangingWhatWasAccepted() throws {
        let device = InMemorySoftAP(Self.sec2)
        let first = ProvisioningClient(transport: device, security: .srp6a(username: "wifiprov", password: "abcd1234"))
        try first.establishSession()
        XCTAssertEqual(try first.setConfig(ssid: "home", passphrase: "hunter22"), 0)
        let firstCookie = device.cookie

        device.newClient(connection: 2)
        let second = ProvisioningClient(transport: device, security: .srp6a(username: "wifiprov", password: "abcd1234"))
        try second.establishSession()
        XCTAssertNotEqual(device.cookie, firstCookie, "a new session with its own cookie")

        device.connection = 1
        device.cookie = firstCookie
        XCTAssertThrowsError(try first.status()) { error in
            XCTAssertEqual((error as? ProvisioningClientError)?.code, "session_not_established")
        }
        XCTAssertEqual(device.refusals, [.sessionNotEstablished])
        XCTAssertEqual(device.service.pending, WiFiCredentials(ssid: "home", password: "hunter22"), "accepted config kept")
        XCTAssertEqual(device.service.phaseName, "awaiting_credentials")
    }

    func testGarbageCiphertextIsRefusedAndAGCMSessionContinues() throws {
        let device = InMemorySoftAP(Self.sec2)
        let client = ProvisioningClient(transport: device, security: .srp6a(username: "wifiprov", password: "abcd1234"))
        try client.establishSession()
        for garbage in [[UInt8](repeating: 0x41, count: 40), [1, 2, 3], [UInt8](repeating: 0, count: 4097)] {
            XCTAssertEqual(device.raw("prov-config", garbage).status, 500)
        }
        XCTAssertEqual(device.refusals, [.decryptionFailed, .decryptionFailed, .bodyTooLarge(limit: 4096)])
        XCTAssertEqual(try client.status(), .connecting)
    }

    func testMalformedSessionMessagesAreRefusedWithTheirReasons() throws {
        let device = InMemorySoftAP(Self.sec2)
        let cases: [([UInt8], SoftAPRefusal)] = [
            (SessionData(secVer: 1, payload: nil).encoded(), .securityVersionMismatch(expected: 2, got: 1)),
            (SessionData(secVer: 2, payload: nil).encoded(), .missingSessionPayload),
            (SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 0, body: .command1(clientProof: [1])))).encoded(),
             .unexpectedSessionMessage(msg: 0)),
            (SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 2, body: .command1(clientProof: [1])))).encoded(),
             .sessionCommandOutOfOrder),
            (SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 0, body: .command0(clientUsername: Array("u".utf8),
                                                                                       clientPubkey: [1, 2])))).encoded(),
             .invalidPublicKey(length: 2)),
            (SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 0, body: .command0(clientUsername: Array("u".utf8),
                                                                                       clientPubkey: [UInt8](repeating: 0, count: 384))))).encoded(),
             .degeneratePublicKey),
            (SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 0, body: .command0(clientUsername: [],
                                                                                       clientPubkey: [UInt8](repeating: 1, count: 384))))).encoded(),
             .missingUsername),
            ([0x10, 0x02, 0x62, 0x05, 0x08], .malformed(endpoint: "prov-session", .truncated)),
        ]
        for (body, refusal) in cases {
            XCTAssertEqual(device.raw("prov-session", body).status, 500)
            XCTAssertEqual(device.refusals.last, refusal)
        }
        let sec1 = InMemorySoftAP(Self.sec1)
        let shortKey = SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 0, body: .command0(clientPubkey: [9])))).encoded()
        XCTAssertEqual(sec1.raw("prov-session", shortKey).status, 500)
        XCTAssertEqual(sec1.refusals, [.invalidPublicKey(length: 1)])
        XCTAssertEqual(try provision(sec1, .proofOfPossession("12345678")), .connected(ip: "10.0.0.2"), "still provisions")
    }

    func testEncryptedScanAndCustomEndpointWorkThroughTheSession() throws {
        var config = Self.sec1
        config.customEndpoints = [CustomEndpoint(name: "custom-data", reply: Array("OK".utf8))]
        let device = InMemorySoftAP(config)
        let client = ProvisioningClient(transport: device, security: .proofOfPossession("12345678"))
        try client.establishSession()
        let entries = try client.scan(pageSize: 1)
        XCTAssertEqual(entries.map(\.ssid), ["home", "office"])
        XCTAssertEqual(entries.first?.channel, 6)
        XCTAssertEqual(try client.custom("custom-data", Array("hello".utf8)), Array("OK".utf8))
        XCTAssertEqual(try client.status(), .connecting, "the stream stayed in step")
    }
}

/// Passes requests on and remembers them.
final class Recorder: ProvisioningTransport {
    let inner: ProvisioningTransport
    private(set) var sent: [(endpoint: String, body: [UInt8])] = []

    init(_ inner: ProvisioningTransport) { self.inner = inner }

    func post(_ endpoint: String, _ body: [UInt8]) throws(ProvisioningClientError) -> [UInt8] {
        sent.append((endpoint, body))
        return try inner.post(endpoint, body)
    }
}
