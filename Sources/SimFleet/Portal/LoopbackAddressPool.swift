import DeviceCore

/// Hands out per-device loopback addresses from a 127.x.0.0/16 block (Linux routes all of
/// 127/8 to `lo`, so binding 127.20.0.5 needs no setup). Skips .0 and .255 host octets.
public struct LoopbackAddressPool: Sendable {
    /// The second octet of the block, e.g. 20 for 127.20.0.0/16.
    public let block: UInt8
    private var next: Int = 0
    private var released: [IPv4Address] = []

    /// Addresses available in one block (254 × 256).
    public static let capacity = 254 * 256

    /// The pool 127.`block`.0.0/16; `block` 0 is refused (127.0.0.1 lives there).
    public init(block: UInt8 = 20) {
        precondition(block != 0, "127.0.0.0/16 holds the host's own 127.0.0.1")
        self.block = block
    }

    /// Parses `127.X.0.0/16` (or just `127.X`), nil for anything else.
    public init?(cidr: String) {
        var text = Substring(cidr)
        if text.hasSuffix("/16") { text = text.dropLast(3) }
        let parts = text.split(separator: ".")
        guard parts.count == 2 || (parts.count == 4 && parts[2] == "0" && parts[3] == "0"),
              parts[0] == "127", let b = UInt8(parts[1]), b != 0 else { return nil }
        self.init(block: b)
    }

    /// The next free address, nil when the block is used up.
    public mutating func allocate() -> IPv4Address? {
        if let reused = released.popLast() { return reused }
        guard let address = address(at: next) else { return nil }
        next += 1
        return address
    }

    /// The `index`-th address of the block in allocation order, nil past its end.
    public func address(at index: Int) -> IPv4Address? {
        guard index >= 0, index < Self.capacity else { return nil }
        return IPv4Address(127, block, UInt8(index / 254), UInt8(index % 254 + 1))
    }

    /// Returns `address` to the pool.
    public mutating func release(_ address: IPv4Address) {
        guard address.octets.0 == 127, address.octets.1 == block else { return }
        released.append(address)
    }
}
