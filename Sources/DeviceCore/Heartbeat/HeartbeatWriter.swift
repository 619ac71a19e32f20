/// The heartbeat's wire bytes written straight into one buffer: the same compact JSON as
/// `json.encodedBytes()` (key order, escaping, numbers, `ts` text) without building a `JSONValue`
/// tree and its Strings first. Status publishes are the fleet's hottest path.
extension Heartbeat {
    /// Compact JSON bytes, identical to `json.encodedBytes()`.
    public func encodedBytes() -> [UInt8] {
        let otaBytes = ota?.encodedBytes()  // only while an update reports progress
        // Every byte written below fits: keys and punctuation take 113 bytes, a number at most 20
        // (sign included), `ts` at most 24, and a string byte at most 6 (`\u00XX`).
        let strings = id.utf8.count + firmware.utf8.count + state.name.utf8.count + resetReason.name.utf8.count
        let capacity = 113 + 5 * 20 + 24 + 6 * strings + (otaBytes?.count ?? 0)
        // Written on the stack, then copied once into an array of the exact size.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var out = ByteCursor(buffer.baseAddress!)
            out.write("{\"id\":")
            out.writeJSONString(id)
            out.write(",\"fw\":")
            out.writeJSONString(firmware)
            out.write(",\"state\":")
            out.writeJSONString(state.name)
            out.write(",\"uptime_s\":")
            out.writeDecimal(uptimeSeconds)
            out.write(",\"rssi\":")
            if let rssi { out.writeDecimal(Int64(rssi)) } else { out.write("null") }
            out.write(",\"free_heap\":")
            out.writeDecimal(Int64(freeHeap))
            out.write(",\"reset_reason\":")
            out.writeJSONString(resetReason.name)
            out.write(",\"boot_count\":")
            out.writeDecimal(Int64(bootCount))
            out.write(",\"seq\":")
            out.writeDecimal(Int64(seq))
            out.write(",\"ts\":")
            out.writeMillisecondsText(timestamp)
            if let otaBytes {
                out.write(",\"ota\":")
                otaBytes.withUnsafeBufferPointer { out.write($0) }
            }
            out.write(UInt8(ascii: "}"))
            let written = UnsafeBufferPointer(rebasing: buffer[..<out.count(from: buffer.baseAddress!)])
            var bytes: [UInt8] = []
            bytes.reserveCapacity(written.count)
            bytes.append(contentsOf: written)
            return bytes
        }
    }
}

/// Writes through a pointer into memory sized beforehand: no capacity or uniqueness check per
/// write, as `[UInt8].append` makes (a heartbeat is two dozen pieces).
private struct ByteCursor {
    private var at: UnsafeMutablePointer<UInt8>

    init(_ start: UnsafeMutablePointer<UInt8>) { at = start }

    func count(from start: UnsafeMutablePointer<UInt8>) -> Int { at - start }

    mutating func write(_ byte: UInt8) {
        at.initialize(to: byte)
        at += 1
    }

    mutating func write(_ text: StaticString) {
        at.initialize(from: text.utf8Start, count: text.utf8CodeUnitCount)
        at += text.utf8CodeUnitCount
    }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        at.initialize(from: base, count: bytes.count)
        at += bytes.count
    }

    /// `appendDecimal`'s text. (Not inlined, here and below: one copy instead of seven on the chip.)
    @inline(never)
    mutating func writeDecimal(_ value: Int64) {
        if value < 0 { write(UInt8(ascii: "-")) }
        var v = value.magnitude
        var digits = 1
        var power: UInt64 = 10
        while digits < 19 && v >= power {  // at most 19 digits: Int64.min's magnitude has 19
            digits += 1
            power &*= 10
        }
        // Two digits per division, back to front, from a table of "00" ... "99".
        let pairs = ByteCursor.digitPairs.utf8Start
        var end = at + digits
        while v >= 100 {
            let pair = Int(v % 100) * 2
            v /= 100
            end -= 2
            end.initialize(to: pairs[pair])
            (end + 1).initialize(to: pairs[pair + 1])
        }
        if v >= 10 {
            let pair = Int(v) * 2
            (at + 1).initialize(to: pairs[pair + 1])
            at.initialize(to: pairs[pair])
        } else {
            at.initialize(to: UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v))
        }
        at += digits
    }

    /// "00" ... "99" in a row: a constant in the binary (a computed literal, nothing to initialise).
    private static var digitPairs: StaticString {
        """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
    }

    /// `Instant.appendMillisecondsText`'s text.
    @inline(never)
    mutating func writeMillisecondsText(_ instant: Instant) {
        var frac = instant.microseconds % 1000
        if frac < 0 { frac = -frac }
        writeDecimal(instant.microseconds / 1000)
        write(UInt8(ascii: "."))
        if frac < 100 { write(UInt8(ascii: "0")) }
        if frac < 10 { write(UInt8(ascii: "0")) }
        writeDecimal(frac)
    }

    /// `writeJSONString`'s text: copied in one piece when nothing needs an escape (nearly always).
    @inline(never)
    mutating func writeJSONString(_ s: String) {
        let copied: Bool? = s.utf8.withContiguousStorageIfAvailable { bytes in
            for c in bytes where c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F { return false }
            write(UInt8(ascii: "\""))
            write(bytes)
            write(UInt8(ascii: "\""))
            return true
        }
        if copied == true { return }
        var escaped: [UInt8] = []
        DeviceCore.writeJSONString(s, to: &escaped)
        escaped.withUnsafeBufferPointer { write($0) }
    }
}
