import CMosquitto
import COpenSSL
import Glibc
import Synchronization

/// What a `MosquittoClient` reports; called on the reactor thread from inside libmosquitto's
/// callbacks, so implementations only record and queue, never call back into the client.
protocol MosquittoClientDelegate: AnyObject {
    func mqttConnected(returnCode: Int32)
    func mqttDisconnected(returnCode: Int32)
    func mqttPublished(mid: Int32)
    /// A message; `topic` and `payload` are valid only during the call.
    func mqttMessage(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer)
    func mqttSubscribed(mid: Int32, granted: [Int32])
    /// MQTT 5: the broker answered a QoS ≥ 1 publish with a failure reason code (PUBACK/PUBREC ≥ 0x80):
    /// the message was not accepted, and `mqttPublished` does not follow.
    func mqttPublishRefused(mid: Int32, reasonCode: Int32)
}

extension MosquittoClientDelegate {
    func mqttPublishRefused(mid: Int32, reasonCode: Int32) {}
}

/// One libmosquitto client on the non-threaded API, driven by a reactor: the reactor reports
/// readiness, the client reads/writes and keeps its epoll interest in step with `want_write`.
/// Created without the threaded-mode socket pair, so it costs one descriptor while connected.
final class MosquittoClient {
    // Every device of a fleet has one (72 bytes of fields): the small ones pack into 16 bytes, and
    // what all clients with the same options share is kept once (`statusProperties`).
    let handle: OpaquePointer
    unowned(unsafe) let delegate: MosquittoClientDelegate
    private unowned(unsafe) let reactor: Reactor
    private let slot: Int32
    private var fd: Int32 = -1
    /// MQTT 5 message expiry of status publishes (`MQTTOptions.messageExpirySeconds`), nil for none.
    private let statusExpiry: UInt32?
    /// The epoll events registered for `fd` (`EPOLLIN`, `EPOLLOUT`: both fit in a byte).
    private var mask: UInt8 = 0
    /// Keepalive of the current connection in seconds (0: none; MQTT's is 16 bits) and the last
    /// traffic each way seen by the reactor, so `housekeeping` can skip `mosquitto_loop_misc` (which
    /// takes several of libmosquitto's mutexes) while neither of its keepalive conditions can be near.
    private var keepAliveSeconds: UInt16 = 0
    private var keepAliveMicros: Int64 { Int64(keepAliveSeconds) * 1_000_000 }
    private var lastInMicros: Int64 = 0
    private var lastOutMicros: Int64 = 0
    /// When `housekeeping` last called `mosquitto_loop_misc`.
    private var lastMiscMicros: Int64 = 0
    /// How close to a keepalive deadline housekeeping starts calling `mosquitto_loop_misc` again:
    /// two housekeeping rounds plus libmosquitto's whole-second clock.
    static let keepAliveSlackMicros: Int64 = 2 * Reactor.miscInterval + 1_000_000

    static let libraryReady: Bool = {
        mosquitto_lib_init()
        return true
    }()

    /// MQTT 5 properties of status publishes (the message expiry), nil for none: one list per
    /// expiry interval for the whole process (libmosquitto only reads it), built on first use and
    /// kept for the process's life, not one per client.
    private var statusProperties: OpaquePointer? {
        guard let expiry = statusExpiry else { return nil }
        return MosquittoClient.expiryProperties.withLock { lists in
            if let bits = lists[expiry] { return OpaquePointer(bitPattern: bits) }
            var props: OpaquePointer?
            guard mosquitto_property_add_int32(&props, Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue), expiry) == 0 else {
                return nil
            }
            lists[expiry] = UInt(bitPattern: props)
            return props
        }
    }
    /// Message-expiry property lists by interval, as addresses (see `statusProperties`).
    private static let expiryProperties = Mutex<[UInt32: UInt]>([:])

    /// nil when libmosquitto cannot allocate a client (out of memory, invalid id) or refuses the
    /// MQTT options. `options` fixes the protocol version and the session for the client's life.
    init?(clientID: String, options: MQTTOptions = MQTTOptions(), delegate: MosquittoClientDelegate, reactor: Reactor, slot: Int32) {
        _ = MosquittoClient.libraryReady
        self.delegate = delegate
        self.reactor = reactor
        self.slot = slot
        self.statusExpiry = options.version == .v5 ? options.messageExpirySeconds : nil
        guard let h = simfleet_mosquitto_new_without_socketpair(clientID, options.cleanSession, nil) else { return nil }
        handle = h
        if options.version == .v5 {
            guard mosquitto_int_option(h, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5) == 0,
                  MosquittoClient.setSessionExpiry(h, options.effectiveSessionExpirySeconds) else {
                mosquitto_destroy(h)
                return nil
            }
        }
        mosquitto_user_data_set(h, Unmanaged.passUnretained(self).toOpaque())
        // The v5 callbacks serve both versions: for MQTT 3.1.1 libmosquitto passes the CONNACK return
        // code (0…5) and reason code 0 on every acknowledgement.
        mosquitto_connect_v5_callback_set(h) { _, ud, rc, _, _ in
            MosquittoClient.from(ud).delegate.mqttConnected(returnCode: rc)
        }
        mosquitto_disconnect_v5_callback_set(h) { _, ud, rc, _ in
            let c = MosquittoClient.from(ud)
            c.forgetDescriptor()
            c.delegate.mqttDisconnected(returnCode: rc)
        }
        mosquitto_publish_v5_callback_set(h) { _, ud, mid, reason, _ in
            let c = MosquittoClient.from(ud)
            if reason >= 0x80 {
                c.delegate.mqttPublishRefused(mid: mid, reasonCode: reason)
            } else {
                c.delegate.mqttPublished(mid: mid)
            }
        }
        mosquitto_message_callback_set(h) { _, ud, msg in
            guard let msg else { return }
            let m = msg.pointee
            guard let t = m.topic else { return }
            let topic = t.withMemoryRebound(to: UInt8.self, capacity: 1) { UnsafeBufferPointer(start: $0, count: strlen(t)) }
            let payload = UnsafeRawBufferPointer(start: m.payload, count: m.payload == nil ? 0 : Int(m.payloadlen))
            MosquittoClient.from(ud).delegate.mqttMessage(topic: topic, payload: payload)
        }
        mosquitto_subscribe_callback_set(h) { _, ud, mid, count, granted in
            var g: [Int32] = []
            if let granted { for i in 0..<Int(count) { g.append(granted[i]) } }
            MosquittoClient.from(ud).delegate.mqttSubscribed(mid: mid, granted: g)
        }
    }

    deinit {
        forgetDescriptor()
        mosquitto_destroy(handle)
    }

    /// The session expiry interval every CONNECT of this (MQTT 5) client carries.
    private static func setSessionExpiry(_ h: OpaquePointer, _ seconds: UInt32) -> Bool {
        var props: OpaquePointer?
        guard mosquitto_property_add_int32(&props, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), seconds) == 0 else { return false }
        defer { mosquitto_property_free_all(&props) }
        return simfleet_mosquitto_set_connect_properties(h, props) == 0
    }

    private static func from(_ ud: UnsafeMutableRawPointer?) -> MosquittoClient {
        Unmanaged<MosquittoClient>.fromOpaque(ud!).takeUnretainedValue()
    }

    /// Credentials, last will and TLS must be set before `connect`.
    func setCredentials(username: String?, password: String?) {
        _ = mosquitto_username_pw_set(handle, username, password)
    }

    func setWill(topic: String, payload: [UInt8], qos: Int32, retain: Bool) {
        _ = payload.withUnsafeBytes { mosquitto_will_set(handle, topic, Int32($0.count), $0.baseAddress, qos, retain) }
    }

    func clearWill() { _ = mosquitto_will_clear(handle) }

    /// Configures TLS (mqtts): CA file (nil: the system trust store), optional client certificate and
    /// key; hostname verification stays on. Anything but MOSQ_ERR_SUCCESS means the client must not
    /// connect: libmosquitto would otherwise speak plain TCP.
    func setTLS(caFile: String?, certFile: String?, keyFile: String?) -> Int32 {
        MosquittoClient.configureTLS(handle, caFile: caFile, certFile: certFile, keyFile: keyFile)
    }

    /// `setTLS` on any libmosquitto handle (the fleet's up-front check uses a probe handle).
    static func configureTLS(_ handle: OpaquePointer, caFile: String?, certFile: String?, keyFile: String?) -> Int32 {
        if (certFile == nil) != (keyFile == nil) { return MOSQ_ERR_INVAL.rawValue }
        var rc = MOSQ_ERR_SUCCESS.rawValue
        if let caFile {
            rc = mosquitto_tls_set(handle, caFile, nil, certFile, keyFile, nil)
        } else {
            // OpenSSL's default verify paths (SSL_CERT_FILE / SSL_CERT_DIR, else the distribution's
            // bundle). mosquitto_tls_set wants a CA location next to a client certificate: the
            // default certificate directory is that same store.
            rc = mosquitto_int_option(handle, MOSQ_OPT_TLS_USE_OS_CERTS, 1)
            if rc == 0, certFile != nil {
                rc = mosquitto_tls_set(handle, nil, String(cString: X509_get_default_cert_dir()), certFile, keyFile, nil)
            }
        }
        if rc == 0 { rc = mosquitto_tls_insecure_set(handle, false) }
        return rc
    }

    /// Starts a non-blocking connect from `bindAddress`; MOSQ_ERR_SUCCESS or an immediate failure.
    /// With `proxy`, the TCP connection goes to that fault proxy instead, which is told which device
    /// it is and where it was going before it can arrive (same reactor thread).
    func connect(host: String, port: Int32, keepAlive: Int32, bindAddress: String?,
                 through proxy: (proxy: FaultProxy, device: Int)? = nil) -> Int32 {
        let rc: Int32
        if let proxy {
            var target = sockaddr_storage()
            var length: socklen_t = 0
            rc = simfleet_mosquitto_connect_via_proxy(handle, host, port, keepAlive, bindAddress, Int32(proxy.proxy.port),
                                                     &target, &length)
            let fd = mosquitto_socket(handle)
            if length > 0, fd >= 0, let source = ProxySocket.localKey(fd) {
                proxy.proxy.expect(source: source, device: proxy.device, target: ProxyTarget(address: target, length: length))
            }
        } else {
            rc = mosquitto_connect_bind_async(handle, host, port, keepAlive, bindAddress)
        }
        keepAliveSeconds = UInt16(clamping: keepAlive)
        lastInMicros = reactor.loopMicros
        lastOutMicros = reactor.loopMicros
        lastMiscMicros = reactor.loopMicros
        syncInterest()
        return rc
    }

    func disconnect() {
        _ = mosquitto_disconnect(handle)
        syncInterest()
    }

    /// Drops the TCP connection without an MQTT DISCONNECT (power loss, WiFi gone): the broker
    /// publishes the last will. The disconnect is reported through the delegate.
    func abort() {
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        _ = mosquitto_loop_read(handle, 1)
        syncInterest()
    }

    /// Publishes; returns the libmosquitto message id or nil with the error code. `status`: a status
    /// message, which carries the MQTT 5 message expiry when one is configured.
    func publish(topic: String, payload: [UInt8], qos: Int32, retain: Bool, status: Bool = false) -> (mid: Int32, rc: Int32) {
        var mid: Int32 = 0
        let props = status ? statusProperties : nil
        let rc = payload.withUnsafeBytes {
            mosquitto_publish_v5(handle, &mid, topic, Int32($0.count), $0.baseAddress, qos, retain, props)
        }
        lastOutMicros = reactor.loopMicros
        syncInterest()
        return (mid, rc)
    }

    func subscribe(topic: String, qos: Int32) -> (mid: Int32, rc: Int32) {
        var mid: Int32 = 0
        let rc = mosquitto_subscribe(handle, &mid, topic, qos)
        lastOutMicros = reactor.loopMicros
        syncInterest()
        return (mid, rc)
    }

    func unsubscribe(topic: String) {
        _ = mosquitto_unsubscribe(handle, nil, topic)
        syncInterest()
    }

    /// Handles epoll readiness for this client's socket.
    func ready(_ events: UInt32) {
        if events & (EPOLLIN.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            readAvailable()
            if events & EPOLLIN.rawValue != 0 { lastInMicros = reactor.loopMicros }
        }
        if events & EPOLLOUT.rawValue != 0, fd >= 0 {
            _ = mosquitto_loop_write(handle, 1)
            lastOutMicros = reactor.loopMicros
        }
        syncInterest()
    }

    /// Reads every packet the socket holds with as few system calls as it takes: libmosquitto
    /// reads each packet field with its own read(), so this reads ahead (`simfleet_read_ahead_begin`)
    /// and lets libmosquitto take packets until nothing read ahead is left. What is left when
    /// libmosquitto stops with an error belongs to a connection it has just closed.
    private func readAvailable() {
        guard fd >= 0, simfleet_read_ahead_begin(fd) else {
            _ = mosquitto_loop_read(handle, 1)
            return
        }
        defer { _ = simfleet_read_ahead_end() }
        var rounds = 0
        while true {
            let rc = mosquitto_loop_read(handle, 1)
            rounds += 1
            guard rc == MOSQ_ERR_SUCCESS.rawValue, simfleet_read_ahead_pending() > 0, rounds < Self.maxPacketsPerReadiness else { return }
        }
    }

    /// Bound on packets taken in one readiness event (16 KiB of the smallest packets, 2 bytes):
    /// a guard against a library that stops consuming, never reached by a working one.
    static let maxPacketsPerReadiness = 8_192

    /// Keepalive pings and timeouts.
    func housekeeping() {
        guard fd >= 0 else { return }
        if let near = keepAliveNearMicros, reactor.loopMicros < near { return }
        lastMiscMicros = reactor.loopMicros
        _ = mosquitto_loop_misc(handle)
        syncInterest()
    }

    /// When `housekeeping` next has work (µs, reactor clock), for an owner that calls it from its
    /// own timer instead of the reactor's periodic sweep: as near a keepalive deadline as the sweep
    /// would come, and never more often than the sweep. nil while there is no socket.
    var housekeepingDueMicros: Int64? {
        guard fd >= 0 else { return nil }
        let polled = lastMiscMicros + Reactor.miscInterval
        return max(polled, keepAliveNearMicros ?? polled)
    }

    /// From when a keepalive deadline may be near: libmosquitto acts only once `keepalive` has passed
    /// since the last packet out or in (PINGREQ, or closing a connection whose PINGRESP never came);
    /// before that, loop_misc would do nothing but lock and unlock. nil: a keepalive too short to
    /// wait for, so housekeeping always calls it.
    private var keepAliveNearMicros: Int64? {
        guard keepAliveMicros > MosquittoClient.keepAliveSlackMicros else { return nil }
        return min(lastInMicros, lastOutMicros) + keepAliveMicros - MosquittoClient.keepAliveSlackMicros
    }

    /// `housekeeping` once `housekeepingDueMicros` has come.
    func housekeepingIfDue() {
        if let due = housekeepingDueMicros, reactor.loopMicros >= due { housekeeping() }
    }

    var isConnectedSocket: Bool { fd >= 0 }

    private func forgetDescriptor() {
        // libmosquitto has closed (or is closing) the socket; the kernel drops it from epoll.
        fd = -1
        mask = 0
    }

    /// Brings the epoll registration in line with libmosquitto's socket and `want_write`.
    func syncInterest() {
        let current = mosquitto_socket(handle)
        if current != fd {
            if fd >= 0 && current >= 0 { reactor.watch(fd: fd, slot: slot, events: 0, op: EPOLL_CTL_DEL) }
            fd = current
            mask = 0
            guard current >= 0 else { return }
        }
        guard fd >= 0 else { return }
        let wanted = EPOLLIN.rawValue | (mosquitto_want_write(handle) ? EPOLLOUT.rawValue : 0)
        if wanted == UInt32(mask) { return }
        let op = mask == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        let err = reactor.watch(fd: fd, slot: slot, events: wanted, op: op)
        if err != 0 { reactor.watch(fd: fd, slot: slot, events: wanted, op: err == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD) }
        mask = UInt8(truncatingIfNeeded: wanted)
    }
}
