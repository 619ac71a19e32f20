/// The endpoints behind the session's cipher, as ESP-IDF's `wifi_config.c`, `wifi_scan.c`,
/// `wifi_ctrl.c` and the manager's handlers answer them. Each response's type is the request's + 1.
extension SoftAPProvisioning {
    // MARK: - /prov-config

    mutating func configRequest(_ plain: [UInt8], at now: Instant, out: inout Output) -> Result<Reply, SoftAPRefusal> {
        let request: WiFiConfigPayload
        do { request = try WiFiConfigPayload.decode(plain, side: DeviceSide.self) } catch { return .failure(.malformed(endpoint: "prov-config", error)) }
        let body: WiFiConfigPayload.Body
        switch request.msg {
        case WiFiConfigPayload.typeCmdGetStatus:
            body = statusResponse(at: now)
        case WiFiConfigPayload.typeCmdSetConfig:
            guard case .setConfig(let ssid, let passphrase, let bssid, _)? = request.body else {
                return .failure(.missingPayload(endpoint: "prov-config", msg: request.msg))
            }
            // ESP-IDF's limits: SSID up to 32 bytes, passphrase up to 63, BSSID absent or 6 bytes.
            var status = ProtocommStatus.invalidArgument
            if ssid.count <= 32 && passphrase.count <= 63 && (bssid.isEmpty || bssid.count == 6) {
                pending = WiFiCredentials(ssid: String(decoding: ssid, as: UTF8.self),
                                          password: String(decoding: passphrase, as: UTF8.self))
                status = .success
            }
            body = .setConfigResponse(status: status.rawValue)
        case WiFiConfigPayload.typeCmdApplyConfig:
            let credentials = pending
            pending = nil  // the handler frees the configuration whatever happens
            var status = ProtocommStatus.internalError
            if let credentials, case .awaitingCredentials = state {
                state = .joinScheduled(credentials, at: now + config.joinDelay)
                out.storage = .store(credentials)
                out.actions.append(.log(.info, "provisioning: credentials for \"" + credentials.ssid + "\" applied"))
                status = .success
            }
            body = .applyConfigResponse(status: status.rawValue)
        default:
            return .failure(.unknownCommand(endpoint: "prov-config", msg: request.msg))
        }
        return .success(.now(WiFiConfigPayload(msg: request.msg + 1, body: body).encoded(side: DeviceSide.self)))
    }

    /// `RespGetStatus` now. Seeing the device connected is what ends provisioning: with auto-stop
    /// on, the manager stops `cleanupDelay` later (`wifi_prov_mgr_done`).
    private mutating func statusResponse(at now: Instant) -> WiFiConfigPayload.Body {
        let ok = ProtocommStatus.success.rawValue
        switch report {
        case .connecting:
            return .getStatusResponse(status: ok, state: ProvisionedStationState.connecting.rawValue, detail: nil)
        case .failed(let reason):
            return .getStatusResponse(status: ok, state: ProvisionedStationState.connectionFailed.rawValue,
                                      detail: .failReason(reason.rawValue))
        case .connected(let n):
            if config.autoStop, case .joined = state { state = .stopping(n, at: now + config.cleanupDelay) }
            let connected = WiFiConfigPayload.ConnectedState(
                ip4Address: n.ip.text, authMode: n.auth.protocommValue, ssid: Array(n.ssid.utf8), bssid: n.bssid,
                channel: Int32(truncatingIfNeeded: n.channel))
            return .getStatusResponse(status: ok, state: ProvisionedStationState.connected.rawValue,
                                      detail: .connected(connected))
        }
    }

    // MARK: - /prov-scan

    mutating func scanRequest(_ plain: [UInt8], id: UInt32, at now: Instant, out: inout Output) -> Result<Reply, SoftAPRefusal> {
        let request: WiFiScanPayload
        do { request = try WiFiScanPayload.decode(plain, side: DeviceSide.self) } catch { return .failure(.malformed(endpoint: "prov-scan", error)) }
        let ok = ProtocommStatus.success.rawValue
        switch request.msg {
        case WiFiScanPayload.typeCmdScanStart:
            guard case .scanStart(let blocking, _, _, _)? = request.body else {
                return .failure(.missingPayload(endpoint: "prov-scan", msg: request.msg))
            }
            switch scan {
            case .idle:
                scan = .scanning(waiting: blocking ? [id] : [], until: now + config.scanTimeout)
                out.actions.append(.wifiScan)
            case .scanning(var waiting, let until):
                if blocking { waiting.append(id) }
                scan = .scanning(waiting: waiting, until: until)
            }
            if blocking { return .success(.later) }
            return .success(.now(WiFiScanPayload(msg: request.msg + 1, status: ok, body: .scanStartResponse).encoded(side: DeviceSide.self)))
        case WiFiScanPayload.typeCmdScanStatus:
            var finished = false
            var count = 0
            if case .idle(let results) = scan {
                finished = true
                count = results.count
            }
            return .success(.now(WiFiScanPayload(msg: request.msg + 1, status: ok,
                                                 body: .scanStatusResponse(finished: finished, resultCount: UInt32(count))).encoded(side: DeviceSide.self)))
        case WiFiScanPayload.typeCmdScanResult:
            guard case .scanResult(let start, let count)? = request.body else {
                return .failure(.missingPayload(endpoint: "prov-scan", msg: request.msg))
            }
            var results: [ScannedNetwork] = []
            if case .idle(let r) = scan { results = r }
            var entries: [WiFiScanPayload.Entry] = []
            var status = ok
            var index = Int(start)
            while index - Int(start) < Int(count) {
                guard index < results.count else {
                    status = ProtocommStatus.internalError.rawValue
                    break
                }
                let n = results[index]
                entries.append(WiFiScanPayload.Entry(ssid: Array(n.ssid.utf8.prefix(32)), channel: UInt32(truncatingIfNeeded: n.channel),
                                                     rssi: Int32(truncatingIfNeeded: n.rssi), bssid: n.bssid, auth: n.auth.protocommValue))
                index += 1
            }
            return .success(.now(WiFiScanPayload(msg: request.msg + 1, status: status, body: .scanResultResponse(entries)).encoded(side: DeviceSide.self)))
        default:
            return .failure(.unknownCommand(endpoint: "prov-scan", msg: request.msg))
        }
    }

    /// The radio's answer: keep the strongest `maxScanResults` networks, and answer blocking
    /// `ScanStart` requests that waited for them.
    mutating func scanDone<Crypto: DeviceCrypto>(_ networks: [ScannedNetwork], crypto: Crypto.Type, out: inout Output) {
        guard case .scanning(let waiting, _) = scan else { return }
        // Strongest first (insertion sort: a handful of networks, and no sort specialisation to link).
        var sorted: [ScannedNetwork] = []
        for n in networks {
            var i = sorted.count
            while i > 0 && sorted[i - 1].rssi < n.rssi { i -= 1 }
            if i < config.maxScanResults { sorted.insert(n, at: i) }
            if sorted.count > config.maxScanResults { sorted.removeLast() }
        }
        scan = .idle(results: sorted)
        for id in waiting {
            let reply = WiFiScanPayload(msg: WiFiScanPayload.typeRespScanStart, status: ProtocommStatus.success.rawValue,
                                        body: .scanStartResponse)
            sealAndRespond(id: id, reply.encoded(side: DeviceSide.self), newSession: nil, crypto: crypto, out: &out)
        }
    }

    // MARK: - /prov-ctrl

    mutating func ctrlRequest(_ plain: [UInt8], out: inout Output) -> Result<Reply, SoftAPRefusal> {
        let request: WiFiCtrlPayload
        do { request = try WiFiCtrlPayload.decode(plain) } catch { return .failure(.malformed(endpoint: "prov-ctrl", error)) }
        var status = ProtocommStatus.internalError
        switch request.msg {
        case WiFiCtrlPayload.typeCmdCtrlReset:
            // Only a failed provisioning can be reset: the station configuration is erased and
            // the service waits for new credentials (`wifi_prov_mgr_reset_sm_state_on_failure`).
            if case .failed(_, let reason) = state {
                state = .awaitingCredentials(report: .failed(reason))
                out.storage = .erase
                out.actions.append(.log(.info, "provisioning: reset after a failed join"))
                status = .success
            }
        case WiFiCtrlPayload.typeCmdCtrlReprov:
            // Needs auto-stop off (`wifi_prov_mgr_reset_sm_state_for_reprovision`): the station
            // leaves its network and the service takes credentials again; NVS keeps the old ones.
            if !config.autoStop, !isStopped {
                let previous = report
                state = .awaitingCredentials(report: previous)
                out.actions.append(.wifiDisconnect)
                out.actions.append(.log(.info, "provisioning: re-provisioning"))
                status = .success
            }
        default:
            return .failure(.unknownCommand(endpoint: "prov-ctrl", msg: request.msg))
        }
        return .success(.now(WiFiCtrlPayload.of(type: request.msg + 1, status: status.rawValue).encoded(side: DeviceSide.self)))
    }
}
