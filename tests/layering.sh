#!/usr/bin/env bash
# Checks the includes against the layering (docs/architecture.md): data flows upward, and a
# layer knows only the public headers of the ones below it. Fails when
#   - a layer includes the public headers (switchboard/<other>/) of a layer it may not use;
#   - a layer, or a public header, includes another layer's private headers (src/<other>/,
#     spelt "<other>/x.hpp"), or a public header includes private ones at all;
#   - anything includes a path with "..", or the app, examples or benchmarks include private
#     headers.
# The build enforces the same (cmake/SwitchboardLayer.cmake; tests/layering.cmake proves it);
# this check also names the offending line. Last, tests/public_contracts.sh checks that every
# public declaration at namespace scope has a comment (its contract).

set -euo pipefail
root=${1:-.}
layers=(log metrics net http ws sse poll engineio socketio adapter store client)
# Allowed dependencies of each layer (besides itself).
declare -A allowed=(
  [log]=""
  [metrics]=""
  [net]="log metrics"
  [http]="log metrics net"
  [ws]="log metrics net http"
  [sse]="log metrics net http"
  [poll]="log metrics net http"
  [engineio]="log metrics net http ws"
  [socketio]="log metrics net http ws engineio"
  [adapter]="log metrics net http ws engineio socketio"
  [store]=""
  [client]="log metrics net http ws engineio socketio"
)
layer_alt=$(IFS='|'; echo "${layers[*]}")
status=0
report() {
  echo "layering: $1"
  status=1
}

# include lines of the files under a directory, as "file:line:text".
includes() { grep -rnHE '^\s*#\s*include\s*[<"]' "$@" 2>/dev/null || true; }
# The path an include line names, in $target (a bash match: no process per line).
include_re='^[^#]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"]'
include_target() {
  target=""
  if [[ "$1" =~ $include_re ]]; then target=${BASH_REMATCH[1]}; fi
}

for layer in "${layers[@]}"; do
  for kind in private public; do
    if [[ $kind == private ]]; then dir=$root/src/$layer; else dir=$root/include/switchboard/$layer; fi
    [[ -d "$dir" ]] || continue
    while IFS= read -r line; do
      where=${line%%:*}
      include_target "${line#*:*:}"
      if [[ "$target" == *..* ]]; then
        report "$where ($layer) includes $target (a relative path)"
      elif [[ "$target" =~ ^switchboard/([a-z_]+)/ ]]; then
        dep=${BASH_REMATCH[1]}
        if [[ "$dep" != "$layer" && " ${allowed[$layer]} " != *" $dep "* ]]; then
          report "$where ($layer) includes switchboard/$dep/, a layer it may not use"
        fi
      elif [[ "$target" =~ ^($layer_alt)/ ]]; then
        dep=${BASH_REMATCH[1]}
        if [[ $kind == public ]]; then
          report "$where (public header of $layer) includes private $target"
        elif [[ "$dep" != "$layer" ]]; then
          report "$where ($layer) reaches into $dep's private headers: $target"
        fi
      fi
    done < <(includes "$dir")
  done
done

# Programs built on the library: public headers only.
for dir in app examples bench; do
  [[ -d "$root/$dir" ]] || continue
  while IFS= read -r line; do
    where=${line%%:*}
    include_target "${line#*:*:}"
    if [[ "$target" =~ ^($layer_alt)/ && ! -e "$(dirname "$where")/$target" ]]; then
      report "$where ($dir) includes private $target"
    fi
  done < <(includes "$root/$dir")
done

[[ $status -eq 0 ]] && echo "layering: every include points down, and none reaches a private header"

# Every namespace-scope declaration of a public header has its contract above it.
"$(dirname "${BASH_SOURCE[0]}")/public_contracts.sh" "$root" || status=1
exit $status

