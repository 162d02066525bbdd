#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432: start it if it is down, and
# install it from Debian's packages if this machine has none.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ready; then exit 0; fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed; installing it from Debian's packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /etc/postgresql | sort -n | tail -1)
# Trust on loopback, as the test settings expect (a throwaway test server).
hba=/etc/postgresql/$version/main/pg_hba.conf
if ! grep -q "hotline-tests" "$hba"; then
  sed -i '1i host all all 127.0.0.1/32 trust # hotline-tests' "$hba"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true

for _ in $(seq 1 30); do
  if ready; then exit 0; fi
  sleep 1
done
echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
exit 1
