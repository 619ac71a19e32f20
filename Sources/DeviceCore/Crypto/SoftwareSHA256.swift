/// SHA-256 (FIPS 180-4) in plain Swift: the hasher for chips without an accelerator binding and for
/// Embedded tests. Streaming, so firmware can be hashed as it arrives.
public struct SoftwareSHA256: SHA256Hashing {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    private var block: [UInt8] = []
    private var totalBytes: UInt64 = 0

    public init() { block.reserveCapacity(64) }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        totalBytes &+= UInt64(bytes.count)
        var index = bytes.startIndex
        if !block.isEmpty {
            let take = min(64 - block.count, bytes.endIndex - index)
            block.append(contentsOf: bytes[index..<(index + take)])
            index += take
            if block.count < 64 { return }
            let full = block
            full.withUnsafeBufferPointer { compress($0.baseAddress!) }
            block.removeAll(keepingCapacity: true)
        }
        let fullBlocks = (bytes.endIndex - index) / 64
        if fullBlocks > 0 {
            bytes.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress! + (index - bytes.startIndex)
                for i in 0..<fullBlocks { compress(base + i * 64) }
            }
            index += fullBlocks * 64
        }
        if index < bytes.endIndex { block.append(contentsOf: bytes[index..<bytes.endIndex]) }
    }

    /// Convenience for whole arrays.
    public mutating func update(_ bytes: [UInt8]) { update(bytes[...]) }

    /// Pads the message and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        var tail = block
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBufferPointer { buffer in
            for i in 0..<(buffer.count / 64) { compress(buffer.baseAddress! + i * 64) }
        }
        block.removeAll()
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for w in words { out.append(UInt8(w >> 24)); out.append(UInt8(truncatingIfNeeded: w >> 16)); out.append(UInt8(truncatingIfNeeded: w >> 8)); out.append(UInt8(truncatingIfNeeded: w)) }
        return out
    }

    /// One-shot digest of `bytes`.
    public static func hash(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var h = SoftwareSHA256()
        h.update(bytes)
        return h.finalize()
    }

    private mutating func compress(_ p: UnsafePointer<UInt8>) {
        var w = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
                 UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        withUnsafeMutableBytes(of: &w) { raw in
            let words = raw.bindMemory(to: UInt32.self)
            for i in 0..<16 {
                words[i] = UInt32(p[i * 4]) << 24 | UInt32(p[i * 4 + 1]) << 16 | UInt32(p[i * 4 + 2]) << 8 | UInt32(p[i * 4 + 3])
            }
            var a = state.0, b = state.1, c = state.2, d = state.3
            var e = state.4, f = state.5, g = state.6, h = state.7
            for i in 0..<64 {
                let wi: UInt32
                if i < 16 {
                    wi = words[i]
                } else {
                    let w15 = words[(i - 15) & 15], w2 = words[(i - 2) & 15]
                    let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
                    let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
                    wi = words[i & 15] &+ s0 &+ words[(i - 7) & 15] &+ s1
                    words[i & 15] = wi
                }
                let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ sha256RoundConstants[i] &+ wi
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                h = g; g = f; f = e; e = d &+ t1
                d = c; c = b; b = a; a = t1 &+ t2
            }
            state.0 &+= a; state.1 &+= b; state.2 &+= c; state.3 &+= d
            state.4 &+= e; state.5 &+= f; state.6 &+= g; state.7 &+= h
        }
    }
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

private let sha256RoundConstants: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]
