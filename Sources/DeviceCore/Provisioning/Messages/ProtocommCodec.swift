/// The messages the provisioning endpoints read, by the endpoint that reads them.
public enum ProtocommMessageKind: Equatable, Sendable, CaseIterable {
    /// `SessionData` (`/prov-session`).
    case session
    /// `WiFiConfigPayload` (`/prov-config`).
    case wifiConfig
    /// `WiFiScanPayload` (`/prov-scan`).
    case wifiScan
    /// `WiFiCtrlPayload` (`/prov-ctrl`).
    case wifiCtrl
}

/// The codec's decode entry as one plain function, for fuzz targets and robustness tests: decodes
/// `bytes` as a `kind` message and, when it decodes, re-encodes it and decodes that again. Returns
/// nil for a valid message and the typed error otherwise. A round trip that disagrees is a codec
/// bug and stops the program (what a fuzzer should find).
public func decodeProtocommMessage(_ bytes: [UInt8], as kind: ProtocommMessageKind) -> ProtobufError? {
    do {
        switch kind {
        case .session:
            let m = try SessionData.decode(bytes)
            let again = try SessionData.decode(m.encoded())
            if again != m { preconditionFailure("SessionData round trip differs") }
        case .wifiConfig:
            let m = try WiFiConfigPayload.decode(bytes)
            let again = try WiFiConfigPayload.decode(m.encoded())
            if again != m { preconditionFailure("WiFiConfigPayload round trip differs") }
        case .wifiScan:
            let m = try WiFiScanPayload.decode(bytes)
            let again = try WiFiScanPayload.decode(m.encoded())
            if again != m { preconditionFailure("WiFiScanPayload round trip differs") }
        case .wifiCtrl:
            let m = try WiFiCtrlPayload.decode(bytes)
            let again = try WiFiCtrlPayload.decode(m.encoded())
            if again != m { preconditionFailure("WiFiCtrlPayload round trip differs") }
        }
        return nil
    } catch {
        return error
    }
}
