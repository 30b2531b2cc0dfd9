#!/usr/bin/env bash
# Installs what the browser client and its tests need, only when it is missing (idempotent):
#   - Debian: chromium + chromium-driver (headless browser tests), node-sockjs-client (the
#     sockjs-client build lobby-server serves at /static/sockjs.min.js), nodejs (stomp.js unit tests);
#   - PyPI, into the project virtualenv: selenium (drives Chromium through chromedriver).
# `apt-get update` runs only when something has to be installed. Usage: scripts/deps-browser.sh [VENV]
set -euo pipefail

VENV="${1:-${VENV:-.venv}}"
APT_PACKAGES=(chromium chromium-driver node-sockjs-client nodejs)
SELENIUM_VERSION="4.51.0"  # 4.52.0 needs a certifi newer than PyPI serves here

missing=()
for package in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
# node may come from outside Debian (e.g. /usr/bin/node from a tarball): that is enough for the tests.
if [[ " ${missing[*]} " == *" nodejs "* ]] && command -v node >/dev/null 2>&1; then
    missing=("${missing[@]/nodejs/}")
fi
missing=(${missing[@]+"${missing[@]}"})  # drop the empty slot left above

if ((${#missing[@]})); then
    echo "deps-browser: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import selenium' >/dev/null 2>&1; then
    echo "deps-browser: installing selenium==$SELENIUM_VERSION into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "selenium==$SELENIUM_VERSION"
fi
