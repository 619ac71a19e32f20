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
    /// and take 30 s; an image a little more than the largest slot, so the updater itself refuses
    /// one that does not fit, and the host never reads an endless body.
    func downloadLimits(_ kind: HTTPKind) -> HTTPLimits {
        switch kind {
        case .manifest: return HTTPLimits(maxBody: firmware.config.httpBodyLimit, timeoutSeconds: 30)
        case .firmware, .register:
            let slot = firmware.config.otaConfig.partitions.otaSlots.map(\.size).max() ?? (3 << 20)
            return HTTPLimits(maxBody: slot + 256 * 1024, timeoutSeconds: 0)
        }
    }

}
