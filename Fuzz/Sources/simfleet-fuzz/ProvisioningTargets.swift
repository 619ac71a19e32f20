/// ESP-IDF provisioning (protobuf codec, branch i14-idfprov) gets its target here, e.g.
/// `FuzzTarget(name: "idf-prov", summary: "...", run: { bytes in _ = try? SessionData(decoding: bytes) })`,
/// with seeds in `Fuzz/corpus/idf-prov/` and its name added to the CI list in `scripts/fuzz`.
let provisioningTargets: [FuzzTarget] = []
