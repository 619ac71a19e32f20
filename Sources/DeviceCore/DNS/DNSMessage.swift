/// A DNS query as read from a UDP datagram: the header and its single question. Parsing takes
/// bytes, enforces RFC 1035 limits and returns a typed `DNSError` for anything malformed.
public struct DNSMessage: Equatable, Sendable {
    /// RFC 1035 §2.3.4: DNS over UDP without EDNS.
    public static let maxUDPSize = 512
    /// Compression pointers followed per name before it counts as a loop.
    public static let maxPointerHops = 16

    /// The fixed header.
    public var header: DNSHeader
    /// The one question asked.
    public var question: DNSQuestion

    /// Parses `datagram` as a query (QR clear, exactly one question). Records after the question
    /// (an EDNS OPT record from `dig`, say) are not needed to answer and are not read.
    public init(parsing datagram: [UInt8]) throws(DNSError) {
        guard datagram.count <= DNSMessage.maxUDPSize else {
            throw .tooLarge(size: datagram.count, limit: DNSMessage.maxUDPSize)
        }
        let header = try DNSHeader(parsing: datagram)
        guard !header.isResponse else { throw .notAQuery }
        guard header.questionCount > 0 else { throw .noQuestion }
        guard header.questionCount == 1 else { throw .tooManyQuestions(count: Int(header.questionCount)) }
        self.header = header
        self.question = try DNSQuestion.read(datagram, at: DNSHeader.size)
    }
}

/// The 12-byte header (RFC 1035 §4.1.1).
public struct DNSHeader: Equatable, Sendable {
    /// Header length in bytes.
    public static let size = 12
    /// Transaction id, echoed in the reply.
    public var id: UInt16
    /// QR, OPCODE, AA, TC, RD, RA, Z and RCODE bits.
    public var flags: UInt16
    /// QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
    public var questionCount: UInt16
    public var answerCount: UInt16
    public var authorityCount: UInt16
    public var additionalCount: UInt16

    /// Reads the header of any datagram of at least 12 bytes.
    public init(parsing bytes: [UInt8]) throws(DNSError) {
        guard bytes.count >= DNSHeader.size else { throw .truncatedHeader(size: bytes.count) }
        id = bytes.u16be(at: 0)
        flags = bytes.u16be(at: 2)
        questionCount = bytes.u16be(at: 4)
        answerCount = bytes.u16be(at: 6)
        authorityCount = bytes.u16be(at: 8)
        additionalCount = bytes.u16be(at: 10)
    }

    /// QR: the message is a response.
    public var isResponse: Bool { flags & 0x8000 != 0 }
    /// OPCODE (0 = standard query).
    public var opcode: UInt8 { UInt8((flags >> 11) & 0x0F) }
    /// RD, copied into the reply.
    public var recursionDesired: Bool { flags & 0x0100 != 0 }
}

/// One question: the name as labels, QTYPE and QCLASS, and where it sits in the datagram.
public struct DNSQuestion: Equatable, Sendable {
    /// QNAME.
    public var name: DNSName
    /// QTYPE (1 = A, 28 = AAAA, ...).
    public var type: UInt16
    /// QCLASS (1 = IN).
    public var `class`: UInt16
    /// The question's bytes in the query, copied verbatim into the response.
    public var wireRange: Range<Int>

    /// Well-known QTYPE and QCLASS values.
    public static let typeA: UInt16 = 1
    public static let typeAAAA: UInt16 = 28
    public static let classIN: UInt16 = 1

    /// Reads the question at `start` (in a query or in the response that echoes it).
    static func read(_ datagram: [UInt8], at start: Int) throws(DNSError) -> DNSQuestion {
        let (name, end) = try DNSName.read(datagram, at: start)
        guard end + 4 <= datagram.count else { throw .truncatedQuestion(offset: end) }
        return DNSQuestion(name: name, type: datagram.u16be(at: end), class: datagram.u16be(at: end + 2),
                           wireRange: start..<(end + 4))
    }
}

extension Array where Element == UInt8 {
    @inlinable
    func u16be(at offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }

    @inlinable
    mutating func appendBE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}
