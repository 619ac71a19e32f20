/// The heartbeat's wire bytes written straight into one buffer: the same compact JSON as
/// `json.encodedBytes()` (key order, escaping, numbers, `ts` text) without building a `JSONValue`
/// tree and its Strings first. Status publishes are the fleet's hottest path.
extension Heartbeat {
    /// Compact JSON bytes, identical to `json.encodedBytes()`.
    public func encodedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(224)
        out.append(contentsOf: "{\"id\":".utf8)
        writeJSONString(id, to: &out)
        out.append(contentsOf: ",\"fw\":".utf8)
        writeJSONString(firmware, to: &out)
        out.append(contentsOf: ",\"state\":".utf8)
        writeJSONString(state.name, to: &out)
        out.append(contentsOf: ",\"uptime_s\":".utf8)
        appendDecimal(uptimeSeconds, to: &out)
        out.append(contentsOf: ",\"rssi\":".utf8)
        if let rssi { appendDecimal(Int64(rssi), to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: ",\"free_heap\":".utf8)
        appendDecimal(Int64(freeHeap), to: &out)
        out.append(contentsOf: ",\"reset_reason\":".utf8)
        writeJSONString(resetReason.name, to: &out)
        out.append(contentsOf: ",\"boot_count\":".utf8)
        appendDecimal(Int64(bootCount), to: &out)
        out.append(contentsOf: ",\"seq\":".utf8)
        appendDecimal(Int64(seq), to: &out)
        out.append(contentsOf: ",\"ts\":".utf8)
        timestamp.appendMillisecondsText(to: &out)
        if let ota {
            out.append(contentsOf: ",\"ota\":".utf8)
            ota.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
