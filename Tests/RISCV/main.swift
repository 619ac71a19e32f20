import DeviceCore
import DeviceCoreVectors

// Bare-metal golden-vector driver for rv32imac (the ESP32-C6's ISA) under qemu-system-riscv32.
// Runs every vector through DeviceCore, compares each line byte for byte with the transcript the
// host produced (Tests/RISCV/expected.txt, linked in by support.c), prints `PASS name` or
// `FAIL name`, memory figures, and the closing `N passed, N failed` line, then exits QEMU.

@_extern(c, "simfleet_expected_text") func expectedText(_ length: UnsafeMutablePointer<Int>) -> UnsafePointer<UInt8>
@_extern(c, "simfleet_heap_in_use") func heapInUse() -> Int
@_extern(c, "simfleet_heap_arena") func heapArena() -> Int
@_extern(c, "simfleet_heap_peak") func heapPeak() -> Int
@_extern(c, "simfleet_heap_reset_peak") func heapResetPeak()
@_extern(c, "simfleet_heap_allocations") func heapAllocations() -> Int
@_extern(c, "simfleet_stack_paint") func stackPaint()
@_extern(c, "simfleet_stack_used") func stackUsed() -> Int
@_extern(c, "simfleet_stack_size") func stackSize() -> Int
@_extern(c, "exit") func exitQEMU(_ status: Int32)

/// The expected transcript split into lines (without the newline bytes).
func expectedLines() -> [[UInt8]] {
    var length = 0
    let start = expectedText(&length)
    var lines: [[UInt8]] = []
    var current: [UInt8] = []
    for i in 0..<length {
        let byte = start[i]
        if byte == 0x0A {
            lines.append(current)
            current = []
        } else {
            current.append(byte)
        }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}

/// The vector name at the start of an expected line (up to the first `:`).
func nameOf(_ line: [UInt8]) -> String {
    var name: [UInt8] = []
    for byte in line {
        if byte == UInt8(ascii: ":") { break }
        name.append(byte)
    }
    return String(decoding: name, as: UTF8.self)
}

func bytes(_ n: Int) -> String { String(n) + " bytes" }

/// Heap and stack a device needs for its first minute (boot, WiFi, MQTT, two heartbeats),
/// measured alone, before anything else has touched the heap.
func measureBootHeartbeatCycle() {
    stackPaint()
    let before = heapInUse()
    heapResetPeak()
    var steps = 0
    var inUseAtEnd = 0
    runBootHeartbeatCycle { _, _, _, _ in
        steps += 1
        inUseAtEnd = heapInUse() - before
    }
    print("device cycle: " + String(steps) + " steps (boot, WiFi, MQTT, 2 heartbeats): heap peak "
        + bytes(heapPeak() - before) + " over " + String(heapAllocations()) + " allocations, " + bytes(inUseAtEnd)
        + " in use at the last heartbeat; Device value " + bytes(deviceInlineBytes) + " inline; stack "
        + bytes(stackUsed()))
}

@_cdecl("main")
public func main() -> Int32 {
    measureBootHeartbeatCycle()

    stackPaint()
    let expected = expectedLines()
    let heapBefore = heapInUse()
    heapResetPeak()

    var index = 0
    var passed = 0
    var failed = 0
    runGoldenVectors { name, output in
        let got = goldenLine(name: name, output: output)
        let gotBytes = Array(got.utf8)
        if index < expected.count && expected[index] == gotBytes {
            print("PASS " + name)
            passed += 1
        } else {
            print("FAIL " + name)
            print("  want: " + (index < expected.count ? String(decoding: expected[index], as: UTF8.self) : "<no line>"))
            print("  got:  " + got)
            failed += 1
        }
        index += 1
    }
    while index < expected.count {
        print("FAIL " + nameOf(expected[index]) + " (expected, but the driver did not produce it)")
        failed += 1
        index += 1
    }

    print("all vectors: heap peak " + bytes(heapPeak() - heapBefore) + " above " + bytes(heapBefore)
        + " of expected text; heap arena high-water " + bytes(heapArena()) + "; stack " + bytes(stackUsed())
        + " of " + bytes(stackSize()))
    print(String(passed) + " passed, " + String(failed) + " failed")
    exitQEMU(failed == 0 ? 0 : 1)
    return failed == 0 ? 0 : 1
}
