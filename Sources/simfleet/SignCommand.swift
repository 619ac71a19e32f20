import ArgumentParser
import DeviceCore
import Foundation
import SimFleet

/// `simfleet sign`: appends a Secure Boot V2 signature sector as `espsecure sign-data --version 2` does.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an app image with a Secure Boot V2 signature block (RSA-3072-PSS or ECDSA-P256)."
    )

    @Option(name: .long, help: "Private signing key (PEM, as espsecure generate-signing-key writes it).")
    var key: String

    @Option(name: .long, help: "rsa3072 or ecdsa256; inferred from the key when omitted, and must match it.")
    var scheme: String?

    @Argument(help: "Image to sign.") var input: String
    @Argument(help: "Where to write the signed image.") var output: String

    func run() throws {
        var requested: SignatureScheme?
        if let scheme {
            guard let parsed = SignatureScheme(name: scheme), parsed != .ecdsaP384 else {
                throw ValidationError("--scheme must be rsa3072 or ecdsa256, not " + scheme)
            }
            requested = parsed
        }
        let image = try readImageFile(input)
        do {
            let pemKey = try PEMKey(path: key)
            let signed = try SignatureSectorWriter.sign(image: image, key: pemKey, scheme: requested)
            try Data(signed).write(to: URL(fileURLWithPath: output))
            let sectorOffset = signed.count - SignatureSectorWriter.sectorSize
            print("Signed " + String(sectorOffset) + " bytes of " + input + " with " + pemKey.scheme.name
                  + " (padded by " + String(sectorOffset - image.count) + " bytes); signature sector at offset "
                  + String(sectorOffset) + ", wrote " + output)
        } catch let error as PEMKeyError {
            throw Failure(error.description)
        } catch let error as SignError {
            throw Failure(error.description)
        }
    }
}

/// A command failure with a message for the user; exits 1.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Reads an image file whole, refusing anything larger than the biggest ESP32 flash (32 MiB):
/// such a file cannot be an app image, and reading it would only cost memory.
func readImageFile(_ path: String) throws -> [UInt8] {
    let limit = 32 << 20
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
          let size = (attributes[.size] as? NSNumber)?.intValue
    else { throw Failure("cannot read " + path) }
    guard size <= limit else { throw Failure(path + " is " + String(size) + " bytes, more than any ESP32 flash (32 MiB)") }
    guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read " + path) }
    return [UInt8](data)
}
