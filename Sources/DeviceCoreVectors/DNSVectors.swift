import DeviceCore

/// A DNS query datagram for `name` as `dig` sends it (RD set, one question, class IN).
func dnsQuery(id: UInt16, name: String, type: UInt16) -> [UInt8] {
    var q: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
    for label in name.utf8.split(separator: UInt8(ascii: ".")) {
        q.append(UInt8(label.count))
        q.append(contentsOf: label)
    }
    q.append(0)
    q.append(contentsOf: [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1])
    return q
}

/// Queries in, reply datagrams out (hex), including the malformed ones the responder must survive.
func dnsExchanges() -> String {
    let responder = DNSResponder()
    var lines: [String] = []
    func exchange(_ name: String, _ query: [UInt8]) {
        lines.append(name + " " + (responder.respond(to: query).map { hexString($0) } ?? "drop"))
    }
    exchange("A connectivitycheck.gstatic.com", dnsQuery(id: 0x1A2B, name: "connectivitycheck.gstatic.com", type: 1))
    exchange("AAAA captive.apple.com", dnsQuery(id: 0x0001, name: "captive.apple.com", type: 28))
    var response = dnsQuery(id: 7, name: "a.b", type: 1)
    response[2] |= 0x80
    exchange("response-bit", response)
    exchange("short-header", [0x12, 0x34, 0x01])
    var loop = Array(dnsQuery(id: 9, name: "x", type: 1)[0..<12])
    loop.append(contentsOf: [0xC0, 0x0C, 0, 1, 0, 1])
    exchange("pointer-loop", loop)
    var twoQuestions = dnsQuery(id: 10, name: "a", type: 1)
    twoQuestions[5] = 2
    exchange("two-questions", twoQuestions)
    var status = dnsQuery(id: 11, name: "a", type: 1)
    status[2] = 0x10  // opcode 2 (STATUS)
    exchange("opcode-status", status)
    exchange("oversized", [UInt8](repeating: 0, count: 513))
    var badLabel = Array(dnsQuery(id: 12, name: "x", type: 1)[0..<12])
    badLabel.append(contentsOf: [0x45, 0x61, 0, 0, 1, 0, 1])
    exchange("label-type-0x40", badLabel)
    return joined(lines, "\n")
}
