import ArgumentParser
import Foundation
import SimFleet

/// `simfleet inspect`: esptool `image-info` for an app image plus Secure Boot V2 signature verdicts.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Inspect an ESP-IDF app image (not yet implemented).")

    @Argument var file: String

    func run() throws { throw Failure("inspect: not implemented yet") }
}
