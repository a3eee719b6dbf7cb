#!/usr/bin/env bash
# compare.sh C_PROGRAM RUST_PROGRAM
#
# Runs the C and the Rust timing programs alternately, three times each, on the same
# machine in one go, and prints a Markdown table per case: the lowest of the three medians
# for Rust EcmpGroup::select inlined and behind a call, C vpnha_ecmp_group_select and C
# vpnha_ecmp_group_select_many, and the differences C - Rust, in ns per flow.
set -euo pipefail
c=$1 rust=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for round in 1 2 3; do
  "$c" > "$tmp/c.$round"
  "$rust" > "$tmp/rust.$round"
done
cat "$tmp"/c.* | sed 's/^/c_/' > "$tmp/all"
cat "$tmp"/rust.* | sed 's/^/rust_/' >> "$tmp/all"
echo "| case | Rust select (inlined) | Rust select (a call) | C vpnha_ecmp_group_select | C - Rust inlined | C - Rust call | C vpnha_ecmp_group_select_many |"
echo "|---|---|---|---|---|---|---|"
awk '
  { key = $1 " " $2; if (!(key in best) || $3 < best[key]) best[key] = $3
    if ($1 == "rust_select") order[++n] = $2 }
  END {
    for (i = 1; i <= n; i++) {
      c = order[i]; if (c in seen) continue; seen[c] = 1
      r = best["rust_select " c]; rc = best["rust_select_call " c]
      s = best["c_select " c]; m = best["c_select_many " c]
      printf "| %s | %.2f | %.2f | %.2f | %+.2f | %+.2f | %.2f |\n", c, r, rc, s, s - r, s - rc, m
    }
  }' "$tmp/all"
