#!/usr/bin/env bash
# Fails when gen/ is not exactly what `buf generate` makes from proto/ now: generated
# code is committed, so a proto change without a regenerate must not land.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
npx buf generate -o "$fresh"
if ! diff -r --exclude=package.json "$fresh/gen" gen; then
  echo "gen/ is stale: run 'npm run generate' and commit the result." >&2
  exit 1
fi
echo "gen/ is fresh"
