extension OTAUpdater {
    /// Bytes received and written for one download, with the running checks over them.
    public struct Transfer: Sendable {
        public var request: OTARequest
        public var slotIndex: Int
        public var slot: Partition
        /// The running checks (hash states, header parser) are kept out of line: they are the bulk of
        /// a transfer, and every state change would otherwise copy them through the stack.
        var validator: ImageValidator<Crypto.Hasher> {
            get { checks.value.validator }
            _modify { yield &checks.value.validator }
        }
        var fileHasher: Crypto.Hasher? {
            get { checks.value.fileHasher }
            _modify { yield &checks.value.fileHasher }
        }
        private var checks: OutOfLine<Checks>
        /// Bytes written to the slot: the offset a resumed download starts from.
        public internal(set) var written = 0
        var erasedUpTo = 0
        public internal(set) var total: Int?
        var lastActivity: Instant
        /// The whole download, resumes included, must be over by then (`OTAConfig.downloadDeadline`).
        var deadline: Instant
        /// Downloads started for this update (1 for the first).
        public internal(set) var attempts = 1

        struct Checks {
            var validator: ImageValidator<Crypto.Hasher>
            var fileHasher: Crypto.Hasher?
        }

        init(request: OTARequest, slotIndex: Int, slot: Partition, validator: ImageValidator<Crypto.Hasher>,
             fileHasher: Crypto.Hasher?, total: Int?, lastActivity: Instant, deadline: Instant) {
            self.request = request
            self.slotIndex = slotIndex
            self.slot = slot
            self.checks = OutOfLine(Checks(validator: validator, fileHasher: fileHasher))
            self.total = total
            self.lastActivity = lastActivity
            self.deadline = deadline
        }
    }

    /// Why a reboot was requested.
    public enum RebootReason: Equatable, Sendable {
        /// otadata now selects `slot`; the new image boots next.
        case updateInstalled(slot: Int)
        /// The new image was not confirmed in time; the bootloader will roll back.
        case unconfirmed
        /// The app rejected its own image (marked INVALID).
        case rejected
    }

    /// States are named after what is awaited.
    public enum State: Sendable {
        case idle
        /// A GET (with Range when resuming) was started; waiting for its response headers.
        case awaitingResponse(Transfer)
        case downloading(Transfer)
        /// The connection dropped or stalled; the download resumes at `at`.
        case awaitingRetry(Transfer, at: Instant)
        /// All bytes in; signature and checks run at the next tick.
        case verifying(Transfer, since: Instant)
        case awaitingReboot(RebootReason)
        /// A new image runs PENDING_VERIFY; it must be confirmed by `deadline`.
        case pendingVerify(deadline: Instant)

        public var name: String {
            switch self {
            case .idle: return "idle"
            case .awaitingResponse: return "connecting"
            case .downloading: return "downloading"
            case .awaitingRetry: return "retrying"
            case .verifying: return "verifying"
            case .awaitingReboot: return "rebooting"
            case .pendingVerify: return "pending_verify"
            }
        }
    }
}
