# shellcheck shell=bash
# Shared environment for sysplay's scripts. Source it, don't run it:
#   source scripts/env.sh
# It is safe to source repeatedly (PATH entries are not duplicated) and it does not
# change shell options of the caller.

# Repository root: the parent of the folder holding this file.
SYSPLAY_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
export SYSPLAY_ROOT

# Put $1 at the front of PATH, removing any earlier occurrence of it.
_sysplay_path_prepend() {
  local dir="$1" rest=":${PATH}:"
  while [[ "$rest" == *":${dir}:"* ]]; do rest="${rest//:${dir}:/:}"; done
  rest="${rest#:}"
  rest="${rest%:}"
  PATH="${dir}${rest:+:${rest}}"
}

# Cargo-installed tools (trunk, wasm-bindgen, wasm-pack) ...
_sysplay_path_prepend "${CARGO_HOME:-${HOME}/.cargo}/bin"
# ... and, first of all, the project's npm tools: binaryen 132's wasm-opt (Debian's binaryen
# is too old for what rustc 1.95 emits, so it must never win).
_sysplay_path_prepend "${SYSPLAY_ROOT}/node_modules/.bin"
export PATH
unset -f _sysplay_path_prepend

# The browser and its driver come from Debian (chromium, chromium-driver); nothing is downloaded.
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# Never let an npm package try to fetch a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Never ask questions (apt, npm).
export DEBIAN_FRONTEND=noninteractive
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# The pinned tool versions.
export SYSPLAY_TRUNK_VERSION=0.21.14
export SYSPLAY_WASM_PACK_VERSION=0.15.1

# On CI every build starts from nothing: incremental caches only cost disk there.
if [[ "${CI:-}" == "true" ]]; then
  export CARGO_INCREMENTAL=0
fi
