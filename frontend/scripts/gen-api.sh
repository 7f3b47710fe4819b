#!/bin/sh
# Regenerate src/api/schema.d.ts from the OpenAPI document of a temporary `drorch serve`.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
drorch=${DRORCH:-$repo/.venv/bin/drorch}
python=${PYTHON:-$repo/.venv/bin/python}
work=$(mktemp -d)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

"$drorch" serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" >"$work/serve.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# Wait for the spec to answer (at most ~30 s).
i=0
until "$python" -c "import urllib.request,sys; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])" \
    "http://127.0.0.1:$port/api/openapi.json" "$work/openapi.json" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 150 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "drorch serve did not answer; its log:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  sleep 0.2
done

cd "$here"
npx --no-install openapi-typescript "$work/openapi.json" -o src/api/schema.d.ts
echo "wrote frontend/src/api/schema.d.ts"
