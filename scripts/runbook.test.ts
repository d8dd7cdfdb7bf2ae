// The runbook's commands must be the repository's real ones: every `npm run <script>` it shows
// exists in the package it names (or the root), and its SQL runs on a service's real database.
// scripts/observability.test.ts checks that the sections the alerts link to exist.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestMesh } from "@paymesh/testkit";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { ledgerService } from "../services/ledger/src/index.js";

const ROOT = join(import.meta.dirname, "..");
const runbook = readFileSync(join(ROOT, "docs", "runbook.md"), "utf8");

/** Scripts by package name (`paymesh` is the root), from every workspace's package.json. */
function scriptsByPackage(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (file: string) => {
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name: string; scripts?: Record<string, string> };
    out.set(pkg.name, new Set(Object.keys(pkg.scripts ?? {})));
  };
  add(join(ROOT, "package.json"));
  for (const dir of ["libs", "services"]) {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (entry.isDirectory()) add(join(ROOT, dir, entry.name, "package.json"));
    }
  }
  return out;
}

/** Every `npm run <script> [-w <package>]` in a text, as script and package (`paymesh` when no -w). */
function npmRuns(text: string): Array<{ script: string; pkg: string; line: string }> {
  return [...text.matchAll(/npm run\s+(?:--silent\s+)?([\w:-]+)((?:\s+(?:-w|--workspace)\s+[@\w/.-]+)?)/g)].map((m) => ({
    script: m[1]!,
    pkg: /(?:-w|--workspace)\s+([@\w/.-]+)/.exec(m[2] ?? "")?.[1] ?? "paymesh",
    line: m[0],
  }));
}

describe("docs/runbook.md", () => {
  it("shows only npm scripts that exist where it says", () => {
    const scripts = scriptsByPackage();
    const runs = npmRuns(runbook);
    expect(runs.length).toBeGreaterThan(5);
    const unknown = runs.filter(({ script, pkg }) => !scripts.get(pkg)?.has(script)).map((r) => r.line);
    expect(unknown).toEqual([]);
  });

  it("covers every situation an operator must handle", () => {
    const headings = [...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.toLowerCase());
    for (const topic of [
      "outbox stuck",
      "consumer lag",
      "parked events",
      "reconcile drift",
      "projection rebuild",
      "key rotation",
      "restore to a point in time",
    ]) {
      expect(headings, topic).toContain(topic);
    }
  });

  it("queries only tables and columns a service's database has", async () => {
    const statements = [...runbook.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((m) =>
      m[1]!
        .split(";")
        .map((q) => q.trim())
        .filter((q) => q !== ""),
    );
    expect(statements.length).toBeGreaterThan(2);
    const mesh = await createTestMesh();
    try {
      const ledger = await mesh.start(ledgerService);
      const sql = postgres(ledger.database.url, { max: 1 });
      try {
        for (const statement of statements) await expect(sql.unsafe(statement), statement).resolves.toBeDefined();
      } finally {
        await sql.end();
      }
    } finally {
      await mesh.stop();
    }
  });

  it("is linked from the README", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("docs/runbook.md");
  });
});
