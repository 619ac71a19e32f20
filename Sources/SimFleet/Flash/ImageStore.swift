import DeviceCore
import Synchronization

/// The bytes of one app image as it sits in a flash slot, shared by every simulated device whose
/// slot holds exactly these bytes. Immutable.
public final class SharedImage: Sendable {
    public let bytes: [UInt8]
    /// SHA-256 of `bytes`: the store's key.
    public let digest: [UInt8]

    init(bytes: [UInt8], digest: [UInt8]) {
        self.bytes = bytes
        self.digest = digest
    }
}

/// Content-addressed images: a thousand devices that downloaded the same release hold one copy of
/// it between them. Entries are weak, so an image no slot refers to any more is freed. Thread-safe
/// (devices on every reactor intern into the same store).
public final class ImageStore: Sendable {
    /// The process-wide store the fleet's devices share.
    public static let shared = ImageStore()

    private struct Entry {
        weak var image: SharedImage?
    }

    private let table = Mutex<[[UInt8]: Entry]>([:])
    /// SHA-256 of an image's first sector → the image (finds the release a partial or corrupted
    /// download came from; its header and app descriptor live there).
    private let byFirstSector = Mutex<[[UInt8]: Entry]>([:])

    public init() {}

    /// The shared image holding exactly `bytes` (found by SHA-256, or added).
    public func intern(_ bytes: [UInt8]) -> SharedImage {
        let digest = OpenSSLSHA256.digest(bytes)
        return table.withLock { table in
            if let existing = table[digest]?.image { return existing }
            if table.count >= 64 && table.count.isMultiple(of: 64) {
                table = table.filter { $0.value.image != nil }
                byFirstSector.withLock { index in index = index.filter { $0.value.image != nil } }
            }
            let image = SharedImage(bytes: bytes, digest: digest)
            table[digest] = Entry(image: image)
            let first = ImageStore.firstSectorDigest(bytes)
            byFirstSector.withLock { index in
                if index[first]?.image == nil { index[first] = Entry(image: image) }
            }
            return image
        }
    }

    /// A live image whose first sector equals the first sector of `bytes`, if any.
    public func image(startingLike bytes: [UInt8]) -> SharedImage? {
        let first = ImageStore.firstSectorDigest(bytes)
        return byFirstSector.withLock { $0[first]?.image }
    }

    private static func firstSectorDigest(_ bytes: [UInt8]) -> [UInt8] {
        OpenSSLSHA256.digest(bytes.prefix(NORFlash.sectorSize))
    }

    /// Images alive in the store (held by at least one slot or catalog).
    public var liveImages: Int { table.withLock { $0.values.filter { $0.image != nil }.count } }
}
