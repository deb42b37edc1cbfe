# Installs what the private-network test (tests/Silo.Tests/PrivateNetworkTests.cs) builds its namespaces and firewall
# with: iproute2 (`ip netns`, veth links) and nftables (`nft`), from Debian packages, if absent. The test needs root
# (CI runs as root). Idempotent; sourced by ./test.sh.
if ! command -v ip >/dev/null 2>&1 || ! command -v nft >/dev/null 2>&1; then
  echo "installing iproute2 and nftables (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends iproute2 nftables >/dev/null
fi
echo "network namespaces: $(command -v ip), firewall: $(command -v nft)"
