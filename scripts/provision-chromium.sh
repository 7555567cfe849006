#!/usr/bin/env bash
# Make sure Debian's chromium is installed: Playwright cannot download its own
# browser build here, so the UI tests drive /usr/bin/chromium through
# executable_path.  Last stdout line: the browser's path.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

chromium=/usr/bin/chromium

if [[ -x $chromium ]]; then
    log "chromium already installed at $chromium"
    printf '%s\n' "$chromium"
    exit 0
fi

# fonts-liberation is only a recommend of chromium, but without any font
# pages render as boxes and screenshots/text layout checks go wrong.
apt_install chromium fonts-liberation
[[ -x $chromium ]] || die "installed Debian's chromium but $chromium is missing"
log "installed $("$chromium" --version 2>/dev/null || echo chromium) at $chromium"
printf '%s\n' "$chromium"
