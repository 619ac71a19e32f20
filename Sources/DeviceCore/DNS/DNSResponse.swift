/// The client side of the codec, second half: a response as a stub resolver reads it, to see
/// where a name points (the captive portal's hijack answers every name with the portal itself).
/// Hostile bytes get the same limits and typed errors as queries do.
public struct DNSResponse: Equatable, Sendable {
    /// The fixed header (its id is the query's).
    public var header: DNSHeader
    /// The question, echoed from the query.
    public var question: DNSQuestion
    /// The answer section, in order. Authority and additional records are not read.
    public var answers: [DNSRecord]

    /// Parses `datagram` as a response (QR set) to a one-question query.
    public init(parsing datagram: [UInt8]) throws(DNSError) {
        guard datagram.count <= DNSMessage.maxUDPSize else {
            throw .tooLarge(size: datagram.count, limit: DNSMessage.maxUDPSize)
        }
        let header = try DNSHeader(parsing: datagram)
        guard header.isResponse else { throw .notAResponse }
        guard header.questionCount > 0 else { throw .noQuestion }
        guard header.questionCount == 1 else { throw .tooManyQuestions(count: Int(header.questionCount)) }
        let question = try DNSQuestion.read(datagram, at: DNSHeader.size)
        var answers: [DNSRecord] = []
        var offset = question.wireRange.upperBound
        for _ in 0..<header.answerCount {
            let (record, end) = try DNSRecord.read(datagram, at: offset)
            answers.append(record)
            offset = end
        }
        self.header = header
        self.question = question
        self.answers = answers
    }

    /// The address of the first A record of class IN, nil when there is none ("no data").
    public var firstIPv4Address: IPv4Address? {
        for r in answers where r.type == DNSQuestion.typeA && r.class == DNSQuestion.classIN && r.data.count == 4 {
            return IPv4Address(r.data[0], r.data[1], r.data[2], r.data[3])
        }
        return nil
    }
}

/// One resource record (RFC 1035 §4.1.3): owner name, TYPE, CLASS, TTL and its RDATA bytes.
public struct DNSRecord: Equatable, Sendable {
    public var name: DNSName
    public var type: UInt16
    public var `class`: UInt16
    /// Seconds the record may be cached.
    public var ttl: UInt32
    /// RDATA (four bytes of address for an A record).
    public var data: [UInt8]

    /// Reads the record at `start`; returns it and the offset just past it.
    static func read(_ bytes: [UInt8], at start: Int) throws(DNSError) -> (DNSRecord, Int) {
        let (name, fixed) = try DNSName.read(bytes, at: start)
        guard fixed + 10 <= bytes.count else { throw .truncatedRecord(offset: start) }
        let length = Int(bytes.u16be(at: fixed + 8))
        guard fixed + 10 + length <= bytes.count else { throw .truncatedRecord(offset: start) }
        let ttl = UInt32(bytes.u16be(at: fixed + 4)) << 16 | UInt32(bytes.u16be(at: fixed + 6))
        let record = DNSRecord(name: name, type: bytes.u16be(at: fixed), class: bytes.u16be(at: fixed + 2), ttl: ttl,
                               data: Array(bytes[(fixed + 10)..<(fixed + 10 + length)]))
        return (record, fixed + 10 + length)
    }
}
