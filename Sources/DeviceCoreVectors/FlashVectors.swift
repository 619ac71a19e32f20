import DeviceCore

/// Erase sets 0xFF, writes only clear bits, misaligned erases and out-of-range access are errors.
func norFlashSemantics() -> String {
    var flash = NORFlash(size: 64 * 1024)
    var lines: [String] = []
    func attempt(_ name: String, _ op: FlashOperation) {
        do {
            try flash.apply(op)
            lines.append(name + " ok")
        } catch {
            lines.append(name + " " + error.reason)
        }
    }
    func read(_ name: String, _ offset: Int, _ length: Int) {
        do {
            lines.append(name + " " + hexString(try flash.read(offset: offset, length: length)))
        } catch {
            lines.append(name + " " + error.reason)
        }
    }
    read("fresh", 0x1FFE, 4)
    attempt("write", .write(offset: 0x2000, bytes: [0x0F, 0xF0, 0x55]))
    attempt("overwrite", .write(offset: 0x2000, bytes: [0xF0, 0xFF, 0xAA]))
    read("after-writes", 0x1FFE, 6)
    attempt("erase-misaligned", .erase(offset: 0x2001, length: 4096))
    attempt("erase-out-of-range", .erase(offset: 0x10000, length: 4096))
    attempt("write-past-end", .write(offset: 0xFFFF, bytes: [1, 2]))
    attempt("erase", .erase(offset: 0x2000, length: 4096))
    read("after-erase", 0x1FFE, 6)
    lines.append("stored sectors " + dec(flash.storedSectorCount))
    do {
        try flash.applyInterrupted(.write(offset: 0x3000, bytes: [0, 0, 0, 0, 0, 0, 0, 0]), numerator: 1, denominator: 2)
        lines.append("interrupted write ok")
    } catch {
        lines.append("interrupted write " + error.reason)
    }
    read("after-power-cut", 0x3000, 8)
    return joined(lines, "\n")
}
