#!/usr/bin/env bash
# Unpacks Mesa 25's lavapipe (mesa-vulkan-drivers from bookworm-backports: a Vulkan driver on the CPU with shader-f16,
# which Dawn accepts; Debian 12's own Mesa 22.3 it refuses) into the project's cache, never into the system:
#   .cache/lavapipe/root/       the unpacked .debs (lavapipe and the runtime libraries this system lacks or has too old)
#   .cache/lavapipe/lvp_icd.json  the Vulkan driver manifest, its library_path pointing into root/
#   .cache/lavapipe/lavapipe.json what scripts/webgpu/dawn.ts reads: the manifest, the library folder, the version
# apt runs with a private configuration (its own source list, package lists and download cache under .cache), from the
# Debian mirror this machine already uses; nothing is written under /etc, and dpkg's database is only read.
# Works without root. Re-running with a complete cache does nothing (no network).
set -euo pipefail
cd "$(dirname "$0")/../.."

cache=${LAVAPIPE_CACHE:-$PWD/.cache/lavapipe}
suite=${LAVAPIPE_SUITE:-bookworm-backports}
release=${suite%%-*}
manifest="$cache/lavapipe.json"

if [ -f "$manifest" ] && [ -f "$(sed -n 's/.*"library": "\(.*\)".*/\1/p' "$manifest")" ]; then
  echo "lavapipe: already unpacked ($(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$manifest")) in $cache"
  exit 0
fi

# The Debian mirror (and its keyring) from the machine's own apt sources: no host is written in this repository.
mirror_uri=""
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for sources in /etc/apt/sources.list.d/*.sources; do
  [ -f "$sources" ] || continue
  mirror_uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$sources")
  if [ -n "$mirror_uri" ]; then
    signed_by=$(awk '/^Signed-By:/ { print $2; exit }' "$sources")
    [ -n "$signed_by" ] && keyring=$signed_by
    break
  fi
done
if [ -z "$mirror_uri" ] && [ -f /etc/apt/sources.list ]; then
  mirror_uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }' /etc/apt/sources.list)
fi
if [ -z "$mirror_uri" ]; then
  echo "lavapipe: no Debian mirror found in /etc/apt's sources" >&2
  exit 1
fi

rm -rf "$cache/lists" "$cache/apt" "$cache/debs" "$cache/root" "$cache/lvp_icd.json" "$manifest"
mkdir -p "$cache/lists/partial" "$cache/apt/archives/partial" "$cache/debs" "$cache/root"
printf 'deb [signed-by=%s] %s %s main\ndeb [signed-by=%s] %s %s main\n' \
  "$keyring" "$mirror_uri" "$release" "$keyring" "$mirror_uri" "$suite" > "$cache/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$cache/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache/apt"
)
# As root, apt hands downloads to the _apt user, which may not reach a project folder.
if [ "$(id -u)" = 0 ]; then apt_options+=(-o APT::Sandbox::User=root); fi
apt-get "${apt_options[@]}" -qq update

installed_version() { dpkg-query -W -f='${db:Status-Abbrev}|${Version}' "$1" 2>/dev/null | awk -F'|' '$1 ~ /^ii/ { print $2 }' || true; }
newest_version() {
  local newest="" version
  for version in $(apt-cache "${apt_options[@]}" madison "$1" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }'); do
    if [ -z "$newest" ] || dpkg --compare-versions "$version" gt "$newest"; then newest=$version; fi
  done
  echo "$newest"
}

# The packages to unpack: lavapipe, then each dependency the system lacks or has too old, recursively (the first of
# alternatives). What the system has at a good enough version is used from the system.
declare -A chosen=()
pending=("mesa-vulkan-drivers")
while [ ${#pending[@]} -gt 0 ]; do
  requirement=${pending[0]}
  pending=("${pending[@]:1}")
  name=${requirement%% *}
  name=${name%%:*}
  op=""; wanted=""
  if [[ $requirement =~ \((\>=|\<=|\>\>|\<\<|=)\ ([^\)]+)\) ]]; then op=${BASH_REMATCH[1]}; wanted=${BASH_REMATCH[2]}; fi
  [ -n "${chosen[$name]:-}" ] && continue
  have=$(installed_version "$name")
  if [ "$name" != mesa-vulkan-drivers ] && [ -n "$have" ] && { [ -z "$op" ] || dpkg --compare-versions "$have" "$op" "$wanted"; }; then
    continue
  fi
  version=$(newest_version "$name")
  if [ -z "$version" ] || { [ -n "$op" ] && ! dpkg --compare-versions "$version" "$op" "$wanted"; }; then
    echo "lavapipe: no $name ${op:+($op $wanted) }in $mirror_uri $release/$suite" >&2
    exit 1
  fi
  chosen[$name]=$version
  while IFS= read -r dependency; do
    [ -n "$dependency" ] && pending+=("$dependency")
  done < <(apt-cache "${apt_options[@]}" show "$name=$version" | awk '/^(Pre-)?Depends:/ { sub(/^[^:]*: /, ""); print }' |
    tr ',' '\n' | sed -e 's/|.*//' -e 's/^ *//' -e 's/ *$//')
done

downloads=()
for name in "${!chosen[@]}"; do downloads+=("$name=${chosen[$name]}"); done
(cd "$cache/debs" && apt-get "${apt_options[@]}" -qq download "${downloads[@]}")
for deb in "$cache"/debs/*.deb; do dpkg-deb -x "$deb" "$cache/root"; done

driver=$(find "$cache/root" -name 'libvulkan_lvp.so' | head -1)
system_icd=$(find "$cache/root/usr/share/vulkan/icd.d" -name 'lvp_icd*.json' | head -1)
if [ -z "$driver" ] || [ -z "$system_icd" ]; then
  echo "lavapipe: mesa-vulkan-drivers ${chosen[mesa-vulkan-drivers]} has no libvulkan_lvp.so or lvp_icd*.json" >&2
  exit 1
fi
library_dir=$(dirname "$driver")
sed -E "s|\"library_path\": *\"[^\"]*\"|\"library_path\": \"$driver\"|" "$system_icd" > "$cache/lvp_icd.json"

# Every library lavapipe links must resolve, from the system or from root/ (dawn.ts sets LD_LIBRARY_PATH for that).
missing=$(LD_LIBRARY_PATH="$library_dir" ldd "$driver" | grep 'not found' || true)
if [ -n "$missing" ]; then
  echo "lavapipe: $driver cannot load:" >&2
  echo "$missing" >&2
  exit 1
fi
if [ ! -f "$library_dir/libvulkan.so.1" ] && ! ldconfig -p | grep -q 'libvulkan\.so\.1 '; then
  echo "lavapipe: no Vulkan loader (libvulkan.so.1) on the system or in $library_dir" >&2
  exit 1
fi

printf '{\n  "version": "%s",\n  "icd": "%s",\n  "library": "%s",\n  "libraryDir": "%s",\n  "packages": "%s"\n}\n' \
  "${chosen[mesa-vulkan-drivers]}" "$cache/lvp_icd.json" "$driver" "$library_dir" "${downloads[*]}" > "$manifest"
rm -rf "$cache/debs" "$cache/apt" "$cache/lists"
echo "lavapipe: Mesa ${chosen[mesa-vulkan-drivers]} unpacked in $cache (${downloads[*]})"
