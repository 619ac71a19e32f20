import ArgumentParser
import SimFleet

@main
struct SimFleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simfleet",
        abstract: "Run fleets of simulated ESP32 devices against a real IoT backend.",
        subcommands: [RunCommand.self, DeviceCommand.self, VersionCommand.self]
    )
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the simfleet version.")

    func run() throws {
        print("simfleet " + SimFleet.version)
    }
}
