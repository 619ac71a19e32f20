import ArgumentParser
import Foundation
import SimFleet

@main
struct SimFleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simfleet",
        abstract: "Run fleets of simulated ESP32 devices against a real IoT backend.",
        subcommands: [RunCommand.self, ValidateCommand.self, ReportCommand.self, DeviceCommand.self, InspectCommand.self,
                      SignCommand.self, VersionCommand.self, MergeCommand.self, SwarmCommand.self]
    )

    /// Invalid input exits 2 (the documented code), not ArgumentParser's 64; help and success are unchanged.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardStream.error.write(fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the simfleet version.")

    func run() throws {
        print("simfleet " + SimFleet.version)
    }
}
