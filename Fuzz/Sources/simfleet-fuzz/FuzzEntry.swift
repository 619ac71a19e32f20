import CLibFuzzer
#if canImport(Glibc)
import Glibc
#endif

/// SwiftPM links its own `main` into every executable, so libFuzzer's is not used: this one hands
/// the command line to libFuzzer's driver (`-max_total_time=…`, corpus folders, a crash file).
@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }
}

/// libFuzzer's entry points. One binary holds every target; `FUZZ_TARGET` picks the one to run
/// (`scripts/fuzz --list` prints them), so the instrumented build of SimFleet happens once.
nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
    if name == "write-seeds", let folder = getenv("SEED_DIR") {
        SeedCorpus.write(to: String(cString: folder))
        exit(0)
    }
    if name == "list" {
        for target in FuzzTarget.all { print(target.name + "\t" + target.summary) }
        exit(0)
    }
    guard let target = FuzzTarget.all.first(where: { $0.name == name }) else {
        let names = FuzzTarget.all.map(\.name).joined(separator: " ")
        fputs("simfleet-fuzz: set FUZZ_TARGET to one of: \(names)\n", stderr)
        exit(2)
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    selected?.run(bytes)
    return 0
}

/// A fuzz target: one parser that faces the outside, and what it must never do (crash, trap,
/// hang) or break (a stated invariant, checked with `fuzzCheck`).
struct FuzzTarget: Sendable {
    var name: String
    var summary: String
    var run: @Sendable ([UInt8]) -> Void

    /// Every target, in the order `scripts/fuzz --list` prints them. Seeds: `Fuzz/corpus/NAME/`.
    static let all: [FuzzTarget] = deviceCoreTargets + simFleetTargets + provisioningTargets
}

/// An invariant broken: abort so libFuzzer saves the input as a crash.
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        fputs("simfleet-fuzz: invariant broken: \(message())\n", stderr)
        abort()
    }
}
