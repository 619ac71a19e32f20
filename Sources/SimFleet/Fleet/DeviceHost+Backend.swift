import DeviceCore

/// HTTP for a device: registration with the backend API and firmware downloads.
extension DeviceHost: DownloadSink {
    /// Registers the device with the backend API once (`{"device_code": id}`), without holding up its boot.
    func register() {
        guard let url = registrationURL, !registered else { return }
        registered = true
        var body: [UInt8] = []
        writeJSONString(identity.id, to: &body)
        let counters = self.counters
        reactor.downloads.postJSON(url: url, body: "{\"device_code\":" + String(decoding: body, as: UTF8.self) + "}") { ok, _ in
            if ok { counters.bump(counters.registered) } else { counters.bump(counters.registrationFailed) }
        }
    }

    // MARK: - DownloadSink

    func downloadEvent(_ event: DownloadEvent) {
        switch event {
        case .finished: download = nil
        case .failed:
            download = nil
            counters.bump(counters.downloadsFailed)
        default: break
        }
        queued.append(.download(event))
    }

    func flushDownloadEvents() { drain() }

}
