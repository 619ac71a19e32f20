import COpenSSL
import DeviceCore

/// What a client proves itself with, by security level.
public enum ClientSecurity: Equatable, Sendable {
    case none
    /// Security 1 with this proof of possession (empty: none).
    case proofOfPossession(String)
    /// Security 2 with this SRP6a username and password.
    case srp6a(username: String, password: String)

    /// The `SecSchemeVersion` number.
    public var version: Int {
        switch self {
        case .none: return 0
        case .proofOfPossession: return 1
        case .srp6a: return 2
        }
    }
}

/// The client side of one protocomm session, as `esp_prov`'s Security0/1/2 classes run it:
/// the `/prov-session` exchange, then the cipher for every configuration request and response.
/// Randomness comes from `random` (OpenSSL's `RAND_bytes` unless a test fixes it).
struct ProtocommClientSession {
    enum State {
        case start
        case sec1SentCommand0(privateKey: [UInt8], publicKey: [UInt8])
        case sec1SentCommand1(stream: ClientCTRStream, publicKey: [UInt8])
        case sec2SentCommand0(a: BigNumber, aPublic: [UInt8])
        case sec2SentCommand1(expectedProof: [UInt8], sessionKey: [UInt8])
        case established(Cipher)
    }

    enum Cipher {
        case plaintext
        case ctr(ClientCTRStream)
        case gcm(key: [UInt8], nonce: [UInt8])
    }

    let security: ClientSecurity
    private(set) var state = State.start
    let random: (Int) -> [UInt8]

    init(security: ClientSecurity, random: @escaping (Int) -> [UInt8] = ProtocommClientSession.systemRandom) {
        self.security = security
        self.random = random
    }

    /// OpenSSL's CSPRNG.
    static func systemRandom(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        precondition(RAND_bytes(&out, Int32(count)) == 1, "RAND_bytes failed")
        return out
    }

    var isEstablished: Bool {
        if case .established = state { return true }
        return false
    }

    /// The next `/prov-session` request: the first when `response` is nil, then the one that follows
    /// the device's answer; nil once the session is established.
    mutating func next(after response: [UInt8]?) throws(ProvisioningClientError) -> [UInt8]? {
        switch (security, state) {
        case (.none, .start):
            state = .established(.plaintext)
            return SessionData(secVer: 0, payload: .sec0(Sec0Payload(msg: 0, body: .command))).encoded()
        case (.proofOfPossession, .start):
            let privateKey = random(32)
            guard let publicKey = OpenSSLCrypto.x25519PublicKey(privateKey: privateKey) else { throw .crypto("X25519 key") }
            state = .sec1SentCommand0(privateKey: privateKey, publicKey: publicKey)
            return SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 0, body: .command0(clientPubkey: publicKey)))).encoded()
        case (.proofOfPossession(let pop), .sec1SentCommand0(let privateKey, let publicKey)):
            guard case .response0(let status, let devicePublic, let deviceRandom)? = try sec1(response).body, status == 0,
                  devicePublic.count == 32, deviceRandom.count == 16
            else { throw .protocolViolation("security 1: no SessionResponse0") }
            guard var key = OpenSSLCrypto.x25519SharedSecret(privateKey: privateKey, peerPublicKey: devicePublic) else {
                throw .crypto("X25519 shared secret")
            }
            if !pop.isEmpty {
                var h = OpenSSLSHA256()
                h.update(Array(pop.utf8)[...])
                let digest = h.finalize()
                for i in 0..<32 { key[i] ^= digest[i] }
            }
            var stream = ClientCTRStream(key: key, counter: deviceRandom)
            let verify = try stream.apply(devicePublic)
            state = .sec1SentCommand1(stream: stream, publicKey: publicKey)
            return SessionData(secVer: 1, payload: .sec1(Sec1Payload(msg: 2, body: .command1(clientVerifyData: verify)))).encoded()
        case (.proofOfPossession, .sec1SentCommand1(var stream, let publicKey)):
            guard case .response1(let status, let verify)? = try sec1(response).body, status == 0 else {
                throw .protocolViolation("security 1: no SessionResponse1")
            }
            guard try stream.apply(verify) == publicKey else { throw .deviceNotAuthenticated }
            state = .established(.ctr(stream))
            return nil
        case (.srp6a(let username, _), .start):
            let secret = random(32)
            var aBytes = secret
            aBytes[0] |= 0x80  // esp_prov draws a with its top bit set
            let a = BigNumber(aBytes)
            let aPublic = SRPClient.generator.modExp(a, SRPClient.prime).padded(to: SRPClient.size)
            state = .sec2SentCommand0(a: a, aPublic: aPublic)
            return SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 0, body: .command0(
                clientUsername: Array(username.utf8), clientPubkey: aPublic)))).encoded()
        case (.srp6a(let username, let password), .sec2SentCommand0(let a, let aPublic)):
            guard case .response0(let status, let devicePublic, let salt)? = try sec2(response).body, status == 0 else {
                throw .protocolViolation("security 2: no SessionResponse0")
            }
            let proofs = try SRPClient.proofs(username: username, password: password, a: a, aPublic: aPublic, salt: salt,
                                              bPublic: devicePublic)
            state = .sec2SentCommand1(expectedProof: proofs.deviceProof, sessionKey: proofs.sessionKey)
            return SessionData(secVer: 2, payload: .sec2(Sec2Payload(msg: 2, body: .command1(clientProof: proofs.clientProof)))).encoded()
        case (.srp6a, .sec2SentCommand1(let expected, let sessionKey)):
            guard case .response1(let status, let proof, let nonce)? = try sec2(response).body, status == 0 else {
                throw .protocolViolation("security 2: no SessionResponse1")
            }
            guard proof == expected else { throw .deviceNotAuthenticated }
            guard nonce.count == 12 else { throw .protocolViolation("security 2: nonce of " + String(nonce.count) + " bytes") }
            state = .established(.gcm(key: Array(sessionKey[0..<32]), nonce: nonce))
            return nil
        default:
            return nil
        }
    }

    /// Enciphers a request (the CTR stream moves on).
    mutating func encrypt(_ plain: [UInt8]) throws(ProvisioningClientError) -> [UInt8] {
        guard case .established(let cipher) = state else { throw .protocolViolation("no session") }
        switch cipher {
        case .plaintext: return plain
        case .ctr(var stream):
            let out = try stream.apply(plain)
            state = .established(.ctr(stream))
            return out
        case .gcm(let key, let nonce):
            guard let out = OpenSSLCrypto.aes256GCMSeal(key: key, nonce: nonce, plaintext: plain) else { throw .crypto("AES-GCM seal") }
            return out
        }
    }

    /// Deciphers a response.
    mutating func decrypt(_ sealed: [UInt8]) throws(ProvisioningClientError) -> [UInt8] {
        guard case .established(let cipher) = state else { throw .protocolViolation("no session") }
        switch cipher {
        case .plaintext: return sealed
        case .ctr(var stream):
            let out = try stream.apply(sealed)
            state = .established(.ctr(stream))
            return out
        case .gcm(let key, let nonce):
            guard let out = OpenSSLCrypto.aes256GCMOpen(key: key, nonce: nonce, sealed: sealed) else { throw .deviceNotAuthenticated }
            return out
        }
    }

    private func sessionData(_ response: [UInt8]?, level: Int) throws(ProvisioningClientError) -> SessionData {
        guard let response else { throw .protocolViolation("no session response") }
        let data: SessionData
        do { data = try SessionData.decode(response) } catch { throw .malformed(error) }
        guard data.secVer == level else {
            throw .protocolViolation("device answered security " + String(data.secVer) + ", not " + String(level))
        }
        return data
    }

    private func sec1(_ response: [UInt8]?) throws(ProvisioningClientError) -> Sec1Payload {
        guard case .sec1(let p)? = try sessionData(response, level: 1).payload else { throw .protocolViolation("no sec1 payload") }
        return p
    }

    private func sec2(_ response: [UInt8]?) throws(ProvisioningClientError) -> Sec2Payload {
        guard case .sec2(let p)? = try sessionData(response, level: 2).payload else { throw .protocolViolation("no sec2 payload") }
        return p
    }
}

/// The client's AES-256-CTR keystream (one for both directions, as the device's).
struct ClientCTRStream {
    let key: [UInt8]
    let counter: [UInt8]
    var offset = 0

    mutating func apply(_ input: [UInt8]) throws(ProvisioningClientError) -> [UInt8] {
        guard let out = OpenSSLCrypto.aes256CTR(key: key, counter: counter, streamOffset: offset, input) else {
            throw .crypto("AES-CTR")
        }
        offset += input.count
        return out
    }
}

/// The client's SRP6a arithmetic as `esp_prov`'s srp6a.py does it (3072-bit group, SHA-512):
/// k = H(N | PAD(g)), u = H(PAD(A) | PAD(B)), x = H(s | H(I ":" P)) with leading zero bytes of
/// numbers dropped, S = (B - k·v)^(a + u·x), K = H(S), M = H(H(N) xor H(g) | H(I) | s | A | B | K).
enum SRPClient {
    static let size = 384
    static let prime = BigNumber(bytesFromHex(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
            + "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
            + "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
            + "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
            + "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
            + "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
            + "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF")!)
    static let generator = BigNumber([5])

    static func h(_ bytes: [UInt8]) -> [UInt8] { OpenSSLCrypto.sha512(bytes)! }

    static func stripped(_ b: [UInt8]) -> [UInt8] {
        var i = 0
        while i < b.count && b[i] == 0 { i += 1 }
        return Array(b[i...])
    }

    /// The client's proof M, the device proof it expects H(A | M | K), and K.
    static func proofs(username: String, password: String, a: BigNumber, aPublic: [UInt8], salt: [UInt8],
                       bPublic: [UInt8]) throws(ProvisioningClientError) -> (clientProof: [UInt8], deviceProof: [UInt8], sessionKey: [UInt8]) {
        let b = BigNumber(bPublic)
        guard !b.mod(prime).isZero else { throw .protocolViolation("security 2: B is 0 mod N") }
        let u = BigNumber(h(aPublic + b.padded(to: size)))
        guard !u.isZero else { throw .protocolViolation("security 2: u is 0") }
        let k = BigNumber(h(prime.bytes + generator.padded(to: size)))
        let x = BigNumber(h(stripped(salt) + stripped(h(Array((username + ":" + password).utf8)))))
        let v = generator.modExp(x, prime)
        let base = b.modSub(k.modMul(v, prime), prime)
        let s = base.modExp(a.add(u.mul(x)), prime)
        let sessionKey = h(s.bytes)
        let hashN = h(prime.bytes), hashG = h(generator.padded(to: size))
        var m: [UInt8] = []
        for i in 0..<64 { m.append(hashN[i] ^ hashG[i]) }
        let clientProof = h(m + h(Array(username.utf8)) + salt + aPublic + bPublic + sessionKey)
        return (clientProof, h(aPublic + clientProof + sessionKey), sessionKey)
    }
}
