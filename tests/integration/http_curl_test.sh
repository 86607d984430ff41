#!/usr/bin/env bash
# HTTP limits, routing, static files and CORS of the real server, checked with curl.
# Usage: http_curl_test.sh <switchboard binary>
set -uo pipefail
bin=$1
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
mkdir -p "$dir/web/css" "$dir/data"
echo '<h1>ui</h1>' >"$dir/web/index.html"
echo 'body{}' >"$dir/web/css/site.css"
echo 'secret' >"$dir/secret.txt"
ln -s "$dir/secret.txt" "$dir/web/link.txt"

"$bin" serve --port 0 --shards 2 --data "$dir/data" --web "$dir/web" \
  --allow-origin http://allowed.example >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$dir/out" && break; sleep 0.05; done
port=$(grep -o 'listening on [^ ]*' "$dir/out" | grep -o '[0-9]*$')
base="http://127.0.0.1:$port"

passed=0
failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $1: expected '$2', got '$3'"
  fi
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

check "a page is served" 200 "$(status "$base/")"
check "css has its type" "text/css; charset=utf-8" \
  "$(curl -s -o /dev/null -w '%{content_type}' "$base/css/site.css")"
etag=$(curl -s -D - -o /dev/null "$base/css/site.css" | tr -d '\r' | sed -n 's/^ETag: //Ip')
check "a matching ETag is 304" 304 "$(status -H "If-None-Match: $etag" "$base/css/site.css")"
check "a client-side route falls back to the app" 200 "$(status "$base/chat/lobby")"
check "a missing file is 404" 404 "$(status "$base/missing.js")"
for path in /../secret.txt /%2e%2e/secret.txt /css/%2e%2e/%2e%2e/secret.txt /link.txt; do
  check "no escape: $path" 404 "$(status --path-as-is "$base$path")"
done
# Extensionless paths fall back to the app's page, never to a file outside the root.
for path in //etc/passwd /%2fetc%2fpasswd /..%2f..%2fsecret; do
  check "no escape: $path" "<h1>ui</h1>" "$(curl -s --path-as-is "$base$path")"
done
check "an oversized header is 431" 431 "$(status -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$base/")"
head -c 70000 /dev/zero | tr '\0' a >"$dir/big"
check "an oversized body is 413" 413 \
  "$(status -X POST -H 'Content-Type: application/json' --data-binary "@$dir/big" "$base/api/rooms/lobby/messages")"
check "a wrong method is 405" 405 "$(status -X DELETE "$base/api/rooms")"
check "405 lists the allowed methods" "GET, HEAD" \
  "$(curl -s -D - -o /dev/null -X DELETE "$base/api/rooms" | tr -d '\r' | sed -n 's/^Allow: //Ip')"
check "HEAD has no body" 0 "$(curl -s -I "$base/" | sed -n '/^\r$/,$p' | tail -n +2 | wc -c)"
check "a malformed request is 400" 400 "$(status -X POST -H 'Content-Type: application/json' -d '{bad' "$base/api/rooms/lobby/messages")"
check "an allowed origin gets CORS headers" "http://allowed.example" \
  "$(curl -s -D - -o /dev/null -H 'Origin: http://allowed.example' "$base/api/rooms" | tr -d '\r' | sed -n 's/^Access-Control-Allow-Origin: //Ip')"
check "another origin gets none" "" \
  "$(curl -s -D - -o /dev/null -H 'Origin: http://evil.example' "$base/api/rooms" | tr -d '\r' | sed -n 's/^Access-Control-Allow-Origin: //Ip')"
check "a preflight from an allowed origin is 204" 204 \
  "$(status -X OPTIONS -H 'Origin: http://allowed.example' -H 'Access-Control-Request-Method: POST' "$base/api/rooms/lobby/messages")"
check "a preflight from another origin is 403" 403 \
  "$(status -X OPTIONS -H 'Origin: http://evil.example' -H 'Access-Control-Request-Method: POST' "$base/api/rooms/lobby/messages")"
reused=$(curl -sv "$base/api/rooms" "$base/api/rooms" 2>&1 | grep -c 'Re-using existing connection')
check "keep-alive reuses the connection" 1 "$reused"

kill -TERM "$pid"
wait "$pid"
check "SIGTERM exits 0" 0 "$?"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
