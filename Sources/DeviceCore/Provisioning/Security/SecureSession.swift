/// One protocomm session as the device sees it: where the `/prov-session` handshake is, and once
/// it is established, how requests and responses are ciphered. Each case carries only what is
/// valid in it; the level (0, 1, 2) is fixed by the device's configuration.
enum SecureSession: Equatable, Sendable {
    /// Security 0: nothing to establish, nothing to cipher.
    case plaintext
    /// Security 1 or 2, before `SessionCommand0`.
    case awaitingCommand0
    /// Security 1 after `SessionCommand0`: waiting for the client's verify data.
    case sec1AwaitingVerify(Sec1Handshake)
    /// Security 1 established: one AES-256-CTR keystream ciphers both directions in turn.
    case sec1Established(CTRStream)
    /// Security 2 after `SessionCommand0`: waiting for the client's SRP proof.
    case sec2AwaitingProof(Sec2Handshake)
    /// Security 2 established: AES-256-GCM with the session key and the device's nonce (ESP-IDF
    /// v5.1 uses the one nonce for every message, and `esp_prov` of that release expects it).
    case sec2Established(key: [UInt8], nonce: [UInt8])

    /// A fresh session for `security`.
    init(_ security: ProtocommSecurity) {
        self = security.version == 0 ? .plaintext : .awaitingCommand0
    }

    /// Whether configuration requests may pass (security 0 always: ESP-IDF's security 0 has no state).
    var isEstablished: Bool {
        switch self {
        case .plaintext, .sec1Established, .sec2Established: return true
        default: return false
        }
    }

    /// Deciphers a request to a configuration endpoint; the CTR stream moves on even when the
    /// request later turns out malformed, as the client's did when it enciphered it.
    mutating func open<Crypto: DeviceCrypto>(_ body: [UInt8], crypto: Crypto.Type) -> Result<[UInt8], SoftAPRefusal> {
        switch self {
        case .plaintext: return .success(body)
        case .sec1Established(var stream):
            guard let plain = stream.apply(body, crypto: crypto) else { return .failure(.cryptoUnavailable) }
            self = .sec1Established(stream)
            return .success(plain)
        case .sec2Established(let key, let nonce):
            guard let plain = Crypto.aes256GCMOpen(key: key, nonce: nonce, sealed: body) else { return .failure(.decryptionFailed) }
            return .success(plain)
        default:
            return .failure(.sessionNotEstablished)
        }
    }

    /// Enciphers a response of an established session (nil when the platform lacks the cipher).
    mutating func seal<Crypto: DeviceCrypto>(_ body: [UInt8], crypto: Crypto.Type) -> [UInt8]? {
        switch self {
        case .plaintext: return body
        case .sec1Established(var stream):
            guard let out = stream.apply(body, crypto: crypto) else { return nil }
            self = .sec1Established(stream)
            return out
        case .sec2Established(let key, let nonce):
            return Crypto.aes256GCMSeal(key: key, nonce: nonce, plaintext: body)
        default:
            return nil
        }
    }
}

/// An AES-256-CTR keystream and how much of it has been used (mbedTLS's `nc_off` and counter).
struct CTRStream: Equatable, Sendable {
    let key: [UInt8]
    let counter: [UInt8]
    private(set) var offset: Int

    init(key: [UInt8], counter: [UInt8], offset: Int = 0) {
        self.key = key
        self.counter = counter
        self.offset = offset
    }

    /// XORs `input` with the next bytes of the keystream.
    mutating func apply<Crypto: DeviceCrypto>(_ input: [UInt8], crypto: Crypto.Type) -> [UInt8]? {
        guard let out = Crypto.aes256CTR(key: key, counter: counter, streamOffset: offset, input) else { return nil }
        offset += input.count
        return out
    }
}

/// `count` bytes from the device's entropy source.
func randomBytes(_ count: Int, _ random: inout SeededRandom) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(count + 7)
    while out.count < count {
        let r = random.next()
        for i in 0..<8 where out.count < count { out.append(UInt8(truncatingIfNeeded: r >> UInt64(8 * i))) }
    }
    return out
}
