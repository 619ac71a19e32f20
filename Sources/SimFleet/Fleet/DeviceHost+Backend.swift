import DeviceCore

/// HTTP for a device: firmware and manifest downloads (registration: `DeviceHost+Registration`).
extension DeviceHost: DownloadSink {
    // MARK: - DownloadSink

    func downloadEvent(_ event: DownloadEvent) {
        switch event {
        case .finished: download = nil
        case .failed:
            if download?.kind == .firmware { counters.bump(counters.downloadsFailed) }
            download = nil
        default: break
        }
        queued.append(.download(event))
    }

    func flushDownloadEvents() { drain() }

    /// Bounds of a download: a manifest may be as large as the device reads (its HTTP body limit)
    /// and take `manifestTimeoutSeconds` (30 s); an image as large as the largest slot. Past either the
    /// device sees one byte too many and refuses by its own rule, and the host reads no further.
    func downloadLimits(_ kind: HTTPKind) -> HTTPLimits {
        switch kind {
        case .manifest: return HTTPLimits(maxBody: firmware.config.httpBodyLimit, timeoutSeconds: reactor.manifestTimeoutSeconds)
        case .firmware, .register:
            let slot = firmware.config.otaConfig.partitions.otaSlots.map(\.size).max() ?? (3 << 20)
            return HTTPLimits(maxBody: slot, timeoutSeconds: 0, refuseAnnouncedOversize: false)
        }
    }

}
