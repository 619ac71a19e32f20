# Attributes linked bytes to their input file from a GNU ld map: code, constants, data, bss.
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^ \.[A-Za-z_.$0-9]+$/ { pending = $1; next }
{
  sec = ""; addr = ""; size = ""; file = ""
  if ($0 ~ /^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ /) { sec = $1; addr = $2; size = $3; file = $4 }
  else if (pending != "" && $0 ~ /^ +0x[0-9a-f]+ +0x[0-9a-f]+ /) { sec = pending; addr = $1; size = $2; file = $3 }
  pending = ""
  if (sec == "" || file == "") next
  n = 0; s = tolower(substr(size, 3))
  for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
  if (n == 0 || addr == "0x0000000000000000" || addr == "0x00000000") next
  if (sec ~ /^\.(text|init)/) kind = "code"
  else if (sec ~ /^\.(s?rodata|srodata|data\.rel\.ro|got)/) kind = "rodata"
  else if (sec ~ /^\.(s?data|tdata)/) kind = "data"
  else if (sec ~ /^\.(s?bss|tbss)/ || sec == "COMMON") kind = "bss"
  else next
  owner = file
  sub(/.*\//, "", owner)
  if (owner ~ /^libswiftUnicodeDataTables/) owner = "Swift Unicode tables"
  else if (owner ~ /^(libc|libgcc|libsemihost|crt0)/) owner = "picolibc + libgcc"
  else if (owner == "support.o") owner = "driver support (C)"
  else if (owner == "driver.o") owner = "driver (Swift)"
  else sub(/\.o$/, "", owner)
  total[owner, kind] += n; owners[owner] = 1
}
END {
  for (o in owners) printf "  %-22s code %7d  rodata %7d  data %5d  bss %5d\n", o, total[o, "code"], total[o, "rodata"], total[o, "data"], total[o, "bss"]
}
