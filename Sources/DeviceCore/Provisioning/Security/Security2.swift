/// Security 2's handshake state between `SessionCommand0` and `SessionCommand1`: who the client
/// says it is, both SRP public values, the salt and the session key K = H(S).
struct Sec2Handshake: Equatable, Sendable {
    let username: [UInt8]
    let clientPublic: [UInt8]
    let serverPublic: [UInt8]
    let salt: [UInt8]
    let sessionKey: [UInt8]
}

/// A security 2 device's salt and SRP verifier v = g^x mod N.
struct SRPVerifier: Equatable, Sendable {
    let salt: [UInt8]
    let verifier: [UInt8]
}

/// Security 2 (SRP6a over RFC 5054's 3072-bit group with SHA-512, then AES-256-GCM) as ESP-IDF's
/// `security2.c` and `esp_srp.c` run it, byte for byte where the two sides hash big numbers.
enum Security2 {
    /// The salt and verifier the device authenticates with. From a password: a fresh 16-byte salt
    /// (first byte non-zero: clients hash the salt as a number) and x = H(s | H(I ":" P)) with the
    /// inner digest's leading zero bytes dropped, as `esp_prov` computes x, so both sides agree.
    static func verifier<Crypto: DeviceCrypto>(_ credentials: SRPCredentials, random: inout SeededRandom,
                                               crypto: Crypto.Type) -> SRPVerifier? {
        switch credentials {
        case .verifier(let salt, let verifier):
            return SRPVerifier(salt: salt, verifier: verifier)
        case .password(let username, let password):
            var salt = randomBytes(16, &random)
            if salt[0] == 0 { salt[0] = 1 }
            guard let inner = Crypto.sha512(Array(username.utf8) + [UInt8(ascii: ":")] + Array(password.utf8)),
                  let x = Crypto.sha512(salt + withoutLeadingZeros(inner)),
                  let v = Crypto.modularExponentiation(base: SRPGroup.generator, exponent: x, modulus: SRPGroup.prime)
            else { return nil }
            return SRPVerifier(salt: salt, verifier: v)
        }
    }

    /// `SessionCommand0`: checks A, draws b, answers B = k·v + g^b mod N and the salt, and derives
    /// K = H((A · v^u)^b mod N) with u = H(PAD(A) | PAD(B)).
    static func command0<Crypto: DeviceCrypto>(username: [UInt8], clientPublic: [UInt8], verifier: SRPVerifier,
                                               random: inout SeededRandom,
                                               crypto: Crypto.Type) -> Result<(Sec2Handshake, Sec2Payload), SoftAPRefusal> {
        let n = SRPGroup.prime
        guard clientPublic.count == n.count else { return .failure(.invalidPublicKey(length: clientPublic.count)) }
        guard !username.isEmpty else { return .failure(.missingUsername) }
        guard let aModN = Crypto.modularMultiplication(clientPublic, [1], modulus: n) else { return .failure(.cryptoUnavailable) }
        guard !aModN.isEmpty else { return .failure(.degeneratePublicKey) }
        let b = randomBytes(32, &random)
        guard let k = Crypto.sha512(n + padded(SRPGroup.generator)),
              let kv = Crypto.modularMultiplication(k, verifier.verifier, modulus: n),
              let gb = Crypto.modularExponentiation(base: SRPGroup.generator, exponent: b, modulus: n),
              let serverPublic = Crypto.modularAddition(kv, gb, modulus: n),
              let u = Crypto.sha512(padded(clientPublic) + padded(serverPublic)),
              let vu = Crypto.modularExponentiation(base: verifier.verifier, exponent: u, modulus: n),
              let avu = Crypto.modularMultiplication(clientPublic, vu, modulus: n),
              let s = Crypto.modularExponentiation(base: avu, exponent: b, modulus: n),
              let sessionKey = Crypto.sha512(s)
        else { return .failure(.cryptoUnavailable) }
        let handshake = Sec2Handshake(username: username, clientPublic: clientPublic, serverPublic: serverPublic,
                                      salt: verifier.salt, sessionKey: sessionKey)
        let response = Sec2Payload(msg: 1, body: .response0(status: ProtocommStatus.success.rawValue,
                                                            devicePubkey: serverPublic, deviceSalt: verifier.salt))
        return .success((handshake, response))
    }

    /// `SessionCommand1`: the client's proof must be M = H(H(N) xor H(PAD(g)) | H(I) | s | A | B | K);
    /// the answer is H(A | M | K) and the AES-GCM nonce. The key is the first 32 bytes of K.
    static func command1<Crypto: DeviceCrypto>(_ h: Sec2Handshake, clientProof: [UInt8], random: inout SeededRandom,
                                               crypto: Crypto.Type) -> Result<(key: [UInt8], nonce: [UInt8], Sec2Payload), SoftAPRefusal> {
        guard clientProof.count == 64 else { return .failure(.invalidProof(length: clientProof.count)) }
        guard let hashN = Crypto.sha512(SRPGroup.prime), let hashG = Crypto.sha512(padded(SRPGroup.generator)),
              let hashI = Crypto.sha512(h.username) else { return .failure(.cryptoUnavailable) }
        var m: [UInt8] = []
        for i in 0..<64 { m.append(hashN[i] ^ hashG[i]) }
        guard let expected = Crypto.sha512(m + hashI + h.salt + h.clientPublic + h.serverPublic + h.sessionKey) else {
            return .failure(.cryptoUnavailable)
        }
        guard constantTimeEqual(expected, clientProof) else { return .failure(.proofMismatch) }
        guard let deviceProof = Crypto.sha512(h.clientPublic + expected + h.sessionKey) else { return .failure(.cryptoUnavailable) }
        let nonce = randomBytes(12, &random)
        let response = Sec2Payload(msg: 3, body: .response1(status: ProtocommStatus.success.rawValue,
                                                            deviceProof: deviceProof, deviceNonce: nonce))
        return .success((Array(h.sessionKey[0..<32]), nonce, response))
    }

    /// `value` left-padded with zeros to the group's size (RFC 5054's PAD()).
    static func padded(_ value: [UInt8]) -> [UInt8] {
        let size = SRPGroup.prime.count
        return value.count >= size ? value : [UInt8](repeating: 0, count: size - value.count) + value
    }

    static func withoutLeadingZeros(_ value: [UInt8]) -> [UInt8] {
        var i = 0
        while i < value.count && value[i] == 0 { i += 1 }
        return Array(value[i...])
    }
}

/// RFC 5054's 3072-bit group (appendix A, the prime of RFC 3526's group 15) with generator 5,
/// the one `esp_srp.c` and `esp_prov` use.
enum SRPGroup {
    static let generator: [UInt8] = [5]
    static let prime: [UInt8] = bytesFromHex(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
            + "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
            + "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
            + "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
            + "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
            + "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
            + "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF")!
}
