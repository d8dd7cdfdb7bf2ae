// Checks the observability files under deploy/ against what the services really do: the metric
// names in the Grafana dashboard and the Prometheus alerts are read from the `/metrics` of the
// real services (started in-process), Prometheus scrapes every Connect service in compose.yaml
// (not the console, which has no /metrics: checked on the real console server), and the
// dashboard's data sources, the collector's pipeline and the alerts' runbook links exist.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createConsoleServer } from "../services/console/src/create-console-server.js";
import { governanceService } from "../services/governance/src/index.js";
import { notificationsService } from "../services/notifications/src/index.js";
import { startTransfersMesh, type TransfersMesh } from "../services/transfers/test/start-transfers-mesh.js";
import { markdownAnchors } from "./markdown-anchors.js";
import { metricNamesIn } from "./metric-names-in.js";

const ROOT = join(import.meta.dirname, "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/**
 * What the dashboard must show, each by a metric it is drawn from. When a service exports a
 * metric an operator needs (consumer lag, parked events, transfers by outcome, ...), add it here
 * with its panel.
 */
const DASHBOARD_MUST_SHOW: Readonly<Record<string, string>> = {
  "RPC rate and errors per service": "rpc_server_requests_total",
  "RPC latency per service": "rpc_server_duration_seconds_bucket",
  "outbox backlog": "outbox_pending_events",
  "outbox publish rate": "outbox_published_events",
  "background worker failures": "worker_pass_errors_total",
  "oldest unpublished event": "outbox_oldest_pending_age_seconds",
  "consumer lag": "consumer_pending_messages",
  "parked events": "events_parked",
  "transfers by outcome": "transfers_settled_total",
  "ledger entries created": "ledger_entries_created_total",
  "webhook and channel deliveries": "notification_delivery_attempts_total",
  "proposals by state": "governance_proposals",
};

/** Series Prometheus makes itself for every target, beside what the target exports. */
const PROMETHEUS_SERIES = ["up", "scrape_duration_seconds", "scrape_samples_scraped"];

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Product services that serve the browser console rather than RPCs: no /metrics, no spans
 * (checked below on the real console server, so this list cannot hide one that gained them).
 */
const WEB_TIER: ReadonlySet<string> = new Set(["console"]);

const compose = parseYaml(read("compose.yaml")) as { services: Record<string, Dict> };
const products = Object.entries(compose.services).filter(([, svc]) => svc.build !== undefined);
/** The Connect services in compose.yaml: each exports /metrics and sends spans. */
const connectServices = products.filter(([name]) => !WEB_TIER.has(name));
const envOf = (svc: Dict) => (isDict(svc.environment) ? (svc.environment as Record<string, string>) : {});

/** Where compose mounts a repository file or directory into a service, by its repository path. */
function mountsOf(name: string): Map<string, string> {
  const svc = compose.services[name];
  const out = new Map<string, string>();
  if (!svc) return out;
  const topConfigs = (parseYaml(read("compose.yaml")) as { configs?: Record<string, { file?: string }> }).configs ?? {};
  for (const ref of (svc.configs as Array<{ source: string; target: string }> | undefined) ?? []) {
    const file = topConfigs[ref.source]?.file;
    if (file) out.set(file.replace(/^\.\//, ""), ref.target);
  }
  for (const volume of (svc.volumes as string[] | undefined) ?? []) {
    const [source, target] = volume.split(":");
    if (source?.startsWith("./") && target) out.set(source.slice(2), target);
  }
  return out;
}

/** Metric names in a Prometheus text exposition, with the series a histogram or summary adds. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
    if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(name + suffix);
  }
  return names;
}

interface Panel {
  title?: string;
  type: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
  panels?: Panel[];
}
const dashboard = JSON.parse(read("deploy/grafana/dashboards/paymesh.json")) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; query?: { query?: string } | string; datasource?: { uid?: string } }> };
};
const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const dashboardQueries = allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? "" })));

const prometheus = parseYaml(read("deploy/prometheus/prometheus.yml")) as {
  rule_files: string[];
  scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
};
const alerts = parseYaml(read("deploy/prometheus/alerts.yml")) as {
  groups: Array<{ rules: Array<{ alert: string; expr: string; annotations?: { runbook?: string } }> }>;
};
const alertRules = alerts.groups.flatMap((g) => g.rules);

let mesh: TransfersMesh;
/** Every metric name some paymesh service exports. */
let exported: Set<string>;

beforeAll(async () => {
  mesh = await startTransfersMesh();
  const governance = await mesh.mesh.start(governanceService);
  const notifications = await mesh.mesh.start(notificationsService);
  exported = new Set();
  for (const url of [mesh.ledgerUrl, mesh.handlesUrl, mesh.transfersUrl!, governance.url, notifications.url]) {
    const res = await fetch(new URL("/metrics", url));
    expect(res.status).toBe(200);
    for (const name of exposedNames(await res.text())) exported.add(name);
  }
});
afterAll(async () => {
  await mesh?.stop();
});

describe("Grafana dashboard", () => {
  it("draws only on metrics the services export", () => {
    const unknown = dashboardQueries.flatMap(({ panel, expr }) =>
      metricNamesIn(expr)
        .filter((n) => !exported.has(n))
        .map((n) => `${panel}: ${n}`),
    );
    expect(unknown).toEqual([]);
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === "string" ? variable.query : (variable.query?.query ?? "");
      const metric = /^label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*\w+\s*\)$/.exec(query)?.[1];
      expect(metric, `variable ${variable.name}: label_values(<metric>, <label>)`).toBeDefined();
      expect(exported, `variable ${variable.name}`).toContain(metric);
    }
  });

  it("shows what an operator needs", () => {
    const drawn = new Set(dashboardQueries.flatMap(({ expr }) => metricNamesIn(expr)));
    const missing = Object.entries(DASHBOARD_MUST_SHOW).filter(([, metric]) => !drawn.has(metric) || !exported.has(metric));
    expect(missing.map(([what, metric]) => `${what} (${metric})`)).toEqual([]);
  });

  it("uses only provisioned data sources, and Grafana loads it from where compose mounts it", () => {
    const sources = parseYaml(read("deploy/grafana/provisioning/datasources/paymesh.yaml")) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    const uids = new Set(sources.datasources.map((d) => d.uid));
    const used = [
      ...allPanels(dashboard.panels).flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]),
      ...dashboard.templating.list.map((v) => v.datasource?.uid),
    ].filter((uid): uid is string => uid !== undefined && !uid.startsWith("$"));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((uid) => !uids.has(uid))).toEqual([]);
    for (const { url } of sources.datasources) {
      const host = new URL(url).hostname;
      expect(Object.keys(compose.services), `data source at ${url}`).toContain(host);
    }

    const grafana = mountsOf("grafana");
    expect(grafana.get("deploy/grafana/provisioning/datasources/paymesh.yaml")).toMatch(/^\/etc\/grafana\/provisioning\/datasources\//);
    expect(grafana.get("deploy/grafana/provisioning/dashboards/paymesh.yaml")).toMatch(/^\/etc\/grafana\/provisioning\/dashboards\//);
    const provider = parseYaml(read("deploy/grafana/provisioning/dashboards/paymesh.yaml")) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(provider.providers.map((p) => p.options.path)).toContain(grafana.get("deploy/grafana/dashboards"));
  });
});

describe("Prometheus", () => {
  it("scrapes /metrics of every Connect service in compose.yaml, and nothing else", () => {
    const job = prometheus.scrape_configs.find((c) => c.job_name === "paymesh");
    expect(job, "a scrape job named paymesh").toBeDefined();
    expect(job!.metrics_path ?? "/metrics").toBe("/metrics");
    const targets = job!.static_configs.flatMap((c) => c.targets).sort();
    expect(connectServices.length, "Connect services in compose.yaml").toBeGreaterThanOrEqual(5);
    const wanted = connectServices.map(([name, svc]) => `${name}:${envOf(svc).PORT}`).sort();
    expect(targets).toEqual(wanted);
    const scrapedJobs = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((sc) => sc.targets));
    for (const [name] of products.filter(([product]) => WEB_TIER.has(product))) {
      expect(
        scrapedJobs.filter((t) => t.split(":")[0] === name),
        `${name} has no /metrics`,
      ).toEqual([]);
    }
  });

  it("leaves out only a console that really has no /metrics", async () => {
    expect(
      products.map(([name]) => name).filter((name) => WEB_TIER.has(name)),
      "the console is in compose.yaml",
    ).toEqual(["console"]);
    const staticDir = mkdtempSync(join(tmpdir(), "paymesh-console-static-"));
    const server = await createConsoleServer({
      staticDir,
      services: { handles: "http://a", ledger: "http://a", transfers: "http://a", notifications: "http://a", governance: "http://a" },
      nodeEnv: "production",
      auth: { secret: "x".repeat(32), issuer: "paymesh", audience: "paymesh" },
    });
    try {
      expect((await fetch(new URL("/readyz", server.url))).status, "the console answers").toBe(200);
      // When the console exports metrics, add console:7100 to deploy/prometheus/prometheus.yml and drop it from WEB_TIER.
      expect((await fetch(new URL("/metrics", server.url))).status, "the console has no /metrics").toBe(404);
    } finally {
      await server.close();
      rmSync(staticDir, { recursive: true, force: true });
    }
  });

  it("loads its configuration and rule files from where compose mounts them", () => {
    const mounted = mountsOf("prometheus");
    expect(mounted.get("deploy/prometheus/prometheus.yml")).toBe("/etc/prometheus/prometheus.yml");
    for (const file of prometheus.rule_files) expect([...mounted.values()], `rule file ${file}`).toContain(file);
    expect(mounted.get("deploy/prometheus/alerts.yml")).toBeDefined();
  });

  it("alerts only on metrics the services export, each pointing at a runbook section", () => {
    expect(alertRules.length).toBeGreaterThan(0);
    const known = new Set([...exported, ...PROMETHEUS_SERIES]);
    const unknown = alertRules.flatMap((r) =>
      metricNamesIn(r.expr)
        .filter((n) => !known.has(n))
        .map((n) => `${r.alert}: ${n}`),
    );
    expect(unknown).toEqual([]);
    const anchors = markdownAnchors(read("docs/runbook.md"));
    for (const rule of alertRules) {
      const link = /^docs\/runbook\.md#(.+)$/.exec(rule.annotations?.runbook ?? "");
      expect(link, `${rule.alert}: annotations.runbook is docs/runbook.md#<section>`).not.toBeNull();
      expect(anchors, `${rule.alert}: runbook section #${link![1]}`).toContain(link![1]);
    }
  });
});

describe("traces", () => {
  it("every Connect service sends spans to the collector, which forwards them to Jaeger", () => {
    for (const [name, svc] of connectServices) {
      expect(envOf(svc).OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe("http://otel-collector:4318");
    }
    const config = parseYaml(read("deploy/otel-collector/config.yaml")) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    expect(config.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/);
    expect(config.service.pipelines.traces.receivers).toContain("otlp");
    const endpoints = config.service.pipelines.traces.exporters.map((e) => config.exporters[e]?.endpoint);
    expect(endpoints).toContain("jaeger:4317");
    expect(compose.services.jaeger, "a jaeger service").toBeDefined();
    const target = mountsOf("otel-collector").get("deploy/otel-collector/config.yaml");
    expect(target, "compose mounts deploy/otel-collector/config.yaml").toBeDefined();
    expect(compose.services["otel-collector"]!.command, "the collector is started with the mounted config").toContain(target);
  });
});
