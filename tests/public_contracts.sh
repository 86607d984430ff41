#!/usr/bin/env bash
# Checks that every class, struct, enum and free function a public header declares at namespace
# scope (include/switchboard/**.hpp) has a comment just above it: its one-sentence contract
# (docs/library.md, "Reference"). Run by the `layering` test.
#
# The heuristic relies on clang-format's layout: namespaces are not indented, so a namespace-scope
# declaration starts in column 0 and its continuation lines do not. Not checked: members (their
# comments are the reviewer's to ask for), forward declarations, `namespace detail`, template
# specialisations (`template <>`), aliases and variables. An overload declared right below
# another (no blank line between) shares its comment.
set -euo pipefail
root=${1:-.}
status=0
while IFS= read -r line; do
  echo "public_contracts: $line has no comment above it (its contract)"
  status=1
done < <(find "$root/include/switchboard" -name '*.hpp' -print0 | sort -z | xargs -0 awk '
  FNR == 1 { prev = ""; detail = 0; skip_next = 0; last_fn = "" }
  # namespace detail { ... } (to its closing comment) holds implementation details.
  /^namespace [a-z_:]*detail[a-z_]* \{/ && !/\}/ { detail = 1; prev = $0; next }
  detail { if ($0 ~ /^\}  \/\/ namespace [a-z_:]*detail/) detail = 0; prev = $0; next }
  /^[ \t]*$/ { last_fn = ""; next }
  /^template <>/ { skip_next = 1; prev = $0; next }
  /^template </ {
    # The comment goes above the template line; the declaration below inherits it.
    if (prev !~ /^\/\//) print FILENAME ":" FNR ": " $0
    skip_next = 1; prev = $0; next
  }
  /^([A-Za-z]|\[\[)/ && !/^(namespace|using|typedef|static_assert|extern|#)/ {
    decl = 0; fn = ""
    if ($0 ~ /^(class|struct|union|enum)( class)? [A-Za-z_]/) {
      # not a forward declaration (`class X;`, `enum class E : int;`)
      decl = $0 !~ /^(class|struct|union|enum( class)?) [A-Za-z_][A-Za-z0-9_:]*( : [A-Za-z_:0-9]+)?;/
    }
    else if ($0 ~ /\(/ && $0 !~ /^(inline )?(constexpr|const) [^(]*=/) {
      decl = 1
      if (match($0, /[A-Za-z_][A-Za-z0-9_]*(<<|>>|[=!<>+*\/-]=?|\[\]|\(\))?\(/)) fn = substr($0, RSTART, RLENGTH)
    }
    overload = fn != "" && fn == last_fn
    if (decl && !skip_next && !overload && prev !~ /^\/\//) print FILENAME ":" FNR ": " $0
    last_fn = fn
  }
  { skip_next = 0; prev = $0 }
')
[[ $status -eq 0 ]] && echo "public_contracts: every namespace-scope public declaration has its comment"
exit $status
