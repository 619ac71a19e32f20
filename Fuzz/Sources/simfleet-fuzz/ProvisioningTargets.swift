/// ESP-IDF provisioning (the protobuf codec of branch i14-idfprov) gets its target here, e.g.
/// `FuzzTarget(name: "idf-prov", summary: "...") { bytes in _ = try? SessionData(decoding: bytes) }`,
/// with seeds in `Fuzz/corpus/idf-prov/` (or written by `SeedCorpus`). `scripts/fuzz --list`, `--ci`
/// and `--report` take every target of `FuzzTarget.all`, so nothing else needs to change.
let provisioningTargets: [FuzzTarget] = []
