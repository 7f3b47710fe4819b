#!/bin/sh
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests.
# Installs the distribution package non-interactively when it is missing; never downloads
# a browser any other way.
set -eu
CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available;" >&2
  echo "install the distribution's chromium package by hand." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure-chromium: installing chromium needs root (or sudo)." >&2
    exit 1
  fi
fi

echo "ensure-chromium: installing Debian's chromium package" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: the chromium package did not provide $CHROMIUM" >&2
  exit 1
fi
