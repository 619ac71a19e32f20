import DeviceCoreVectors

// Host build of the golden vectors (scripts/riscv-test compiles it with swiftc, outside SwiftPM):
// writes the transcript that Tests/RISCV/expected.txt must equal, byte for byte.
@main
struct PrintTranscript {
    static func main() {
        print(goldenTranscript(), terminator: "")
    }
}
