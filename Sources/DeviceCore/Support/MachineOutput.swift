/// What a device sub-machine answers to one event, in quinn-proto's and swift-nio-ssh's shape:
/// `mutating func handle(_ event:, at now:) -> Output` beside `var deadline: Instant?` (when it next
/// needs a tick) and, where it has one, its part of the status message.
///
/// - `actions`: what the shell performs, in order.
/// - `refusal`: why the event was refused or an operation abandoned, typed per machine (never a
///   `Bool` to check or a counter to compare); nil when nothing was refused.
/// - `notice`: what the owner must act on beyond the actions (a restart to promise, a link that
///   came up), typed per machine; nil when there is nothing.
///
/// One array per answer, as the machines built before; an empty answer allocates nothing.
public struct MachineOutput<Refusal: Sendable, Notice: Sendable>: Sendable {
    public var actions: [Action]
    public var refusal: Refusal?
    public var notice: Notice?

    public init(_ actions: [Action] = [], refusal: Refusal? = nil, notice: Notice? = nil) {
        self.actions = actions
        self.refusal = refusal
        self.notice = notice
    }

    /// An answer that continues the owner's `actions`, taken over (left empty): the machine appends
    /// to the same buffer and the owner takes it back, so a hot path allocates nothing extra.
    init(continuing actions: inout [Action]) {
        self.actions = []
        swap(&self.actions, &actions)
    }
}

extension Array where Element == Action {
    /// Appends a machine's actions (its refusal and notice are the owner's to read). An empty
    /// array adopts the machine's buffer instead of copying it.
    @inline(__always)
    mutating func append<R, N>(_ output: MachineOutput<R, N>) {
        if isEmpty { self = output.actions } else { append(contentsOf: output.actions) }
    }
}
