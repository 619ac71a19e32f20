import ArgumentParser
import DeviceCore
import Foundation
import SimFleet

/// `simfleet inspect`: esptool `image-info` for an app image plus Secure Boot V2 signature verdicts.
/// Exit 0 only when the image is valid and, with `--key`, a block verifies with one of the keys.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an ESP-IDF app image like esptool image-info, and verify its Secure Boot V2 signatures.",
        discussion: "Exits 0 only when header, checksum and hash are valid and, when keys are given, at least one signature block verifies with one of them (its embedded key's digest must match a given key, as on a device). Otherwise exits 1 and says why."
    )

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    @Option(name: .long, help: "Trusted public key (PEM; a private key file also works). Repeatable.")
    var key: [String] = []

    @Option(name: .long, help: "Require this chip (esp32, esp32c3, esp32c6, esp32s3), as a device of that chip would.")
    var chip: String?

    @Argument(help: "The image file.") var file: String

    func run() throws {
        var keys: [SecureBootPublicKey] = []
        for path in key {
            do { keys.append(try SecureBootPublicKey(PEMKey(path: path))) } catch { throw Failure("key " + path + ": " + String(describing: error)) }
        }
        var required: ChipModel?
        if let chip {
            guard let model = ChipModel(name: chip) else { throw ValidationError("unknown chip " + chip) }
            required = model
        }
        let inspection = ImageInspector.inspect(try readImageFile(file), trustedKeys: keys, chip: required)
        print(json ? inspection.json().encoded() : inspection.text())
        if !inspection.passed { throw ExitCode.failure }
    }
}
