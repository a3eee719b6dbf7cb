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
#
# It also writes the reports of a few analyses with options, OUT_DIR/CASE.json and .txt, which
# test_analysis.c asks the C API for through vpnha_analysis_options (the cases below).
set -euo pipefail
vpnha=$1 out=$2
shift 2
mkdir -p "$out"

# capture NAME FILE [OPTION...]: the reports of `vpnha analyze FILE OPTION...` as NAME.*;
# fails when the CLI cannot analyse it.
capture() {
  local name=$1 file=$2 json
  shift 2
  rm -f "$out/$name.json" "$out/$name.txt"
  json=$("$vpnha" analyze - --format json "$@" <"$file") || return 1
  printf '%s\n' "$json" | sed '/^  "file": "<stdin>",$/d' >"$out/$name.json"
  "$vpnha" analyze - "$@" <"$file" |
    sed -e 's/^<stdin>: component availabilities/<input>: component availabilities/' \
      -e 's/^note: <stdin> has /note: <input> has /' >"$out/$name.txt"
}

written=0
for f in "$@"; do
  if capture "$(basename "$f" .yaml)" "$f"; then
    written=$((written + 1))
  fi
done

# options_case NAME EXAMPLE: the reports of EXAMPLE.yaml (one of the files given) with the
# options in the array `options`, as NAME.*.
options_case() {
  local name=$1 example=$2 f
  for f in "${files[@]}"; do
    if [ "$(basename "$f" .yaml)" = "$example" ]; then
      capture "$name" "$f" "${options[@]}"
      written=$((written + 1))
      return
    fi
  done
  echo "cli_reports: $example.yaml is not among the topologies given" >&2
  exit 1
}
files=("$@")
# One site of three, three failures, Maglev with a seed, one capacity share.
options=(--site a --max-failures 3 --algorithm maglev --seed 7 --capacity 0.25)
options_case options-broken-bgp-a broken-bgp
# Every site, rendezvous, two capacity shares.
options=(--max-failures 3 --algorithm rendezvous --seed 99 --capacity 0.75 --capacity 0.25)
options_case options-dual-redundancy dual-redundancy
echo "cli_reports: the reports of $written analyses in $out"
