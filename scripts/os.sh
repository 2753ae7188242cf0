# Facts about this machine's operating system, for scripts/setup.sh and scripts/base-image.sh.
# Sourced, never run. Every function here is safe under `set -Eeuo pipefail`: no pipeline ends
# early (no `grep -q` after a producer, which SIGPIPE would fail), and no file is assumed to exist.

# os_field ID|VERSION_ID|VERSION_CODENAME|PRETTY_NAME: one field of /etc/os-release ("" if absent).
# Read in a subshell so the file's variables do not leak into whoever sourced us.
os_field() {
  if [ -r /etc/os-release ]; then (. /etc/os-release && printf '%s' "${!1:-}"); fi
}

# apt_source_files [APT_DIR]: the apt source files that exist under APT_DIR (/etc/apt): the
# classic sources.list, one-line *.list files and deb822 *.sources files (Debian 12's and Ubuntu
# 24.04's own layout).
apt_source_files() {
  local dir=${1:-/etc/apt} f
  for f in "$dir/sources.list" "$dir"/sources.list.d/*.list "$dir"/sources.list.d/*.sources; do
    if [ -f "$f" ]; then printf '%s\n' "$f"; fi
  done
}

# debian_mirror [APT_DIR]: the Debian archive this machine's apt uses (not the security archive), without a
# trailing slash; http://deb.debian.org/debian when none is configured. Reads both `deb URI ...`
# lines and deb822 `URIs:` fields, and never a commented-out line (Debian 12 images carry a
# `# http://snapshot.debian.org/...` comment above the real URIs line).
debian_mirror() {
  local files=() mirror=""
  mapfile -t files < <(apt_source_files "${1:-/etc/apt}")
  if [ "${#files[@]}" -gt 0 ]; then
    mirror=$(awk '
      /^[[:space:]]*#/ { next }
      $1 == "deb" || tolower($1) == "uris:" {
        for (i = 2; i <= NF; i++) {
          uri = $i; sub(/\/+$/, "", uri)
          if (uri ~ /^https?:\/\/.*\/debian$/) { print uri; exit }
        }
      }' "${files[@]}")
  fi
  printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}

# apt_candidate PKG: the version apt would install, or "" when no source offers it.
apt_candidate() {
  apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# version_at_least HAVE WANT: HAVE >= WANT, compared as dotted versions.
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | sed -n 1p)" = "$2" ]
}
