import DeviceCore

/// Runs every golden vector through real DeviceCore code and hands each result to `emit` as
/// (name, output text), in a fixed order. The same code runs on the host and on rv32imac under
/// QEMU, so equal text proves the core behaves the same on the ESP32-C6's instruction set.
public func runGoldenVectors(emit: (_ name: String, _ output: String) -> Void) {
    supportVectors(emit)
    jsonVectors(emit)
    httpVectors(emit)
    deviceVectors(emit)
    otaVectors(emit)
    otaUpdateVectors(emit)
    portalVectors(emit)
    provisioningVectors(emit, crypto: KnownAnswerCrypto.self)
}

/// The whole transcript, one `goldenLine` per vector followed by a newline: the exact bytes of
/// `Tests/RISCV/expected.txt`.
public func goldenTranscript() -> String {
    var out = ""
    runGoldenVectors { name, output in
        out += goldenLine(name: name, output: output)
        out += "\n"
    }
    return out
}

/// One vector as a single line, `name: output`, with the output escaped so that it holds no
/// newline: `\\` for a backslash, `\n` for a newline, `\xNN` for other control bytes.
public func goldenLine(name: String, output: String) -> String {
    var out: [UInt8] = Array(name.utf8)
    out.append(UInt8(ascii: ":"))
    out.append(UInt8(ascii: " "))
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    for c in output.utf8 {
        switch c {
        case UInt8(ascii: "\\"): out.append(c); out.append(c)
        case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
        case 0x00..<0x20, 0x7F:
            out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "x"))
            out.append(digits[Int(c >> 4)]); out.append(digits[Int(c & 0x0F)])
        default: out.append(c)
        }
    }
    return String(decoding: out, as: UTF8.self)
}
