#!/usr/bin/env bash
# The IMAP tests (tests/inbound/test_inbound_dovecot.py) run Debian's Dovecot, started by the
# test itself on a loopback port with a config in a temporary folder. Only the binaries are
# needed: install dovecot-imapd when it is missing (run as root), and never start the system
# service it ships (policy-rc.d refuses every start while apt-get runs).
set -euo pipefail
if [ ! -x /usr/sbin/dovecot ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ensure-dovecot: dovecot-imapd is missing; run this script as root" >&2
        exit 1
    fi
    policy=/usr/sbin/policy-rc.d
    made_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        made_policy=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        dovecot-imapd >/dev/null
    [ "$made_policy" -eq 0 ] || rm -f "$policy"
fi
/usr/sbin/dovecot --version
