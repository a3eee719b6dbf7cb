#!/usr/bin/env bash
# cli_reports.sh VPNHA OUT_DIR TOPOLOGY.yaml...
#
# Writes what `vpnha analyze` (the binary VPNHA) prints for each topology it can analyse, as
# the C API must give it, so that test_analysis.c can compare the two byte for byte:
#   OUT_DIR/NAME.json  `vpnha analyze --format json` without its "file" field (the C API reads
#                      no file);
#   OUT_DIR/NAME.txt   the text report, naming the topology <input> (the C API's name for text
#                      in memory) where the CLI names it <stdin>.
# The topology is read from stdin, so that the CLI's name for it is the same for every file.
# A topology the CLI cannot analyse (it exits 2) gets no files.
set -euo pipefail
vpnha=$1 out=$2
shift 2
mkdir -p "$out"
written=0
for f in "$@"; do
  name=$(basename "$f" .yaml)
  rm -f "$out/$name.json" "$out/$name.txt"
  if ! json=$("$vpnha" analyze - --format json <"$f"); then
    continue
  fi
  printf '%s\n' "$json" | sed '/^  "file": "<stdin>",$/d' >"$out/$name.json"
  "$vpnha" analyze - <"$f" |
    sed -e 's/^<stdin>: component availabilities/<input>: component availabilities/' \
      -e 's/^note: <stdin> has /note: <input> has /' >"$out/$name.txt"
  written=$((written + 1))
done
echo "cli_reports: the reports of $written topologies in $out"
