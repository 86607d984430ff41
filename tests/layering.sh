#!/usr/bin/env bash
# Fails when a layer includes a layer above it (docs/architecture.md): data flows upward,
# and a layer knows only the ones below it.
set -euo pipefail
root=${1:-.}
# Allowed dependencies of each layer (besides itself).
declare -A allowed=(
  [net]=""
  [http]="net"
  [ws]="net http"
  [sse]="net http"
  [poll]="net http"
  [engineio]="net http ws"
  [socketio]="net http ws engineio"
  [adapter]="net http ws engineio socketio"
  [store]=""
  [client]="net http ws engineio socketio"
)
status=0
for layer in "${!allowed[@]}"; do
  for dir in "$root/src/$layer" "$root/include/switchboard/$layer"; do
    [[ -d "$dir" ]] || continue
    while IFS= read -r line; do
      file=${line%%:*}
      dep=$(sed -E 's@.*#include [<"]switchboard/([a-z_]+)/.*@\1@' <<<"$line")
      [[ "$dep" == "$layer" ]] && continue
      if [[ " ${allowed[$layer]} " != *" $dep "* ]]; then
        echo "layering: $file ($layer) includes switchboard/$dep/"
        status=1
      fi
    done < <(grep -rHE '#include [<"]switchboard/[a-z_]+/' "$dir" || true)
  done
done
[[ $status -eq 0 ]] && echo "layering: every include points down"
exit $status
