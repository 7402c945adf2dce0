#!/usr/bin/env bash
# Installs Debian's Chromium and its WebDriver for the browser tests (tests/integration/
# test_web_page*.py). Idempotent: does nothing when both are present. Never downloads a browser
# from anywhere but the system's package manager.
set -euo pipefail

CHROMIUM=${CHROMIUM_BINARY:-/usr/bin/chromium}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get; install Chromium and chromedriver, then set" \
       "CHROMIUM_BINARY and CHROMEDRIVER" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-browser: run as root (or install sudo) to apt-get install chromium" >&2
    exit 1
  fi
fi

echo "Installing chromium and chromium-driver (Debian packages)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
"$CHROMIUM" --version 2>/dev/null || true
