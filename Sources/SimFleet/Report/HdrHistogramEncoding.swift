import CZlib
import Foundation
import Histogram

/// HdrHistogram's standard compressed V2 encoding: the base64 text (`HISTFAAA…`) that HdrHistogram's
/// Java, C, Go and Python libraries write into histogram logs and read back. A report carries its
/// latency histograms this way, so `simfleet merge` adds the shards' histograms bucket by bucket
/// (percentiles of the whole run, not averages of percentiles) and any HdrHistogram tool can read them.
///
/// Layout (big-endian): compressed cookie `0x1c849314`, deflated length, then a zlib stream of the
/// plain encoding: cookie `0x1c849313`, payload length, normalizing index offset (0), significant
/// digits, lowest discernible value, highest trackable value, integer-to-double ratio (1.0), and the
/// counts in bucket-index order as ZigZag LEB128 (at most 9 bytes) with runs of zeros as negatives.
enum HdrHistogramEncoding {
    static let plainCookieBase: UInt32 = 0x1c84_9303
    static let compressedCookieBase: UInt32 = 0x1c84_9304
    /// The low nibble of the cookie's last byte carries the word size (8 bytes: 0x10), as Java writes it.
    static let wordSizeFlag: UInt32 = 0x10
    static let headerBytes = 40

    /// The compressed, base64 form of `histogram`.
    static func encode(_ histogram: Histogram<UInt64>) -> String {
        var payload: [UInt8] = []
        let counts = countsInIndexOrder(histogram)
        var i = 0
        while i < counts.count {
            let count = counts[i]
            i += 1
            if count == 0 {
                var zeros: Int64 = 1
                while i < counts.count && counts[i] == 0 {
                    zeros += 1
                    i += 1
                }
                putZigZag(zeros > 1 ? -zeros : 0, into: &payload)
            } else {
                putZigZag(Int64(clamping: count), into: &payload)
            }
        }
        var plain: [UInt8] = []
        putUInt32(plainCookieBase | wordSizeFlag, into: &plain)
        putUInt32(UInt32(payload.count), into: &plain)
        putUInt32(0, into: &plain)  // normalizing index offset
        putUInt32(UInt32(histogram.numberOfSignificantValueDigits.rawValue), into: &plain)
        putUInt64(histogram.lowestDiscernibleValue, into: &plain)
        putUInt64(histogram.highestTrackableValue, into: &plain)
        putUInt64((1.0 as Double).bitPattern, into: &plain)
        plain += payload

        var deflated = [UInt8](repeating: 0, count: Int(compressBound(uLong(plain.count))))
        var deflatedLength = uLongf(deflated.count)
        let rc = deflated.withUnsafeMutableBufferPointer { out in
            plain.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &deflatedLength, input.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        precondition(rc == Z_OK, "zlib compress2 failed with a buffer of compressBound's size")
        var out: [UInt8] = []
        putUInt32(compressedCookieBase | wordSizeFlag, into: &out)
        putUInt32(UInt32(deflatedLength), into: &out)
        out += deflated[0..<Int(deflatedLength)]
        return Data(out).base64EncodedString()  // FoundationEssentials, and only at report time
    }

    /// Reads `text` into a histogram shaped like `template` (same lowest value and precision, so
    /// every count lands in the bucket it was counted in). Anything else is a typed error.
    static func decode(_ text: String, like template: Histogram<UInt64>) throws(HistogramDecodingError) -> Histogram<UInt64> {
        guard let data = Data(base64Encoded: text) else { throw .notBase64 }
        let bytes = [UInt8](data)
        var reader = ByteReader(bytes: bytes[...])
        guard let cookie = reader.uint32(), let length = reader.uint32() else { throw .truncated }
        guard cookie & ~0xF0 == compressedCookieBase else { throw .wrongCookie(cookie) }
        guard Int(length) <= reader.remaining else { throw .truncated }
        let deflated = Array(reader.take(Int(length)))
        // The plain encoding of a histogram of the template's range needs at most 9 bytes per bucket.
        let bucketBound = countsInIndexOrderLimit(template)
        var plain = [UInt8](repeating: 0, count: headerBytes + 9 * bucketBound)
        var plainLength = uLongf(plain.count)
        let rc = plain.withUnsafeMutableBufferPointer { out in
            deflated.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &plainLength, input.baseAddress, uLong(input.count))
            }
        }
        guard rc == Z_OK else { throw .badDeflate(Int(rc)) }
        var inner = ByteReader(bytes: plain[0..<Int(plainLength)])
        guard let plainCookie = inner.uint32(), let payloadLength = inner.uint32(), let offset = inner.uint32(),
              let digits = inner.uint32(), let lowest = inner.uint64(), let highest = inner.uint64(), inner.uint64() != nil
        else { throw .truncated }
        guard plainCookie & ~0xF0 == plainCookieBase else { throw .wrongCookie(plainCookie) }
        guard offset == 0 else { throw .unsupported("a normalizing index offset of \(offset)") }
        guard digits == UInt32(template.numberOfSignificantValueDigits.rawValue), lowest == template.lowestDiscernibleValue else {
            throw .unsupported("\(digits) significant digits from \(lowest) (this report uses "
                               + "\(template.numberOfSignificantValueDigits.rawValue) from \(template.lowestDiscernibleValue))")
        }
        guard highest <= template.highestTrackableValue else {
            throw .unsupported("values up to \(highest) (this report tracks up to \(template.highestTrackableValue))")
        }
        guard Int(payloadLength) <= inner.remaining else { throw .truncated }
        var payload = ByteReader(bytes: inner.take(Int(payloadLength)))
        var histogram = template
        histogram.reset()
        // Walk the buckets in index order with the library's own notion of "equivalent values".
        var value: UInt64 = 0
        var pastEnd = false
        func skip(_ buckets: Int64) {
            var left = buckets
            while left > 0 && !pastEnd {
                if value >= template.highestTrackableValue { pastEnd = true } else { value = template.nextNonEquivalentForValue(value) }
                left -= 1
            }
        }
        while payload.remaining > 0 {
            guard let n = payload.zigZag(), n != Int64.min else { throw .truncated }
            if n < 0 {
                skip(-n)
                continue
            }
            if n > 0 {
                guard !pastEnd, histogram.record(value, count: UInt64(n)) else {
                    throw .unsupported("a count beyond the trackable range")
                }
            }
            skip(1)
        }
        return histogram
    }

    /// Counts bucket by bucket, from value 0 up to the bucket of the largest recorded value.
    static func countsInIndexOrder(_ h: Histogram<UInt64>) -> [UInt64] {
        guard h.totalCount > 0 else { return [] }
        let top = h.maxRecorded
        var counts: [UInt64] = []
        var value: UInt64 = 0
        while true {
            counts.append(h.countForValue(value))
            if h.valuesAreEquivalent(value, top) || value >= h.highestTrackableValue { break }
            value = h.nextNonEquivalentForValue(value)
        }
        return counts
    }

    /// How many buckets cover the template's whole range.
    static func countsInIndexOrderLimit(_ h: Histogram<UInt64>) -> Int {
        var n = 1
        var value: UInt64 = 0
        while value < h.highestTrackableValue {
            value = h.nextNonEquivalentForValue(value)
            n += 1
        }
        return n
    }

    static func putZigZag(_ v: Int64, into out: inout [UInt8]) {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        for _ in 0..<8 {
            if u >> 7 == 0 {
                out.append(UInt8(u))
                return
            }
            out.append(UInt8(u & 0x7F) | 0x80)
            u >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: u))  // the ninth byte carries a full 8 bits
    }

    static func putUInt32(_ v: UInt32, into out: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    static func putUInt64(_ v: UInt64, into out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    /// Big-endian reads over a slice; nil past its end.
    struct ByteReader {
        var bytes: ArraySlice<UInt8>

        var remaining: Int { bytes.count }

        mutating func take(_ n: Int) -> ArraySlice<UInt8> {
            let out = bytes.prefix(n)
            bytes = bytes.dropFirst(n)
            return out
        }

        mutating func uint32() -> UInt32? {
            guard bytes.count >= 4 else { return nil }
            return take(4).reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func uint64() -> UInt64? {
            guard bytes.count >= 8 else { return nil }
            return take(8).reduce(0) { $0 << 8 | UInt64($1) }
        }

        mutating func zigZag() -> Int64? {
            var u: UInt64 = 0
            for i in 0..<9 {
                guard let b = bytes.first else { return nil }
                bytes = bytes.dropFirst()
                if i == 8 {
                    u |= UInt64(b) << 56
                    break
                }
                u |= UInt64(b & 0x7F) << UInt64(7 * i)
                if b & 0x80 == 0 { break }
            }
            return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
        }
    }
}

/// Why an encoded histogram could not be read.
public enum HistogramDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case notBase64
    case truncated
    case wrongCookie(UInt32)
    case badDeflate(Int)
    case unsupported(String)

    public var description: String {
        switch self {
        case .notBase64: return "an encoded histogram is not base64"
        case .truncated: return "an encoded histogram ends early"
        case .wrongCookie(let c): return "not an HdrHistogram V2 encoding (cookie 0x" + String(c, radix: 16) + ")"
        case .badDeflate(let rc): return "an encoded histogram does not inflate (zlib " + String(rc) + ")"
        case .unsupported(let what): return "an encoded histogram has " + what
        }
    }
}
