import Foundation

/// Runs a program to completion for a spec and captures what it printed: stdout and stderr
/// together in `output` (in the order written), or apart when `separateStderr` is set.
struct ChildProcess {
    var status: Int32
    var output: String
    var stderr: String

    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                    directory: URL? = nil, separateStderr: Bool = false, input: String? = nil) throws -> ChildProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = separateStderr ? Pipe() : nil
        process.standardOutput = out
        process.standardError = err ?? out
        let stdin = input.map { _ in Pipe() }
        if let stdin { process.standardInput = stdin }
        try process.run()
        if let stdin, let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        process.waitUntilExit()
        return ChildProcess(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                            stderr: String(decoding: errData, as: UTF8.self))
    }
}
