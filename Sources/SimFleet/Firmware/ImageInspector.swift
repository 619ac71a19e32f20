import DeviceCore

/// Reads a file as an ESP-IDF app image and checks its signature blocks against trusted keys,
/// the way a device with those keys' digests in eFuse would (key digest, then signature).
public enum ImageInspector {
    /// `chip`, when given, must match the header's chip id, as ESP-IDF's
    /// `bootloader_common_check_chip_validity` demands on a device of that chip.
    public static func inspect(_ bytes: [UInt8], trustedKeys: [SecureBootPublicKey] = [], chip: ChipModel? = nil) -> ImageInspection {
        var result = ImageInspection(fileSize: bytes.count, image: nil, signatures: [], signatureSectorProblem: nil,
                                     trustedKeyCount: trustedKeys.count, error: nil)
        let image: AppImage
        do {
            image = try AppImage.parse(bytes, hasher: OpenSSLSHA256.self)
        } catch {
            result.error = error.reason
            return result
        }
        result.image = image
        let trust: SignatureVerifier<OpenSSLCrypto>.KeyTrust = trustedKeys.isEmpty ? .anyEmbeddedKey : .digests(trustedKeys.map(\.digest))
        if let sector = image.signatureSector, let digest = image.signedDataDigest {
            do {
                let blocks = try SignatureBlock.parseAll(sector: sector)
                let signedData = bytes[..<(bytes.count - sector.count)]
                result.signatures = blocks.map { check($0, trust: trust, signedDataDigest: digest, signedData: signedData) }
            } catch {
                result.signatureSectorProblem = error.reason
            }
        } else if image.bytesAfterImage > 0 {
            result.signatureSectorProblem = decimal(Int64(image.bytesAfterImage)) + " bytes after the image are not padding plus one 4096-byte signature sector"
        }
        result.error = verdict(image: image, result: result, chip: chip)
        return result
    }

    /// The first reason the file fails the `inspect` contract, or nil.
    static func verdict(image: AppImage, result: ImageInspection, chip: ChipModel?) -> String? {
        if let chip, image.header.chipID != chip.imageChipID {
            return ImageError.chipMismatch(image: image.header.chipID, device: chip.imageChipID).reason + " (" + chip.displayName + ")"
        }
        if !image.checksumValid {
            return "checksum invalid: stored 0x" + hexString([image.storedChecksum]) + ", calculated 0x" + hexString([image.computedChecksum])
        }
        if image.header.hashAppended && !image.hashValid { return "validation hash (SHA-256) invalid" }
        guard result.trustedKeyCount > 0 else { return nil }
        if result.signatures.contains(where: \.verified) { return nil }
        if let problem = result.signatureSectorProblem { return "no signature verifies: " + problem }
        guard let first = result.signatures.first else { return "no signature verifies: the image has no signature sector" }
        return "no signature verifies with the given key(s): " + (first.reason ?? "unknown")
    }

    /// One block's verdict in the device's order (CRC, digest, key trust, signature). P-384 is
    /// checked on the host with SHA-384 and OpenSSL, since `DeviceCrypto` has only what the C6 has.
    static func check(_ block: SignatureBlock, trust: SignatureVerifier<OpenSSLCrypto>.KeyTrust,
                      signedDataDigest: [UInt8], signedData: ArraySlice<UInt8>) -> SignatureCheck {
        var check = SignatureCheck(index: block.index, scheme: block.scheme, keyDigest: block.keyDigest(using: OpenSSLSHA256.self),
                                   verified: false, keyTrusted: nil, reason: nil, bootableOnESP32C6: block.scheme != .ecdsaP384)
        if case let .digests(trusted) = trust { check.keyTrusted = trusted.contains(check.keyDigest) }
        do {
            if block.scheme == .ecdsaP384 {
                try checkP384(block, trust: trust, signedData: signedData)
            } else {
                try SignatureVerifier<OpenSSLCrypto>(trust: trust).verify(block, signedDataDigest: signedDataDigest)
            }
            check.verified = true
        } catch {
            check.reason = error.reason
        }
        return check
    }

    private static func checkP384(_ block: SignatureBlock, trust: SignatureVerifier<OpenSSLCrypto>.KeyTrust,
                                  signedData: ArraySlice<UInt8>) throws(SignatureError) {
        let i = block.index
        if !block.crcValid { throw .crcMismatch(index: i, stored: block.storedCRC, computed: block.computedCRC) }
        if block.imageDigest != OpenSSLDigest.sha384(signedData) { throw .digestMismatch(index: i) }
        if case let .digests(trusted) = trust, !trusted.contains(block.keyDigest(using: OpenSSLSHA256.self)) { throw .untrustedKey(index: i) }
        let point = block.ecdsaPoint!
        let signature = block.signatureBE
        guard OpenSSLCrypto.verifyECDSA(curve: .p384, x: point.x, y: point.y, digest: block.imageDigest,
                                        r: Array(signature[0..<48]), s: Array(signature[48..<96]))
        else { throw .invalidSignature(index: i) }
    }
}
