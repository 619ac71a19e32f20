/// Why an update was refused or abandoned. Nothing in otadata changes for any of these.
public enum OTAError: Error, Equatable, Sendable {
    /// Another update is in progress (state named).
    case busy(state: String)
    /// The running image is still PENDING_VERIFY (`ESP_ERR_OTA_ROLLBACK_INVALID_STATE`).
    case runningImageNotConfirmed
    /// Offered version is not newer than the running one and the request was not forced.
    case notNewer(offered: String, running: String)
    /// No version given and not forced.
    case unknownVersion
    /// The partition table has no OTA slot to write.
    case noTargetSlot
    /// The image (announced or received) is larger than the target slot.
    case tooLarge(size: Int, slotSize: Int)
    /// The command's `size` differs from the server's length or the bytes received.
    case sizeMismatch(expected: Int, actual: Int)
    /// The command's `sha256` differs from the downloaded file's.
    case sha256Mismatch
    /// The server answered a status other than 200/206.
    case httpStatus(Int)
    /// A 206 for another offset than the one asked for.
    case unexpectedRange(requested: Int, received: Int)
    /// The download kept failing after `attempts` tries.
    case downloadFailed(DownloadFailure, attempts: Int)
    case image(ImageError)
    case signature(SignatureError)
    /// Anti-rollback: the image's `secure_version` is below the eFuse counter.
    case secureVersionTooLow(image: UInt32, efuse: UInt32)
    /// otadata cannot select the new slot (e.g. its sequence numbers are used up); nothing written.
    case otadata(OTADataError)
    /// The download, resumes included, did not end within `OTAConfig.downloadDeadline`.
    case downloadDeadline(TimeSpan)

    /// Machine-readable kind for reports (`sha256_mismatch`, `invalid_image`, `not_newer`, ...).
    public var kind: String {
        switch self {
        case .busy: return "busy"
        case .runningImageNotConfirmed: return "not_confirmed"
        case .notNewer: return "not_newer"
        case .unknownVersion: return "unknown_version"
        case .noTargetSlot: return "no_slot"
        case .tooLarge: return "too_large"
        case .sizeMismatch: return "size_mismatch"
        case .sha256Mismatch: return "sha256_mismatch"
        case .httpStatus: return "http_status"
        case .unexpectedRange: return "unexpected_range"
        case .downloadFailed: return "download_failed"
        case .image: return "invalid_image"
        case .signature: return "signature"
        case .secureVersionTooLow: return "secure_version"
        case .otadata: return "otadata"
        case .downloadDeadline: return "download_deadline"
        }
    }

    /// Short reason for logs and the status topic.
    public var reason: String {
        switch self {
        case let .busy(state): return "update already in progress (" + state + ")"
        case .runningImageNotConfirmed: return "running image not yet confirmed"
        case let .notNewer(offered, running): return "version " + offered + " is not newer than running " + running
        case .unknownVersion: return "no version to compare"
        case .noTargetSlot: return "no OTA slot"
        case let .tooLarge(size, slot): return "image of " + decimal(Int64(size)) + " bytes exceeds slot of " + decimal(Int64(slot))
        case let .sizeMismatch(expected, actual):
            return "size " + decimal(Int64(actual)) + " differs from expected " + decimal(Int64(expected))
        case .sha256Mismatch: return "SHA-256 of the download differs from the command's"
        case let .httpStatus(s): return "HTTP status " + decimal(Int64(s))
        case let .unexpectedRange(requested, received):
            return "asked for offset " + decimal(Int64(requested)) + ", server sent " + decimal(Int64(received))
        case let .downloadFailed(f, attempts): return "download failed (" + f.name + ") after " + decimal(Int64(attempts)) + " attempts"
        case let .image(e): return "invalid image: " + e.reason
        case let .signature(e): return "signature: " + e.reason
        case let .secureVersionTooLow(image, efuse):
            return "secure_version " + decimal(Int64(image)) + " below eFuse counter " + decimal(Int64(efuse))
        case let .otadata(e): return "otadata: " + e.reason
        case let .downloadDeadline(span): return "download not complete within " + decimal(span.milliseconds / 1000) + " s"
        }
    }
}

extension DownloadFailure {
    /// Short name for logs.
    public var name: String {
        switch self {
        case .connectionLost: return "connection lost"
        case .timedOut: return "stalled"
        case let .httpStatus(s): return "HTTP " + decimal(Int64(s))
        case .unreachable: return "unreachable"
        }
    }
}
