import CMosquitto
import Glibc

/// mqtts settings checked before anything connects: every client's CA file, certificate and key
/// must be accepted by libmosquitto (`mosquitto_tls_set`), or the run does not start. A client
/// whose TLS setup failed would otherwise connect in plain text, password and all.
enum TLSCheck {
    /// Checks each client's settings (`who` names the client in the message); identical settings
    /// are checked once.
    static func verify(_ clients: [(who: String, tls: TLSSettings)]) throws(FleetError) {
        _ = MosquittoClient.libraryReady
        guard let probe = simfleet_mosquitto_new_without_socketpair("simfleet-tls-check", true, nil) else {
            throw .tls("libmosquitto could not make a client to check the TLS settings")
        }
        defer { mosquitto_destroy(probe) }
        var checked = Set<TLSSettings>()
        for (who, tls) in clients where checked.insert(tls).inserted {
            if (tls.certFile == nil) != (tls.keyFile == nil) {
                throw .tls(who + ": a client certificate and its key go together (certificate "
                           + (tls.certFile ?? "none") + ", key " + (tls.keyFile ?? "none") + ")")
            }
            for (what, path) in [("CA file", tls.caFile), ("certificate", tls.certFile), ("key", tls.keyFile)] {
                guard let path else { continue }
                if access(path, R_OK) != 0 {
                    throw .tls(who + ": the " + what + " " + path + " cannot be read (" + String(cString: strerror(errno)) + ")")
                }
            }
            let rc = MosquittoClient.configureTLS(probe, caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile)
            if rc != 0 {
                throw .tls(who + ": libmosquitto refused the TLS settings (CA " + (tls.caFile ?? "system trust store")
                           + ", certificate " + (tls.certFile ?? "none") + "): " + String(cString: mosquitto_strerror(rc)))
            }
        }
    }
}

extension DeviceSpec {
    /// The MAC as 12 lower-case hex digits (`{mac}` in templates).
    var macText: String {
        let digits = Array("0123456789abcdef")
        return String(mac.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
