#!/usr/bin/env bash
# Runs Intel ISA-L's reference (../shared/anchors/isal-ec) and `ugloo bench codec --json` in the same run
# and prints each figure with its ratio to ISA-L. Extra arguments go to `ugloo bench codec`
# (e.g. --path all). Figures are single-thread GB/s of user data (the k input fragments).
set -euo pipefail
cd "$(dirname "$0")/.."
anchor=${ISAL_EC:-../shared/anchors/isal-ec}
out=${TMPDIR:-/tmp}/ugloo-codec-vs-isal
mkdir -p "$out"

dotnet build src/Ugloo.Mount -c Release -v q -nologo >/dev/null
"$anchor" 65536 1048576 > "$out/isal.json"
dotnet src/Ugloo.Mount/bin/Release/net10.0/ugloo.dll bench codec --json "$@" > "$out/ugloo.json"

python3 - "$out/isal.json" "$out/ugloo.json" <<'PY'
import json, sys
isal = {}
for line in open(sys.argv[1]):
    f = json.loads(line)
    isal[(f["op"], f["k"], f["m"], f["fragment_bytes"])] = f["gbps"]
print(f'{"op":7} {"code":11} {"frag":>8} {"path":9} {"ugloo":>7} {"isa-l":>7} {"ratio":>6}')
for line in open(sys.argv[2]):
    f = json.loads(line)
    ref = isal.get((f["op"], f["k"], f["m"], f["fragment_bytes"]))
    ratio = f["gbps"] / ref if ref else float("nan")
    code = f'RS({f["k"]},{f["m"]})'
    print(f'{f["op"]:7} {code:11} {f["fragment_bytes"]//1024:>6}Ki {f["path"]:9} {f["gbps"]:7.2f} {ref or 0:7.2f} {ratio:6.2f}x')
PY
