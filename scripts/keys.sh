#!/usr/bin/env bash
# Keys for GameApi (write keys) and AnalyticsApi (reader keys). A key is 256 random bits; configuration holds only
# its SHA-256 ("sha256:<hex>"), so a leaked configuration does not leak a key. Give the key to the client once.
#   bash scripts/keys.sh new NAME     a new key for NAME (a write key's source, or a reader), with its hash
#   bash scripts/keys.sh hash KEY     the hash of an existing key (for configuration)
# How to configure them, for the AppHost or for each service: docs/security.md.
set -euo pipefail

hash_of() { printf 'sha256:%s\n' "$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)"; }

case "${1:-}" in
  new)
    name=${2:?usage: keys.sh new NAME}
    [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || { echo "NAME: 1 to 64 letters, digits, '.', '_' or '-'" >&2; exit 2; }
    key="gp_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    echo "key (give it to the client; it is not stored anywhere): $key"
    echo "name: $name"
    echo "hash (for configuration):   $(hash_of "$key")"
    ;;
  hash)
    hash_of "${2:?usage: keys.sh hash KEY}"
    ;;
  *)
    sed -n '2,7p' "$0" >&2
    exit 2
    ;;
esac
