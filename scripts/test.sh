#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# The real-browser test drives Debian's Chromium with CJK fonts (no browser download of its own).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
# The suite runs the compiled extractor, and checks it against the Python sources (tests/test_native.py).
python3 -m native.build --strict
export ATLAS_NATIVE_REQUIRED=1
python3 -m pytest
