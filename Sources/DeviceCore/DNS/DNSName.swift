/// A domain name as its labels (raw bytes; DNS labels need not be UTF-8).
public struct DNSName: Equatable, Sendable {
    /// Labels from left to right, without the root.
    public var labels: [[UInt8]]

    /// A name made of `labels`.
    public init(labels: [[UInt8]]) { self.labels = labels }

    /// Dotted text, e.g. `anything.example`; the root is `.`.
    public var text: String {
        if labels.isEmpty { return "." }
        var out: [UInt8] = []
        for (i, l) in labels.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ".")) }
            out.append(contentsOf: l)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a possibly compressed name at `start`; returns it and the offset just past it in the
    /// datagram. Pointers must point strictly backwards and are followed at most
    /// `DNSMessage.maxPointerHops` times; the whole name is at most 255 bytes in wire form.
    static func read(_ bytes: [UInt8], at start: Int) throws(DNSError) -> (DNSName, Int) {
        var labels: [[UInt8]] = []
        var offset = start
        var end: Int? = nil
        var wireLength = 1
        var hops = 0
        while true {
            guard offset < bytes.count else { throw .truncatedName(offset: offset) }
            let length = bytes[offset]
            switch length & 0xC0 {
            case 0xC0:
                guard offset + 1 < bytes.count else { throw .truncatedName(offset: offset) }
                let target = Int(UInt16(length & 0x3F) << 8 | UInt16(bytes[offset + 1]))
                guard target < offset else { throw .forwardPointer(offset: offset) }
                hops += 1
                guard hops <= DNSMessage.maxPointerHops else { throw .pointerLoop(offset: offset) }
                if end == nil { end = offset + 2 }
                offset = target
            case 0x00:
                if length == 0 { return (DNSName(labels: labels), end ?? offset + 1) }
                let count = Int(length)
                wireLength += count + 1
                guard wireLength <= 255 else { throw .nameTooLong(offset: offset) }
                guard offset + 1 + count <= bytes.count else { throw .truncatedName(offset: offset) }
                labels.append(Array(bytes[(offset + 1)..<(offset + 1 + count)]))
                offset += 1 + count
            default:
                throw .invalidLabelType(offset: offset)
            }
        }
    }
}
