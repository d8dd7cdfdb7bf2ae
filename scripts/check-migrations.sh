#!/usr/bin/env bash
# Fails if any service's Drizzle schema has drifted from its committed migrations, i.e. if
# `drizzle-kit generate` would write a new migration. What it would write is shown, then removed.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
# Each service's config is relative to its package (as `npm run generate:migrations -w` runs it);
# the libraries' test configs are relative to the repository root.
check() {
  local dir=$1 config=$2
  local out
  out=$(realpath -m --relative-to=. "$dir/$(grep -oP 'out:\s*"\K[^"]+' "$dir/$config")")
  local before after added
  before=$(ls "$out"/*.sql 2>/dev/null | sort)
  (cd "$dir" && npx --no-install drizzle-kit generate --config "$config" >/dev/null)
  after=$(ls "$out"/*.sql 2>/dev/null | sort)
  added=$(comm -13 <(echo "$before") <(echo "$after"))
  if [ -n "$added" ]; then
    echo "$dir: the schema differs from its migrations; drizzle-kit generate would add:" >&2
    for file in $added; do
      sed 's/^/  /' "$file" >&2
      echo >&2
      rm "$file" "$out/meta/$(basename "$file" | cut -d_ -f1)_snapshot.json"
    done
    git checkout -- "$out/meta" 2>/dev/null || true
    status=1
  fi
}
for config in services/*/drizzle.config.ts; do check "$(dirname "$config")" drizzle.config.ts; done
for config in libs/*/test/drizzle.config.ts; do check . "$config"; done
if [ "$status" -ne 0 ]; then
  echo "Generate and commit a migration: npm run generate:migrations -w <package>" >&2
fi
exit "$status"
