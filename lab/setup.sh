#!/usr/bin/env bash
# Builds the censor lab: four network namespaces joined by veth links, with link delays and
# bandwidth, the servers "abroad" and "in the country", the resolvers and the ISP router that
# is also the censor (with nothing blocked yet). Idempotent: it tears down any earlier lab first.
#
#   client (bwlab-client) ── eth0 ══ lan0 ── ISP router + censor + resolver (bwlab-isp)
#                                             ├─ wan0 ══ eth0 ── "the Internet" (bwlab-inet)
#                                             └─ dom0 ══ eth0 ── domestic servers (bwlab-dom)
#
# Only private lab addresses (10.213.0.0/16, fd00:213::/48) inside these namespaces; no link to
# the host's own network, so nothing leaves them.
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_root

[ "${BWLAB_SKIP_DEPS:-0}" = 1 ] || "$LAB_DIR/deps.sh"
log "building lab-traffic and lab-rewrite (swift build --scratch-path .build-lab)"
(cd "$REPO_DIR" && swift build --scratch-path "$BUILD_DIR" --product lab-traffic >/dev/null \
  && swift build --scratch-path "$BUILD_DIR" --product lab-rewrite >/dev/null)
[ -x "$TOOL" ] || die "no $TOOL after building"

"$LAB_DIR/teardown.sh" 2>/dev/null || true
mkdir -p "$RUN_DIR/pids" "$RUN_DIR/tls" "$RUN_DIR/www/media"
for region in international domestic; do mkdir -p "$RUN_DIR/nginx-$region-tmp"; done
"$TOOL" plan --run-dir "$RUN_DIR"

log "content: a self-signed certificate for every lab name, pages and bulk files"
san=$(sed 's/^/DNS:/' "$RUN_DIR/names.txt" | paste -sd, -)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj "/CN=blockwatch-lab" -addext "subjectAltName=$san" \
  -keyout "$RUN_DIR/tls/lab.key" -out "$RUN_DIR/tls/lab.crt" 2>/dev/null
# Deterministic incompressible bytes: AES-CTR over zeros with a fixed key.
prng() { set +o pipefail; { openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv "$1" -in /dev/zero 2>/dev/null || true; } | head -c "$2"; set -o pipefail; }
{ echo "<!doctype html><html><head><title>lab</title></head><body><pre>"; prng 0f000000000000000000000000000000 6000 | base64; echo "</pre></body></html>"; } > "$RUN_DIR/www/index.html"
for kb in 16 32 64 96 128 160 192 256 512 1024; do prng "$(printf '%032x' "$kb")" $((kb * 1024)) > "$RUN_DIR/www/media/${kb}k.bin"; done
chmod -R a+rX "$RUN_DIR/www"

log "namespaces and links"
for ns in $NAMESPACES; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
ip link add eth0 netns "$NS_CLIENT" type veth peer name lan0 netns "$NS_ISP"
ip link add wan0 netns "$NS_ISP" type veth peer name eth0 netns "$NS_INET"
ip link add dom0 netns "$NS_ISP" type veth peer name eth0 netns "$NS_DOM"
link_up() {   # ns ifname v4/prefix v6/prefix
  in_ns "$1" ip addr add "$3" dev "$2"
  in_ns "$1" ip -6 addr add "$4" dev "$2" nodad
  # Real segments on the wire (no TSO/GSO/GRO super-packets) and real checksums in captures.
  in_ns "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  in_ns "$1" ip link set "$2" up
}
link_up "$NS_CLIENT" eth0 10.213.1.2/24 fd00:213:0:1::2/64
link_up "$NS_ISP" lan0 10.213.1.1/24 fd00:213:0:1::1/64
link_up "$NS_ISP" wan0 10.213.2.1/30 fd00:213:0:2::1/64
link_up "$NS_INET" eth0 10.213.2.2/30 fd00:213:0:2::2/64
link_up "$NS_ISP" dom0 10.213.3.1/30 fd00:213:0:3::1/64
link_up "$NS_DOM" eth0 10.213.3.2/30 fd00:213:0:3::2/64
in_ns "$NS_ISP" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
in_ns "$NS_CLIENT" ip route add default via 10.213.1.1
in_ns "$NS_CLIENT" ip -6 route add default via fd00:213:0:1::1
in_ns "$NS_INET" ip route add default via 10.213.2.1
in_ns "$NS_INET" ip -6 route add default via fd00:213:0:2::1
in_ns "$NS_DOM" ip route add default via 10.213.3.1
in_ns "$NS_DOM" ip -6 route add default via fd00:213:0:3::1
in_ns "$NS_ISP" ip route add 10.213.64.0/20 via 10.213.2.2
in_ns "$NS_ISP" ip route add 10.213.80.0/20 via 10.213.3.2
in_ns "$NS_ISP" ip -6 route add fd00:213:0:40::/64 via fd00:213:0:2::2
in_ns "$NS_ISP" ip -6 route add fd00:213:0:50::/64 via fd00:213:0:3::2
# The bogus-DNS sinkhole: routed nowhere, silently (no ICMP).
in_ns "$NS_ISP" ip route add blackhole 10.213.99.0/24
in_ns "$NS_ISP" ip -6 route add blackhole fd00:213:0:99::/64
# Anything else is unreachable from the lab: the client and the servers have no other route.

log "server addresses"
while IFS=$'\t' read -r region id v4 v6; do
  ns=$NS_INET; [ "$region" = domestic ] && ns=$NS_DOM
  in_ns "$ns" ip addr add "$v4/32" dev lo
  [ "$v6" = "-" ] || in_ns "$ns" ip -6 addr add "$v6/128" dev lo nodad
done < "$RUN_DIR/hosts.tsv"

log "link shaping: bandwidth (tbf), delay (NFQUEUE: this kernel has no netem), hop counts (TTL)"
# A mobile subscriber: 20 Mbit/s down, 8 Mbit/s up.
in_ns "$NS_ISP" tc qdisc add dev lan0 root tbf rate 20mbit burst 64kb latency 80ms
in_ns "$NS_CLIENT" tc qdisc add dev eth0 root tbf rate 8mbit burst 32kb latency 80ms
# One-way delays at the ISP router: access 10 ms, abroad 35 ms, domestic 4 ms
# (RTT from the client: ~90 ms abroad, ~28 ms in the country, ~20 ms to the ISP resolver).
for ip in iptables ip6tables; do
  in_ns "$NS_ISP" $ip -t mangle -A PREROUTING -i lan0 -j NFQUEUE --queue-num 1 --queue-bypass
  in_ns "$NS_ISP" $ip -t mangle -A POSTROUTING -o lan0 -j NFQUEUE --queue-num 1 --queue-bypass
  in_ns "$NS_ISP" $ip -t mangle -A PREROUTING -i wan0 -j NFQUEUE --queue-num 2 --queue-bypass
  in_ns "$NS_ISP" $ip -t mangle -A POSTROUTING -o wan0 -j NFQUEUE --queue-num 2 --queue-bypass
  in_ns "$NS_ISP" $ip -t mangle -A PREROUTING -i dom0 -j NFQUEUE --queue-num 3 --queue-bypass
  in_ns "$NS_ISP" $ip -t mangle -A POSTROUTING -o dom0 -j NFQUEUE --queue-num 3 --queue-bypass
done
start_daemon delay "$NS_ISP" "$TOOL" delay --queue 1:10 --queue 2:35 --queue 3:4
# Servers abroad sit ~10 hops away, domestic ones ~3: their packets arrive with TTL 54 / 60,
# unlike the censor's own (64) — the tell of an injected reset.
in_ns "$NS_INET" iptables -t mangle -A POSTROUTING -o eth0 -j TTL --ttl-dec 9
# (IPv6: TCP and UDP only — neighbour discovery must keep hop limit 255.)
for proto in tcp udp; do
  in_ns "$NS_INET" ip6tables -t mangle -A POSTROUTING -o eth0 -p $proto -j HL --hl-dec 9
  in_ns "$NS_DOM" ip6tables -t mangle -A POSTROUTING -o eth0 -p $proto -j HL --hl-dec 3
done
in_ns "$NS_DOM" iptables -t mangle -A POSTROUTING -o eth0 -j TTL --ttl-dec 3

log "servers: resolvers (dnsmasq), web/CDN (nginx, real TLS), app servers (lab-traffic serve)"
in_ns "$NS_INET" dnsmasq --conf-file="$RUN_DIR/dnsmasq-international.conf"
in_ns "$NS_DOM" dnsmasq --conf-file="$RUN_DIR/dnsmasq-domestic.conf"
in_ns "$NS_INET" nginx -c "$RUN_DIR/nginx-international.conf" -e "$RUN_DIR/nginx-international-error.log"
in_ns "$NS_DOM" nginx -c "$RUN_DIR/nginx-domestic.conf" -e "$RUN_DIR/nginx-domestic-error.log"
start_daemon serve-international "$NS_INET" "$TOOL" serve --region international --seed 11
start_daemon serve-domestic "$NS_DOM" "$TOOL" serve --region domestic --seed 12
# The client's resolver is the ISP's (ip netns exec bind-mounts this over /etc/resolv.conf).
mkdir -p "/etc/netns/$NS_CLIENT"
printf 'nameserver 10.213.1.1\noptions timeout:2 attempts:2\n' > "/etc/netns/$NS_CLIENT/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "/etc/netns/$NS_CLIENT/hosts"
# The censor with nothing blocked, and the ISP's resolver.
"$TOOL" reset --run-dir "$RUN_DIR"

log "checking the lab"
sleep 1
for url in https://www.google.com/ https://www.nur.kz/ https://web.telegram.org/; do
  code=$(in_ns "$NS_CLIENT" curl -sk -4 --max-time 10 -o /dev/null -w '%{http_code}' "$url" || true)
  [ "$code" = 200 ] || die "lab check failed: $url answered '$code' (logs in $RUN_DIR)"
done
code=$(in_ns "$NS_CLIENT" curl -sk -6 --max-time 10 -o /dev/null -w '%{http_code}' https://www.google.com/ || true)
[ "$code" = 200 ] || die "lab check failed over IPv6: '$code'"
log "lab ready (run directory $RUN_DIR)"
