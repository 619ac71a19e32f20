/// Why a DNS datagram was refused. Offsets are byte offsets into the datagram.
public enum DNSError: Error, Equatable, Sendable {
    /// Larger than the classic UDP limit (RFC 1035 §2.3.4: 512 bytes).
    case tooLarge(size: Int, limit: Int)
    /// Fewer than the 12 header bytes.
    case truncatedHeader(size: Int)
    /// QR is set: a response, which a server never answers (that would let two servers loop).
    case notAQuery
    /// QDCOUNT is 0: nothing to answer.
    case noQuestion
    /// QDCOUNT above one; RFC 9619: a query carries exactly one question.
    case tooManyQuestions(count: Int)
    /// A name ran past the end of the datagram.
    case truncatedName(offset: Int)
    /// A label length byte above 63 that is not a pointer (the 0x40/0x80 label types).
    case invalidLabelType(offset: Int)
    /// A name longer than 255 bytes in wire form (RFC 1035 §3.1).
    case nameTooLong(offset: Int)
    /// A compression pointer at `offset` pointing at or after itself.
    case forwardPointer(offset: Int)
    /// Pointers followed more times than the hop limit: a loop.
    case pointerLoop(offset: Int)
    /// QTYPE/QCLASS cut off.
    case truncatedQuestion(offset: Int)
    /// A response was expected (a stub resolver reading its answer) and QR is clear.
    case notAResponse
    /// A resource record's fixed fields or RDATA cut off; `offset` is where the record starts.
    case truncatedRecord(offset: Int)
    /// Building a name: the label at `index` (from the left) is empty or longer than 63 bytes.
    case invalidLabelLength(index: Int)
}
