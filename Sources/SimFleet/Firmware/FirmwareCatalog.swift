import DeviceCore
import Foundation
import Synchronization

/// Why the fleet's firmware could not be built or published.
public enum FirmwareCatalogError: Error, Equatable, CustomStringConvertible {
    case signing(SignError)
    case key(PEMKeyError)
    case write(String)

    public var description: String {
        switch self {
        case .signing(let e): return "cannot sign firmware: \(e)"
        case .key(let e): return "signing key: \(e)"
        case .write(let m): return "cannot write firmware: \(m)"
        }
    }
}

/// The firmware of a fleet: for each release name, an ESP-IDF app image for the fleet's chip made
/// with `AppImageBuilder` (release name in the app descriptor, a payload derived from the name),
/// signed when a key is given. Images are built once and shared (`ImageStore`): the origin serves
/// them and devices are factory-flashed with them.
public final class FirmwareCatalog: Sendable {
    public let chip: ChipModel
    public let payloadBytes: Int
    /// Secure Boot V2 digest of the signing key (what devices hold in eFuse), nil when unsigned.
    public let trustedKeyDigest: [UInt8]?
    private let signingKey: SigningKeyBox?
    private let store: ImageStore
    private let built = Mutex<[String: SharedImage]>([:])
    /// The app descriptor's version of releases built under another name (`b94e7f3-dirty` for
    /// `v2025.03.25.155052`, as the reference project's builds); others carry their release name.
    public let appVersions: [String: String]

    /// `secure_version` of releases that have one (anti-rollback); others get 0.
    public let secureVersions: [String: UInt32]

    public init(chip: ChipModel, payloadBytes: Int, signingKeyPath: String? = nil,
                store: ImageStore = .shared, secureVersions: [String: UInt32] = [:],
                appVersions: [String: String] = [:]) throws(FirmwareCatalogError) {
        self.secureVersions = secureVersions
        self.appVersions = appVersions
        self.chip = chip
        self.payloadBytes = payloadBytes
        self.store = store
        if let path = signingKeyPath {
            let key: PEMKey
            do { key = try PEMKey(path: path) } catch { throw .key(error) }
            do { trustedKeyDigest = try SecureBootPublicKey(key).digest } catch { throw .key(.notAKey(error)) }
            signingKey = SigningKeyBox(key: key)
        } else {
            signingKey = nil
            trustedKeyDigest = nil
        }
    }

    /// The image of `version` (built on first use).
    public func image(_ version: String) throws(FirmwareCatalogError) -> SharedImage {
        if let hit = built.withLock({ $0[version] }) { return hit }
        var bytes = AppImageBuilder.simple(chip: chip, version: appVersions[version] ?? version,
                                           secureVersion: secureVersions[version] ?? 0,
                                           projectName: "simfleet",
                                           payload: FirmwareCatalog.payload(for: version, count: payloadBytes),
                                           hasher: OpenSSLSHA256.self)
        if let signingKey {
            do { bytes = try signingKey.sign(bytes) } catch { throw .signing(error) }
        }
        let image = store.intern(bytes)
        built.withLock { $0[version] = image }
        return image
    }

    /// The file name a release is served as: `fw-<version>.bin`.
    public static func fileName(_ version: String) -> String { "fw-" + version + ".bin" }

    /// Writes every release into `directory` (the origin's) and, when a manifest release is
    /// given, `manifest.json` naming it through `origin`.
    public func publish(_ releases: [String], manifestRelease: String?, to origin: FirmwareOrigin) throws(FirmwareCatalogError) {
        for version in releases {
            let image = try image(version)
            let path = origin.directory + "/" + FirmwareCatalog.fileName(version)
            do { try Data(image.bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
                throw .write("\(path): \(error)")
            }
        }
        guard let release = manifestRelease else { return }
        do { try origin.publishManifest(version: release, file: FirmwareCatalog.fileName(release)) } catch {
            throw .write("manifest.json: \(error)")
        }
    }

    /// App code for a release: pseudo-random bytes seeded by its name (same name, same image).
    static func payload(for version: String, count: Int) -> [UInt8] {
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in version.utf8 { seed = (seed ^ UInt64(b)) &* 0x100_0000_01b3 }
        var random = SeededRandom(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(count + 8)
        while out.count < count {
            var word = random.next()
            for _ in 0..<8 {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return Array(out.prefix(count))
    }
}

/// The signing key, used under a lock (an OpenSSL key object is not shared between threads).
private final class SigningKeyBox: Sendable {
    private let key: Mutex<PEMKey>

    init(key: sending PEMKey) { self.key = Mutex(key) }

    func sign(_ image: [UInt8]) throws(SignError) -> [UInt8] {
        try key.withLock { (key) throws(SignError) -> [UInt8] in try SignatureSectorWriter.sign(image: image, key: key) }
    }
}
