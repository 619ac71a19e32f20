/// The captive portal's DNS hijack: every A query of class IN is answered with the AP address.
///
/// Other types (AAAA included) get NOERROR with no answer records ("no data"): the name exists,
/// it just has no such record. NXDOMAIN would claim the name does not exist at all, which some
/// resolvers cache for the A record too; "no data" makes an IPv6-capable client fall back to the
/// IPv4 address we hand out. Datagrams whose header cannot be read, responses (QR set) and
/// oversized datagrams are dropped (nil); other malformed queries get FORMERR with the id echoed.
public struct DNSResponder: Sendable {
    /// The address every A query is answered with (the AP's).
    public var address: IPv4Address
    /// Seconds clients may cache the answer; short, since the address is only right until provisioning ends.
    public var ttl: UInt32

    /// A responder handing out `address` for `ttl` seconds.
    public init(address: IPv4Address = .softAPDefault, ttl: UInt32 = 60) {
        self.address = address
        self.ttl = ttl
    }

    /// The RCODEs this responder sends.
    public enum ResponseCode: UInt8, Sendable {
        case noError = 0, formatError = 1, notImplemented = 4
    }

    /// The reply datagram for `query`, or nil to drop it.
    public func respond(to query: [UInt8]) -> [UInt8]? {
        let message: DNSMessage
        do {
            message = try DNSMessage(parsing: query)
        } catch {
            return reply(toMalformed: query, error)
        }
        guard message.header.opcode == 0 else {
            return header(echoing: message.header, code: .notImplemented, questions: 0, answers: 0)
        }
        let q = message.question
        let answers: UInt16 = (q.type == DNSQuestion.typeA && q.class == DNSQuestion.classIN) ? 1 : 0
        var out = header(echoing: message.header, code: .noError, questions: 1, answers: answers)
        out.append(contentsOf: query[q.wireRange])
        if answers == 1 {
            out.append(contentsOf: [0xC0, 0x0C])              // name: pointer to the question's name
            out.appendBE(DNSQuestion.typeA)
            out.appendBE(DNSQuestion.classIN)
            out.appendBE(UInt16(truncatingIfNeeded: ttl >> 16))
            out.appendBE(UInt16(truncatingIfNeeded: ttl))
            out.appendBE(4)
            out.append(contentsOf: [address.octets.0, address.octets.1, address.octets.2, address.octets.3])
        }
        return out
    }

    /// FORMERR when the header is readable and it is a query; nil otherwise.
    func reply(toMalformed query: [UInt8], _ error: DNSError) -> [UInt8]? {
        switch error {
        case .tooLarge, .truncatedHeader, .notAQuery: return nil
        default:
            guard let h = try? DNSHeader(parsing: query) else { return nil }
            return header(echoing: h, code: .formatError, questions: 0, answers: 0)
        }
    }

    /// Response header: id and opcode echoed, QR and AA set, RD copied, RA clear (no recursion here).
    func header(echoing q: DNSHeader, code: ResponseCode, questions: UInt16, answers: UInt16) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        out.appendBE(q.id)
        let flags: UInt16 = 0x8000 | (UInt16(q.opcode) << 11) | 0x0400 | (q.flags & 0x0100) | UInt16(code.rawValue)
        out.appendBE(flags)
        out.appendBE(questions)
        out.appendBE(answers)
        out.appendBE(0)
        out.appendBE(0)
        return out
    }
}
