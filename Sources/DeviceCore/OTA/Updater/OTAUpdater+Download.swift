extension OTAUpdater {
    /// A download event for the transfer in progress; anything else is ignored with a log line.
    public mutating func handle(_ event: DownloadEvent, at now: Instant) -> Output {
        if case let .data(bytes) = event, case .downloading(var t) = state {
            // Take the transfer out of `state` first: its hash and validator box is then uniquely
            // owned, so feeding a chunk mutates it in place instead of copying it for every chunk.
            state = .idle
            return received(&t, bytes, at: now)
        }
        switch (state, event) {
        case let (.awaitingResponse(t), .response(status, length, rangeStart)):
            return response(t, status: status, length: length, rangeStart: rangeStart, at: now)
        case let (.downloading(t), .finished):
            if let total = t.total, t.written < total { return dropped(t, .connectionLost, at: now) }
            var t = t
            do { try t.validator.finish() } catch { return refuse(.image(error), cancel: false) }
            state = .verifying(t, since: now)
            return Output([.log(.info, "ota: download complete (" + decimal(Int64(t.written)) + " bytes), verifying")])
        case let (.downloading(t), .failed(failure)), let (.awaitingResponse(t), .failed(failure)):
            if case let .httpStatus(code) = failure { return refuse(.httpStatus(code), cancel: false) }
            return dropped(t, failure, at: now)
        default:
            return Output([.log(.debug, "ota: ignored download event in state " + state.name)])
        }
    }

    /// Deadlines: stalled downloads resume, retries start, verification runs, an unconfirmed image
    /// reboots so the bootloader rolls it back.
    public mutating func tick(at now: Instant) -> Output {
        switch state {
        case let .awaitingResponse(t), let .downloading(t):
            if now >= t.deadline { return refuse(.downloadDeadline(config.downloadDeadline), cancel: true) }
            guard now >= t.lastActivity + config.stallTimeout else { return Output() }
            var out = dropped(t, .timedOut, at: now)
            out.actions.insert(.cancelDownload, at: 0)
            return out
        case let .awaitingRetry(t, at):
            if now >= t.deadline { return refuse(.downloadDeadline(config.downloadDeadline), cancel: false) }
            guard now >= at else { return Output() }
            var t = t
            t.attempts += 1
            t.lastActivity = now
            state = .awaitingResponse(t)
            return Output([.log(.info, "ota: resuming at byte " + decimal(Int64(t.written))),
                           .startDownload(url: t.request.url, rangeStart: t.written)])
        case let .verifying(t, since):
            guard now >= since else { return Output() }
            return verify(t)
        case let .pendingVerify(deadline):
            guard now >= deadline else { return Output() }
            state = .awaitingReboot(.unconfirmed)
            return Output([.log(.error, "ota: new image not confirmed in time, rebooting to roll back")], notice: .unconfirmed)
        case .idle, .awaitingReboot:
            return Output()
        }
    }

    private mutating func response(_ t: Transfer, status: Int, length: Int?, rangeStart: Int, at now: Instant) -> Output {
        var t = t
        // HTTP lengths are never negative; a shell reports an unknown one as nil (curl's -1 included).
        let length = length.flatMap { $0 >= 0 ? $0 : nil }
        switch status {
        case 200:
            if t.written > 0 {
                // The server ignored the Range header: start over cleanly from byte 0.
                t = newTransfer(t.request, slotIndex: t.slotIndex, slot: t.slot, at: now).with(attempts: t.attempts, deadline: t.deadline)
            }
            if let length { t.total = length }
        case 206:
            if rangeStart != t.written { return refuse(.unexpectedRange(requested: t.written, received: rangeStart), cancel: true) }
            if let length {
                // The header's number is the server's: `rangeStart + length` may not fit an `Int`
                // (32 bits on the chip), and nothing that large fits a slot.
                let (total, overflow) = rangeStart.addingReportingOverflow(length)
                if overflow { return refuse(.tooLarge(size: Int.max, slotSize: t.slot.size), cancel: true) }
                t.total = total
            }
        default:
            return refuse(.httpStatus(status), cancel: true)
        }
        if let total = t.total {
            if let size = t.request.size, size != total { return refuse(.sizeMismatch(expected: size, actual: total), cancel: true) }
            if total > t.slot.size { return refuse(.tooLarge(size: total, slotSize: t.slot.size), cancel: true) }
        }
        t.lastActivity = now
        state = .downloading(t)
        return Output()
    }

    /// A chunk for the transfer taken out of `state`; puts it back as `.downloading` unless refused.
    private mutating func received(_ t: inout Transfer, _ bytes: [UInt8], at now: Instant) -> Output {
        if bytes.isEmpty {
            state = .downloading(t)
            return Output()
        }
        if t.written + bytes.count > t.slot.size {
            return refuse(.tooLarge(size: t.written + bytes.count, slotSize: t.slot.size), cancel: true)
        }
        let hadDescriptor = t.validator.appDescriptor != nil
        do { try t.validator.consume(bytes[...]) } catch { return refuse(.image(error), cancel: true) }
        if !hadDescriptor, let app = t.validator.appDescriptor, config.antiRollbackEnabled,
           !efuses.allows(secureVersion: app.secureVersion) {
            return refuse(.secureVersionTooLow(image: app.secureVersion, efuse: efuses.secureVersion), cancel: true)
        }
        t.fileHasher?.update(bytes[...])
        var actions: [Action] = []
        while t.erasedUpTo < t.written + bytes.count {
            actions.append(.flash(.erase(offset: t.slot.offset + t.erasedUpTo, length: NORFlash.sectorSize)))
            t.erasedUpTo += NORFlash.sectorSize
        }
        actions.append(.flash(.write(offset: t.slot.offset + t.written, bytes: bytes)))
        t.written += bytes.count
        t.lastActivity = now
        state = .downloading(t)
        return Output(actions)
    }

    /// A drop or stall: resume later from the bytes already written, or give up.
    private mutating func dropped(_ t: Transfer, _ failure: DownloadFailure, at now: Instant) -> Output {
        if t.attempts >= config.maxAttempts {
            return refuse(.downloadFailed(failure, attempts: t.attempts), cancel: false)
        }
        var delay = config.retryDelay
        for _ in 1..<t.attempts where delay < .seconds(30) { delay = delay * 2 }
        if TimeSpan.seconds(30) < delay { delay = .seconds(30) }
        state = .awaitingRetry(t, at: now + delay)
        return Output([.log(.warning, "ota: download " + failure.name + " at byte " + decimal(Int64(t.written)) + ", retrying")])
    }
}

extension OTAUpdater.Transfer {
    /// The same transfer restarted from byte 0, keeping its attempt count and its deadline.
    func with(attempts: Int, deadline: Instant) -> Self {
        var copy = self
        copy.attempts = attempts
        copy.deadline = deadline
        return copy
    }
}
