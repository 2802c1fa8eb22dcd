#!/usr/bin/env bash
# Builds Satu's installable bundles for this machine with Tauri's bundler (the CLI from ui/'s npm
# packages), with the `satu` command line installed beside the app:
#
#   scripts/package.sh [--debug] [BUNDLE…]
#
# Linux: .deb and .rpm (default; the CLI goes to /usr/bin/satu). AppImage is left out: its tools
# (linuxdeploy) come only from GitHub releases, not from the registries this project installs
# from. Windows: NSIS and MSI; macOS: .app and .dmg (the CLI as an external binary beside the
# app). The same configuration (tauri.conf.json "bundle") serves every platform.
#
# --debug bundles the debug build (fast: the tests install it); without it a release build.
# Prints the path of each bundle made, one per line, on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

profile=release
flags=()
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  flags+=(--debug)
  shift
fi
case "$(uname -s)" in
  Linux) default=(deb rpm) ;;
  Darwin) default=(app dmg) ;;
  MINGW* | MSYS* | CYGWIN*) default=(nsis msi) ;;
  *) default=() ;;
esac
bundles=("$@")
[ ${#bundles[@]} -gt 0 ] || bundles=("${default[@]}")
[ ${#bundles[@]} -gt 0 ] || { echo "package.sh: no bundle type for $(uname -s)" >&2; exit 2; }

ensure_toolchains
[ "$(uname -s)" = Linux ] && ensure_apt "${APP_APT_PACKAGES[@]}"
build_ui >&2

target=${CARGO_TARGET_DIR:-$PWD/target}
echo "==> Building the satu command line ($profile)" >&2
cargo_flags=()
[ "$profile" = release ] && cargo_flags+=(--release)
cargo build -q -p satu-cli "${cargo_flags[@]}" >&2
# The bundler takes files by path: the CLI is staged at a fixed place in the repository.
mkdir -p target/package
triple=$(rustc -vV | sed -n 's/^host: //p')
case "$(uname -s)" in
  Linux)
    cp "$target/$profile/satu" target/package/satu
    extra='"bundle":{"linux":{"deb":{"files":{"/usr/bin/satu":"target/package/satu"}},"rpm":{"files":{"/usr/bin/satu":"target/package/satu"}}}}'
    ;;
  *)
    exe=""
    [ -f "$target/$profile/satu.exe" ] && exe=".exe"
    cp "$target/$profile/satu$exe" "target/package/satu-$triple$exe"
    extra='"bundle":{"externalBin":["target/package/satu"]}'
    ;;
esac

echo "==> Bundling ${bundles[*]} ($profile)" >&2
list=$(IFS=,; echo "${bundles[*]}")
# The UI is built above (the configured beforeBuildCommand would run from ui/, where its
# `--prefix ui` does not hold).
ui/node_modules/.bin/tauri build "${flags[@]}" --ci --bundles "$list" \
  --config "{\"build\":{\"beforeBuildCommand\":\"\"},$extra}" >&2
find "$target/$profile/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.dmg' -o -name '*.msi' -o -name '*-setup.exe' \) -newer target/package -print
