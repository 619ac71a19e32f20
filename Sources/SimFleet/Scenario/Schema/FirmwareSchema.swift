import DeviceCore
import Yams

/// `firmware:` — the images the embedded origin serves: generated test images or files.
enum FirmwareSchema {
    static func parse(_ node: Node, file: String, defaultChip: ChipModel) throws(ScenarioError) -> [FirmwareImageSpec] {
        guard case .sequence(let items) = node else {
            throw ScenarioError("'firmware' must be a list of images", at: YAMLMapping.position(of: node, file: file),
                                key: "firmware")
        }
        var images: [FirmwareImageSpec] = []
        for item in items {
            let map = try YAMLMapping(item, file: file, context: "firmware image",
                                      allowed: ["version", "file", "size", "chip", "manifest", "app_version"])
            let version = try map.value("version") { r throws(ScenarioError) in try r.string() }
            if images.contains(where: { $0.version == version }) {
                throw ScenarioError("duplicate firmware version '" + version + "'", at: map.position(of: "version"),
                                    key: "version")
            }
            let source: FirmwareImageSpec.Source
            if let path = try map.optional("file", { r throws(ScenarioError) in try r.string() }) {
                for key in ["size", "chip", "app_version"] where map.has(key) {
                    throw ScenarioError("'" + key + "' applies to generated images, not to 'file'",
                                        at: map.position(of: key), key: key)
                }
                source = .file(path)
            } else {
                let size = try map.optional("size") { r throws(ScenarioError) in try r.bytes(in: 1024...(3 << 20)) } ?? (256 << 10)
                let chip = try map.optional("chip") { r throws(ScenarioError) -> ChipModel in
                    let text = try r.string()
                    guard let chip = ChipModel(name: text) else { throw r.fail("is not a known chip: '" + text + "'") }
                    return chip
                } ?? defaultChip
                source = .generated(chip: chip, size: size)
            }
            let manifest = try map.optional("manifest") { r throws(ScenarioError) in try r.bool() } ?? false
            var image = FirmwareImageSpec(version: version, source: source, inManifest: manifest)
            image.appVersion = try map.optional("app_version") { r throws(ScenarioError) -> String in
                let text = try r.string()
                guard text.utf8.count <= 31 else { throw r.fail("fits esp_app_desc_t's 32-byte version field (31 bytes), found '" + text + "'") }
                return text
            }
            images.append(image)
        }
        return images
    }
}
