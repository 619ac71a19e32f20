# Attributes the linked image's bytes to their owner by symbol (input: `nm -S` of app.elf, with
# -v text_end=<address of __text_end> -v ram=<RAM origin>). Embedded Swift has no unspecialized
# generic code: Device<SoftwareCrypto> and other DeviceCore generics are specialized where they are
# used, but keep DeviceCore's mangled prefix, so symbols name their owner where object files don't.
function owner(name) {
  if (name ~ /^\$e10DeviceCore/) return "DeviceCore"
  if (name ~ /^\$e17DeviceCoreVectors/) return "DeviceCoreVectors"
  if (name ~ /^\$e11RISCVDriver/ || name ~ /^\$e14RISCVFootprint/ || name == "main" || name == "arc4random_buf" || name ~ /^(simfleet|footprint)_/) return "driver"
  if (name ~ /_swift_stdlib_(nf|norm|getMph|getScalar|scalar|grapheme|case|special|word|mph)/) return "Unicode data tables"
  if (name ~ /^\$e/ || name ~ /^_?swift_/) return "Swift stdlib + runtime"
  if (name ~ /^OUTLINED_FUNCTION_/) return "outlined (shared)"
  return "picolibc + libgcc"
}
function hex(s,   i, n) { n = 0; s = tolower(s); for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n }
NF >= 4 {
  addr = hex($1); size = hex($2); type = $3; o = owner($4)
  if (type ~ /[bB]/) kind = "bss"
  else if (addr >= ram) kind = "data"
  else if (addr < text_end) kind = "code"
  else kind = "rodata"
  total[o, kind] += size; owners[o] = 1
}
END {
  for (o in owners) printf "  %-24s code %7d  rodata %7d  data %5d  bss %5d\n", o, total[o, "code"], total[o, "rodata"], total[o, "data"], total[o, "bss"]
}
