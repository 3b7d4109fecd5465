#!/bin/sh
# install-deps.sh: install what feedd needs to build and test on Debian or
# Ubuntu, with apt-get, when something is missing.  Run as root (or it uses
# sudo).  Pass --bench to also install what the benchmarks compare against.
set -eu

pkgs="build-essential autoconf automake pkg-config
libcurl4-openssl-dev libxml2-dev libsqlite3-dev libev-dev libjansson-dev
libxxhash-dev libsystemd-dev libmicrohttpd-dev sqlite3 mandoc python3 socat
libxml2-utils zsh newsboat"
if [ "${1:-}" = "--bench" ]; then
	pkgs="$pkgs sfeed nginx-light curl valgrind time"
fi

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
fi
echo "install-deps: installing:$missing"
$sudo apt-get update
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
