#!/usr/bin/env bash
# Make sure Debian's Chromium headless shell is installed: Playwright cannot
# download its own browser build here, so the UI tests drive
# /usr/bin/chromium-headless-shell through executable_path. It is the same
# Blink and V8 as the chromium package without the desktop browser around
# them (profiles, extensions, the browser's own services), which Playwright
# itself launches for headless runs: a new browser context costs a quarter of
# the CPU it costs in the full browser (docs/testing.md). Last stdout line:
# the browser's path.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

chromium=/usr/bin/chromium-headless-shell

if [[ -x $chromium ]]; then
    log "chromium-headless-shell already installed at $chromium"
    printf '%s\n' "$chromium"
    exit 0
fi

# fonts-liberation is only a recommend of chromium, but without any font
# pages render as boxes and screenshots/text layout checks go wrong.
apt_install chromium-headless-shell fonts-liberation
[[ -x $chromium ]] || die "installed Debian's chromium-headless-shell but $chromium is missing"
log "installed $("$chromium" --version 2>/dev/null || echo chromium-headless-shell) at $chromium"
printf '%s\n' "$chromium"
