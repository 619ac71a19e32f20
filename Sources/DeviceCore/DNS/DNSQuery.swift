/// The client side of the codec, first half: the query a stub resolver sends (a phone's
/// connectivity check asking the access point's DNS for a host name).
extension DNSName {
    /// The labels of dotted `text` (`connectivitycheck.gstatic.com`, a trailing dot allowed). Empty
    /// or overlong labels are kept as they are and refused by `wire()`.
    public init(dotted text: String) {
        var parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { Array($0) }
        if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }   // `name.` is fully qualified
        if parts.count == 1, parts[0].isEmpty { parts = [] }                    // `` and `.` are the root
        self.init(labels: parts)
    }

    /// The name in wire form: each label after its length byte, then the root. Labels must be 1 to
    /// 63 bytes and the whole at most 255 bytes (RFC 1035 §2.3.4).
    public func wire() throws(DNSError) -> [UInt8] {
        var out: [UInt8] = []
        for (index, label) in labels.enumerated() {
            guard (1...63).contains(label.count) else { throw .invalidLabelLength(index: index) }
            guard out.count + 1 + label.count + 1 <= 255 else { throw .nameTooLong(offset: out.count) }
            out.append(UInt8(label.count))
            out.append(contentsOf: label)
        }
        out.append(0)
        return out
    }
}

extension DNSMessage {
    /// The datagram of a standard query for `name`: id `id`, recursion desired, one question of
    /// `type` and class IN, no other records.
    public static func query(id: UInt16, name: DNSName, type: UInt16 = DNSQuestion.typeA) throws(DNSError) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBE(id)
        out.appendBE(0x0100)                                   // QR clear, OPCODE 0, RD set
        for count: UInt16 in [1, 0, 0, 0] { out.appendBE(count) }
        out.append(contentsOf: try name.wire())
        out.appendBE(type)
        out.appendBE(DNSQuestion.classIN)
        return out
    }
}
