#!/usr/bin/env bash
# need.sh COMMAND PACKAGE [optional]
#
# Makes sure COMMAND is on PATH, installing the Debian PACKAGE with apt-get when it is not
# (as root, or through sudo without a password). Exit 0 when the command is there; when it
# cannot be had, exit 1, or with "optional" print why and exit 2 so the caller can skip.
set -u
cmd=$1 pkg=$2 optional=${3:-}
command -v "$cmd" >/dev/null 2>&1 && exit 0
echo "need.sh: $cmd not found; installing the Debian package $pkg"
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  sudo=none
fi
if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$pkg" >/dev/null 2>&1 || true
fi
command -v "$cmd" >/dev/null 2>&1 && exit 0
if [ "$optional" = optional ]; then
  echo "need.sh: $cmd is not available and cannot be installed here (no apt-get or no root): skipped"
  exit 2
fi
echo "need.sh: $cmd is required and cannot be installed here: install the Debian package $pkg" >&2
exit 1
