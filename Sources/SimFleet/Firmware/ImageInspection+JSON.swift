import DeviceCore

extension ImageInspection {
    /// The `simfleet inspect --json` object (the README's interface): chip, segments, footer
    /// validity, app descriptor, signature verdicts and `error` (null when the file passes).
    public func json() -> JSONValue {
        var members: [JSONMember] = [JSONMember("file_size", .int(fileSize))]
        if let image {
            let h = image.header
            members += [
                JSONMember("chip", image.chip.map { .string($0.displayName) } ?? .null),
                JSONMember("chip_id", .int(Int(h.chipID))),
                JSONMember("entry", .int(Int(h.entryAddress))),
                JSONMember("segments", .array(image.segments.map { segment in
                    .object([JSONMember("load_address", .int(Int(segment.loadAddress))),
                             JSONMember("length", .int(Int(segment.length))),
                             JSONMember("file_offset", .int(segment.dataOffset))])
                })),
                JSONMember("flash_size", .string(h.flashSizeName)),
                JSONMember("min_chip_rev_full", .int(Int(h.minChipRevisionFull))),
                JSONMember("max_chip_rev_full", .int(Int(h.maxChipRevisionFull))),
                JSONMember("checksum", .int(Int(image.storedChecksum))),
                JSONMember("checksum_calculated", .int(Int(image.computedChecksum))),
                JSONMember("checksum_valid", .bool(image.checksumValid)),
                JSONMember("hash_appended", .bool(h.hashAppended)),
                JSONMember("hash_valid", .bool(image.hashValid)),
                JSONMember("sha256", image.storedHash.map { .string(hexString($0)) } ?? .null),
                JSONMember("sha256_calculated", image.computedHash.map { .string(hexString($0)) } ?? .null),
                JSONMember("image_length", .int(image.imageLength)),
                JSONMember("bytes_after_image", .int(image.bytesAfterImage)),
                JSONMember("app", image.appDescriptor.map(appJSON) ?? .object([JSONMember("magic_valid", .bool(false))])),
            ]
        } else {
            members += ["chip", "chip_id", "entry", "segments", "checksum_valid", "hash_appended", "hash_valid", "app"].map { JSONMember($0, .null) }
        }
        members.append(JSONMember("signatures", .array(signatures.map { s in
            .object([JSONMember("index", .int(s.index)), JSONMember("scheme", .string(s.scheme.name)),
                     JSONMember("verified", .bool(s.verified)), JSONMember("key_digest", .string(hexString(s.keyDigest))),
                     JSONMember("key_trusted", s.keyTrusted.map { .bool($0) } ?? .null),
                     JSONMember("bootable_on_esp32c6", .bool(s.bootableOnESP32C6)),
                     JSONMember("reason", s.reason.map { .string($0) } ?? .null)])
        })))
        members.append(JSONMember("signature_sector_problem", signatureSectorProblem.map { .string($0) } ?? .null))
        members.append(JSONMember("keys_given", .int(trustedKeyCount)))
        members.append(JSONMember("valid", .bool(passed)))
        members.append(JSONMember("error", error.map { .string($0) } ?? .null))
        return .object(members)
    }

    private func appJSON(_ app: AppDescriptor) -> JSONValue {
        .object([
            JSONMember("magic_valid", .bool(app.magicWord == AppDescriptor.magic)),
            JSONMember("magic_word", .int(Int(app.magicWord))),
            JSONMember("secure_version", .int(Int(app.secureVersion))),
            JSONMember("version", .string(app.version)),
            JSONMember("project_name", .string(app.projectName)),
            JSONMember("time", .string(app.time)),
            JSONMember("date", .string(app.date)),
            JSONMember("idf_ver", .string(app.idfVersion)),
            JSONMember("elf_sha256", .string(hexString(app.appELFSHA256))),
        ])
    }
}
