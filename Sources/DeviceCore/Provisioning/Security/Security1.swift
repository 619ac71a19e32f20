/// Security 1's handshake state between `SessionCommand0` and `SessionCommand1`: the two X25519
/// public keys, the symmetric key (shared secret XOR SHA-256 of the proof of possession) and the
/// 16-byte counter block the device chose.
struct Sec1Handshake: Equatable, Sendable {
    let devicePublicKey: [UInt8]
    let clientPublicKey: [UInt8]
    let key: [UInt8]
    let counter: [UInt8]
}

/// Security 1 (X25519, AES-256-CTR, proof of possession) as ESP-IDF's `security1.c` runs it.
enum Security1 {
    /// `SessionCommand0`: a fresh device key pair, the shared key mixed with the PoP, and the
    /// `SessionResponse0` carrying the device's public key and random.
    static func command0<Crypto: DeviceCrypto>(clientPublicKey: [UInt8], pop: [UInt8]?, random: inout SeededRandom,
                                               crypto: Crypto.Type) -> Result<(Sec1Handshake, Sec1Payload), SoftAPRefusal> {
        guard clientPublicKey.count == 32 else { return .failure(.invalidPublicKey(length: clientPublicKey.count)) }
        let privateKey = randomBytes(32, &random)
        guard let devicePublicKey = Crypto.x25519PublicKey(privateKey: privateKey) else { return .failure(.cryptoUnavailable) }
        guard var key = Crypto.x25519SharedSecret(privateKey: privateKey, peerPublicKey: clientPublicKey) else {
            return .failure(.invalidPublicKey(length: clientPublicKey.count))
        }
        if let pop, !pop.isEmpty {
            let digest = Crypto.sha256(pop)
            for i in 0..<32 { key[i] ^= digest[i] }
        }
        let counter = randomBytes(16, &random)
        let handshake = Sec1Handshake(devicePublicKey: devicePublicKey, clientPublicKey: clientPublicKey, key: key,
                                      counter: counter)
        let response = Sec1Payload(msg: 1, body: .response0(status: ProtocommStatus.success.rawValue,
                                                            devicePubkey: devicePublicKey, deviceRandom: counter))
        return .success((handshake, response))
    }

    /// `SessionCommand1`: the client's verify data must decipher to the device's public key (it
    /// does only when both sides mixed in the same PoP); the answer is the client's public key,
    /// enciphered with the next 32 bytes of the same keystream.
    static func command1<Crypto: DeviceCrypto>(_ handshake: Sec1Handshake, clientVerifyData: [UInt8],
                                               crypto: Crypto.Type) -> Result<(CTRStream, Sec1Payload), SoftAPRefusal> {
        guard clientVerifyData.count == 32 else { return .failure(.invalidProof(length: clientVerifyData.count)) }
        var stream = CTRStream(key: handshake.key, counter: handshake.counter)
        guard let check = stream.apply(clientVerifyData, crypto: crypto) else { return .failure(.cryptoUnavailable) }
        guard constantTimeEqual(check, handshake.devicePublicKey) else { return .failure(.proofMismatch) }
        guard let verify = stream.apply(handshake.clientPublicKey, crypto: crypto) else { return .failure(.cryptoUnavailable) }
        return .success((stream, Sec1Payload(msg: 3, body: .response1(status: ProtocommStatus.success.rawValue,
                                                                      deviceVerifyData: verify))))
    }
}

/// Equal length and bytes, in time independent of where they differ (`mbedtls_ct_memcmp`).
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
