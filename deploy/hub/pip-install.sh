#!/bin/sh
# pip install "$@" into /opt/hub, trusting the host's CA bundle
# (/tmp/build-ca.crt): the host may sit behind a TLS-intercepting proxy, and
# pip must trust the same CAs as the host. Set for this command only, never
# as ENV, so the image keeps no trace of the build host's CAs.
set -eu
export PIP_CERT=/tmp/build-ca.crt \
    REQUESTS_CA_BUNDLE=/tmp/build-ca.crt \
    SSL_CERT_FILE=/tmp/build-ca.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DEFAULT_TIMEOUT=120
exec /opt/hub/bin/pip install "$@"
