#!/usr/bin/env bash
# test_install.sh DIR
#
# Installs the C library twice under DIR with `make install` and builds examples/c/firmware_loop.c
# against each installed tree through pkg-config, as a firmware build would:
#   DIR/static: only libvpnha.a; built with `pkg-config --cflags --libs --static vpnha`, and
#               the program must not need libvpnha.so (examples/c/site_report.c too);
#   DIR/both:   libvpnha.a and libvpnha.so; built with `pkg-config --cflags --libs vpnha`, and
#               the program must load libvpnha.so by its soname.
# Each program then runs: the firmware loop, and the site report as JSON.
set -euo pipefail
dir=$1
make=${MAKE:-make}
cc=${CC:-cc}
rm -rf "$dir"
passed=0

"$make" --no-print-directory install PREFIX="$dir/static" VPNHA_LIBRARY=static >/dev/null
export PKG_CONFIG_PATH="$dir/static/lib/pkgconfig"
flags=$(pkg-config --cflags --libs --static vpnha)
echo "static: cc ... $flags"
# shellcheck disable=SC2086 # the flags are words
"$cc" -std=c11 -Wall -Wextra -Werror examples/c/firmware_loop.c $flags -o "$dir/firmware_loop_static"
if readelf -d "$dir/firmware_loop_static" | grep -q 'libvpnha'; then
  echo "test_install: the static build needs libvpnha.so" >&2
  exit 1
fi
"$dir/firmware_loop_static" examples/dual-redundancy.yaml hq >/dev/null
passed=$((passed + 1))
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror examples/c/site_report.c $flags -o "$dir/site_report_static"
"$dir/site_report_static" examples/active-standby.yaml --json >/dev/null
passed=$((passed + 1))

"$make" --no-print-directory install PREFIX="$dir/both" >/dev/null
export PKG_CONFIG_PATH="$dir/both/lib/pkgconfig"
flags=$(pkg-config --cflags --libs vpnha)
echo "shared: cc ... $flags"
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror examples/c/firmware_loop.c $flags \
  -Wl,-rpath,"$dir/both/lib" -o "$dir/firmware_loop_shared"
needed=$(readelf -d "$dir/firmware_loop_shared" | sed -n 's/.*Shared library: \[\(libvpnha[^]]*\)\].*/\1/p')
soname=$(readelf -d "$dir/both/lib/libvpnha.so" | sed -n 's/.*Library soname: \[\([^]]*\)\].*/\1/p')
if [ -z "$needed" ] || [ "$needed" != "$soname" ]; then
  echo "test_install: the shared build needs '$needed', the library's soname is '$soname'" >&2
  exit 1
fi
echo "shared: needs $needed"
# The shared library exports the API and nothing else (no Rust symbols).
others=$(nm -D --defined-only "$dir/both/lib/libvpnha.so" | awk '$2 == "T" && $3 !~ /^vpnha_/' | wc -l)
if [ "$others" != 0 ]; then
  echo "test_install: libvpnha.so exports $others functions outside vpnha_" >&2
  exit 1
fi
"$dir/firmware_loop_shared" examples/dual-redundancy.yaml hq >/dev/null
passed=$((passed + 1))
test -f "$dir/both/include/vpnha.h" && test -f "$dir/both/lib/libvpnha.a"
echo "test_install: $passed passed, 0 failed"
