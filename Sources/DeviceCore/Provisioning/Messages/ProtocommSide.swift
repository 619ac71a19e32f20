/// Which half of the protocol a decoder or encoder serves. A device reads commands and writes
/// responses, a client the other way round; `AnyProtocommMessage` does everything (tests, fuzzing).
/// The codec is generic over it so that a firmware links only its half: fields of the other
/// half are skipped as unknown and its cases never encoded (about 5 KB less on the chip).
public protocol ProtocommSide {
    static var readsCommands: Bool { get }
    static var readsResponses: Bool { get }
    static var writesCommands: Bool { get }
    static var writesResponses: Bool { get }
}

/// The device's half: reads commands, writes responses.
public enum DeviceSide: ProtocommSide {
    public static var readsCommands: Bool { true }
    public static var readsResponses: Bool { false }
    public static var writesCommands: Bool { false }
    public static var writesResponses: Bool { true }
}

/// The client's half: reads responses, writes commands.
public enum ClientSide: ProtocommSide {
    public static var readsCommands: Bool { false }
    public static var readsResponses: Bool { true }
    public static var writesCommands: Bool { true }
    public static var writesResponses: Bool { false }
}

/// Both halves.
public enum AnyProtocommMessage: ProtocommSide {
    public static var readsCommands: Bool { true }
    public static var readsResponses: Bool { true }
    public static var writesCommands: Bool { true }
    public static var writesResponses: Bool { true }
}
