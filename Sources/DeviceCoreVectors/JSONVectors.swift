import DeviceCore

/// JSON as devices see it on the wire: OTA commands in, heartbeats out, and every kind of
/// malformed input refused with the same typed error on both ISAs.
func jsonVectors(_ emit: (String, String) -> Void) {
    let reader = JSONReader()

    let commands: [(String, String)] = [
        ("json.command.install",
         #"{"version":"v2025.03.25.124759","url":"http://127.0.0.1:8080/firmware/firmware_2025.03.25.124759.bin","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","size":1071616}"#),
        ("json.command.check", #" { "action" : "check" } "#),
        ("json.command.unicode", #"{"note":"caf\u00e9 \ud83d\ude00 tab\tquote\" slash\/ nul\u0000","n":[-0,1.5e-3,2E+10,null,true,false]}"#),
    ]
    for (name, text) in commands {
        do {
            let value = try reader.parse(text)
            emit(name, renderTree(value) + " => " + value.encoded())
        } catch {
            emit(name, "error " + renderJSONError(error))
        }
    }

    let heartbeat = JSONValue.object([
        JSONMember("state", .string("online")),
        JSONMember("seq", .int(17)),
        JSONMember("ts", .number(JSONNumber(1_764_396_000_123))),
        JSONMember("fw", .string("2025.03.25.124759")),
        JSONMember("chip", .string(ChipModel.esp32c6.displayName)),
        JSONMember("rssi", .int(-61)),
        JSONMember("ip", .string(IPv4Address(10, 0, 0, 23).text)),
        JSONMember("reset", .string(ResetReason.taskWatchdog.name)),
        JSONMember("uptime_ms", .int(Int64(90_000))),
    ])
    let encoded = heartbeat.encodedBytes()
    let reparsed = (try? reader.parse(encoded)) == heartbeat
    emit("json.heartbeat.encode", String(decoding: encoded, as: UTF8.self) + " bytes=" + dec(encoded.count)
        + " roundtrip=" + yesNo(reparsed))

    var integers: [String] = []
    for text in ["0", "-0", "42", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                 "1.0", "1e3", "-12345678901"] {
        let value = try? reader.parse(text)
        integers.append(text + "->" + (value?.int64Value.map { decimal($0) } ?? "nil"))
    }
    emit("json.number.int64", joined(integers, " "))

    let strict = JSONReader(maxBytes: 64, maxDepth: 4)
    let malformed: [(String, [UInt8])] = [
        ("empty", []),
        ("open-object", Array("{".utf8)),
        ("trailing-comma", Array(#"{"a":1,}"#.utf8)),
        ("leading-zero", Array("01".utf8)),
        ("bare-dot", Array("1.".utf8)),
        ("bad-escape", Array(#""\x""#.utf8)),
        ("lone-low-surrogate", Array(#""\udc00""#.utf8)),
        ("high-without-low", Array(#""\ud83dx""#.utf8)),
        ("control-char", [0x22, 0x61, 0x01, 0x22]),
        ("duplicate-key", Array(#"{"url":"a","url":"b"}"#.utf8)),
        ("too-deep", Array("[[[[[1]]]]]".utf8)),
        ("truncated-literal", Array("tru".utf8)),
        ("overlong-nul", [0x22, 0xC0, 0x80, 0x22]),
        ("utf8-surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22]),
        ("truncated-utf8", [0x22, 0xE2, 0x82]),
        ("too-large", [UInt8](repeating: 0x20, count: 65)),
        ("garbage", Array("@".utf8)),
        ("two-values", Array("1 2".utf8)),
    ]
    var errors: [String] = []
    for (name, bytes) in malformed {
        do {
            let v = try strict.parse(bytes)
            errors.append(name + "=accepted " + v.encoded())
        } catch {
            errors.append(name + "=" + renderJSONError(error))
        }
    }
    emit("json.errors", joined(errors, "\n"))

    let lookups = (try? reader.parse(#"{"a":{"b":[1,"x"]},"c":"s","d":true,"e":null}"#)) ?? .null
    var found: [String] = []
    found.append(optional(lookups["c"]?.stringValue))
    found.append(optional(lookups["d"]?.boolValue.map(yesNo)))
    found.append(yesNo(lookups["e"]?.isNull ?? false))
    found.append(optional(lookups["a"]?["b"].map(renderTree)))
    found.append(optional(lookups["zz"].map(renderTree)))
    found.append(optional(JSONValue.string("x")["a"].map(renderTree)))
    emit("json.lookup", joined(found, " "))
}
