// Checks deploy/k8s: both renderings (base and the production overlay) validate against the
// Kubernetes API schemas (kubernetes-models), every service (and the browser console) has its
// Deployment, Service, autoscaler, disruption budget and network policy, the policies let in
// exactly the callers the code has (ctx.clientFor in services/*/src/main.ts), the console's page
// is pointed at URLs that reach the services and its origin is allowed by their CORS, secrets are
// only referenced, and the NATS cluster, its stream replicas, Postgres (CloudNativePG) and Redis
// are set up as documented.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { K8S_DIR, type KubeObject, podContainers, renderKustomization } from "./render-kustomization.js";

const ROOT = join(import.meta.dirname, "..");
const BASE = join(K8S_DIR, "base");
const PRODUCTION = join(K8S_DIR, "overlays", "production");

/** The agreed ports (as in compose.yaml). */
const PORTS: Readonly<Record<string, number>> = {
  console: 7100,
  handles: 7101,
  ledger: 7102,
  transfers: 7103,
  notifications: 7104,
  governance: 7105,
};
/**
 * Packages under services/ that serve the browser console rather than RPCs: no database, no
 * /metrics, no calls to any service (the browser makes them), reached through the ingress only.
 */
const WEB_TIER: ReadonlySet<string> = new Set(["console"]);
/**
 * RPC services every Connect service serves about itself (libs/runtime's startService), as
 * `<package>.<Service>`; the console calls them at each service's own URL.
 */
const SHARED_RPC_SERVICES = ["paymesh.operations.v1.OperationsService"];

/** Validators of the built-in kinds, by `apiVersion/kind`. */
const VALIDATORS: Readonly<Record<string, (object: KubeObject) => void>> = {
  "v1/Namespace": (o) => new Namespace(o as never).validate(),
  "v1/ConfigMap": (o) => new ConfigMap(o as never).validate(),
  "v1/Service": (o) => new Service(o as never).validate(),
  "apps/v1/Deployment": (o) => new Deployment(o as never).validate(),
  "autoscaling/v2/HorizontalPodAutoscaler": (o) => new HorizontalPodAutoscaler(o as never).validate(),
  "policy/v1/PodDisruptionBudget": (o) => new PodDisruptionBudget(o as never).validate(),
  "networking.k8s.io/v1/NetworkPolicy": (o) => new NetworkPolicy(o as never).validate(),
  "networking.k8s.io/v1/Ingress": (o) => new Ingress(o as never).validate(),
};
/** Custom resources of the CloudNativePG operator, which kubernetes-models has no schema for (checked below). */
const CUSTOM = new Set(["postgresql.cnpg.io/v1/Cluster", "postgresql.cnpg.io/v1/ScheduledBackup"]);

/** Every service of the repository, and whom each calls, from `ctx.clientFor(Service, "name")` in its main.ts. */
function callGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const dir of readdirSync(join(ROOT, "services"))) {
    const main = join(ROOT, "services", dir, "src", "main.ts");
    if (!existsSync(main)) continue;
    const calls = [...readFileSync(main, "utf8").matchAll(/clientFor\(\s*\w+\s*,\s*"([a-z-]+)"\s*\)/g)].map((m) => m[1]!);
    graph.set(dir, new Set(calls));
  }
  return graph;
}
const graph = callGraph();
const services = [...graph.keys()].sort();
/** The Connect services: each has its database, its /metrics, and RPCs a browser calls through the console. */
const connectServices = services.filter((s) => !WEB_TIER.has(s));

/** Does a label selector's matchLabels select a pod with these labels? */
const selects = (matchLabels: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(matchLabels).every(([label, value]) => labels[label] === value);
const podLabels = (o: KubeObject) => (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;

interface PolicySpec {
  podSelector: { matchLabels: Record<string, string> };
  policyTypes?: string[];
  ingress?: Array<{
    from: Array<{ podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: { matchLabels: Record<string, string> } }>;
    ports: Array<{ port: number }>;
  }>;
  egress?: unknown[];
}
/** The namespaces (by kubernetes.io/metadata.name) a policy lets in. */
const fromNamespaces = (policy: PolicySpec) =>
  (policy.ingress ?? [])
    .flatMap((rule) => rule.from)
    .flatMap((peer) => (peer.namespaceSelector ? [peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"] ?? "?"] : []))
    .sort();

const find = (objects: KubeObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

interface Container {
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
const podSpec = (o: KubeObject) => (o.spec as { template: { spec: { terminationGracePeriodSeconds?: number } } }).template.spec;

describe.each([
  ["base", BASE],
  ["production", PRODUCTION],
])("deploy/k8s %s", (_name, dir) => {
  const objects = renderKustomization(dir);
  const config = find(objects, "ConfigMap", "paymesh-config")?.data as Record<string, string>;

  it("renders as kubectl kustomize does, where kubectl is installed", () => {
    let rendered: string;
    try {
      rendered = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      // Without kubectl the checks below still run on renderKustomization's output.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    const fromKubectl = parseAllDocuments(rendered).map((d) => d.toJS() as KubeObject);
    const byKey = (list: KubeObject[]) => Object.fromEntries(list.map((o) => [key(o), o]));
    expect(byKey(objects)).toEqual(byKey(fromKubectl));
  });

  it("validates every object against the Kubernetes API schemas", () => {
    const problems: string[] = [];
    for (const object of objects) {
      const type = `${object.apiVersion}/${object.kind}`;
      const validate = VALIDATORS[type];
      if (!validate) {
        if (!CUSTOM.has(type)) problems.push(`${key(object)}: no schema for ${type}`);
        continue;
      }
      try {
        validate(object);
      } catch (error) {
        problems.push(`${key(object)}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(objects.filter((o) => o.kind !== "Namespace" && o.metadata.namespace !== "paymesh").map(key)).toEqual([]);
  });

  it("has a Deployment, Service, autoscaler, disruption budget and network policy for every service", () => {
    for (const service of services) {
      for (const kind of ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"]) {
        expect(find(objects, kind, service), `${kind} ${service}`).toBeDefined();
      }
    }
  });

  it.each(services)("runs %s with its port, probes, a drain that fits the grace period, and resources", (service) => {
    const deployment = find(objects, "Deployment", service)!;
    const [container] = podContainers(deployment) as unknown as Container[];
    const env = Object.fromEntries((container!.env ?? []).map((e) => [e.name, e]));
    const port = PORTS[service];
    expect(env.PORT?.value).toBe(String(port));
    const named = container!.ports?.find((p) => p.containerPort === port)?.name;
    expect(named, "the container names its port").toBeDefined();
    for (const [probe, path] of [
      [container!.readinessProbe, "/readyz"],
      [container!.livenessProbe, "/healthz"],
    ] as const) {
      expect(probe?.httpGet?.path).toBe(path);
      expect([named, port]).toContain(probe?.httpGet?.port);
    }
    // preStop, then SIGTERM: the service drains for SHUTDOWN_GRACE_MS and then stops its workers;
    // Kubernetes kills it at terminationGracePeriodSeconds, counted from the start of preStop.
    const preStop = container!.lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop[0]).toBe("sleep");
    const sleep = Number(preStop[1]);
    expect(sleep).toBeGreaterThan(0);
    expect(container!.envFrom?.map((e) => e.configMapRef?.name)).toContain("paymesh-config");
    const graceMs = Number(env.SHUTDOWN_GRACE_MS?.value ?? config.SHUTDOWN_GRACE_MS ?? 10_000);
    expect(podSpec(deployment).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(sleep + graceMs / 1000 + 2);
    for (const resource of ["cpu", "memory"]) {
      expect(container!.resources?.requests?.[resource], `requests.${resource}`).toBeDefined();
      expect(container!.resources?.limits?.[resource], `limits.${resource}`).toBeDefined();
    }
    const svc = find(objects, "Service", service)!.spec as {
      selector: Record<string, string>;
      ports: Array<{ port: number; targetPort: string | number }>;
    };
    expect(svc.ports.map((p) => p.port)).toEqual([port]);
    expect([named, port]).toContain(svc.ports[0]!.targetPort);
    const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    for (const [label, value] of Object.entries(svc.selector)) expect(labels[label], `Service selector ${label}`).toBe(value);
  });

  it.each(services)("scales %s between bounds and never lets a disruption take it down", (service) => {
    const hpa = find(objects, "HorizontalPodAutoscaler", service)!.spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
      maxReplicas: number;
    };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: "Deployment", name: service });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
    const pdb = find(objects, "PodDisruptionBudget", service)!.spec as {
      maxUnavailable?: number;
      selector: { matchLabels: Record<string, string> };
    };
    expect(pdb.maxUnavailable).toBeLessThan(hpa.minReplicas);
    const labels = (find(objects, "Deployment", service)!.spec as { template: { metadata: { labels: Record<string, string> } } }).template
      .metadata.labels;
    for (const [label, value] of Object.entries(pdb.selector.matchLabels)) expect(labels[label]).toBe(value);
  });

  it("denies ingress by default and lets each service be reached only by the services that call it, browsers and Prometheus", () => {
    const deny = objects.find((o) => o.kind === "NetworkPolicy" && Object.keys((o.spec as { podSelector: Dict }).podSelector).length === 0);
    expect((deny?.spec as { ingress?: unknown[] } | undefined)?.ingress ?? [], "a default-deny policy").toEqual([]);
    for (const service of services) {
      const callers = services.filter((s) => graph.get(s)!.has(service)).sort();
      const policy = find(objects, "NetworkPolicy", service)!.spec as PolicySpec;
      expect(policy.podSelector.matchLabels["app.kubernetes.io/name"]).toBe(service);
      const ingress = policy.ingress ?? [];
      const fromPods = ingress
        .flatMap((rule) => rule.from)
        .filter((peer) => peer.podSelector)
        .map((peer) => peer.podSelector!.matchLabels["app.kubernetes.io/name"] ?? JSON.stringify(peer.podSelector))
        .sort();
      expect(fromPods, `pods allowed to reach ${service}`).toEqual(callers);
      for (const rule of ingress) expect(rule.ports.map((p) => p.port)).toEqual([PORTS[service]]);
      // Browsers come through the ingress controller: the console's page, and its calls to every
      // service. Prometheus scrapes the Connect services' /metrics; the console has none.
      const namespaces = fromNamespaces(policy);
      expect(namespaces, `${service}: browsers through the ingress controller`).toContain("ingress-nginx");
      if (WEB_TIER.has(service)) expect(namespaces, `${service} has no /metrics`).toEqual(["ingress-nginx"]);
      else expect(namespaces, `${service}: Prometheus`).toContain("monitoring");
    }
  });

  it.each([...WEB_TIER])("lets %s open no connection, and lets it in nowhere", (web) => {
    // The browser calls the services; the console only serves files, so it needs no egress.
    const own = find(objects, "NetworkPolicy", web)!.spec as PolicySpec;
    expect(own.policyTypes).toContain("Egress");
    expect(own.egress ?? [], `${web}: every egress denied`).toEqual([]);
    const labels = podLabels(find(objects, "Deployment", web)!);
    const admitting = objects
      .filter((o) => o.kind === "NetworkPolicy" && o.metadata.name !== web)
      .filter((o) =>
        ((o.spec as PolicySpec).ingress ?? []).some((rule) =>
          rule.from.some((peer) => peer.podSelector && selects(peer.podSelector.matchLabels, labels)),
        ),
      )
      .map(key);
    expect(admitting, `policies that let ${web}'s pods in (Postgres, NATS and Redis admit component=service only)`).toEqual([]);
  });

  it("points the console at URLs a browser reaches each service by, and lets the console's origin call them", () => {
    const ingresses = objects.filter((o) => o.kind === "Ingress");
    const rules = ingresses.flatMap(
      (o) =>
        (
          o.spec as {
            rules: Array<{
              host: string;
              http: { paths: Array<{ path: string; pathType: string; backend: { service: { name: string } } }> };
            }>;
          }
        ).rules,
    );
    const tlsHosts = ingresses.flatMap((o) => (o.spec as { tls?: Array<{ hosts: string[] }> }).tls ?? []).flatMap((t) => t.hosts);
    const cors = (config.CORS_ORIGINS ?? "").split(",").map((origin) => origin.trim());
    /** The service an Ingress sends `https://host/path` to (longest Prefix match), if any. */
    const routed = (host: string, path: string) =>
      rules
        .filter((r) => r.host === host)
        .flatMap((r) => r.http.paths)
        .filter((p) => p.pathType === "Prefix" && (path === p.path || path.startsWith(p.path.endsWith("/") ? p.path : `${p.path}/`)))
        .sort((a, b) => b.path.length - a.path.length)[0]?.backend.service.name;

    // Where the console's page is served from: the Ingress hosts that route to it, or, without an
    // Ingress (the base), `kubectl port-forward svc/console 7100`.
    const consoleHosts = rules.filter((r) => r.http.paths.some((p) => p.backend.service.name === "console")).map((r) => r.host);
    const consoleOrigins = ingresses.length > 0 ? consoleHosts.map((host) => `https://${host}`) : [`http://127.0.0.1:${PORTS.console}`];
    expect(consoleOrigins.length, "somewhere the console is served").toBeGreaterThan(0);
    for (const host of consoleHosts) {
      expect(tlsHosts, `${host} is served over TLS`).toContain(host);
      expect(routed(host, "/"), `https://${host}/ is the console`).toBe("console");
      expect(routed(host, "/config.json"), `https://${host}/config.json`).toBe("console");
    }
    for (const origin of consoleOrigins) expect(cors, `CORS_ORIGINS lets ${origin} call the services`).toContain(origin);

    for (const service of connectServices) {
      const url = config[`${service.toUpperCase()}_PUBLIC_URL`];
      expect(url, `${service.toUpperCase()}_PUBLIC_URL in paymesh-config`).toBeDefined();
      const { protocol, hostname, port, pathname } = new URL(url!);
      if (ingresses.length === 0) {
        expect(url, `${service}: reached by port-forward`).toBe(`http://127.0.0.1:${PORTS[service]}`);
        continue;
      }
      expect(protocol, `${service}: a page served over https may only call https`).toBe("https:");
      expect(port, `${service}: the Ingress's port`).toBe("");
      expect(tlsHosts, `${service}: ${hostname} is served over TLS`).toContain(hostname);
      // Every RPC service of its proto package, and those every service serves, must be routed
      // to it under that URL (so two services cannot share one: whose OperationsService is it?).
      const protoDir = join(ROOT, "proto", "paymesh", service, "v1");
      const own = readdirSync(protoDir)
        .filter((f) => f.endsWith(".proto"))
        .flatMap((f) =>
          [...readFileSync(join(protoDir, f), "utf8").matchAll(/^service (\w+)/gm)].map((m) => `paymesh.${service}.v1.${m[1]!}`),
        );
      expect(own.length, `${service} has RPC services`).toBeGreaterThan(0);
      for (const rpcService of [...own, ...SHARED_RPC_SERVICES]) {
        const path = `${pathname.replace(/\/$/, "")}/${rpcService}/Method`;
        expect(routed(hostname, path), `https://${hostname}${path}`).toBe(service);
      }
    }
  });

  it("references secrets by name and holds no secret value", () => {
    expect(objects.filter((o) => o.kind === "Secret").map(key)).toEqual([]);
    const literal = objects.flatMap((o) =>
      (podContainers(o) as unknown as Container[]).flatMap((c) =>
        (c.env ?? [])
          .filter((e) => /SECRET|KEYS?$|PASSWORD|TOKEN/.test(e.name) && e.valueFrom?.secretKeyRef === undefined)
          .map((e) => `${key(o)} ${e.name}`),
      ),
    );
    expect(literal).toEqual([]);
    expect(Object.keys(config).filter((k) => /SECRET|KEYS?$|PASSWORD|TOKEN/.test(k))).toEqual([]);
    for (const service of services) {
      const env = (podContainers(find(objects, "Deployment", service)!)[0] as unknown as Container).env ?? [];
      // The console signs nothing in production, so it holds no signing secret.
      const needed = WEB_TIER.has(service) ? [] : ["AUTH_JWT_SECRET", "POSTGRES_URL"];
      for (const name of needed) {
        expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name, `${service} ${name}`).toBeDefined();
      }
      if (WEB_TIER.has(service))
        expect(
          env.map((e) => e.name),
          `${service} has no database and no signing secret`,
        ).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(POSTGRES_URL|AUTH_JWT_SECRET)$/)]));
    }
  });

  it("gives every service the URLs of the services it calls, and Redis's primary", () => {
    for (const [service, calls] of graph) {
      for (const peer of calls)
        expect(config[`${peer.toUpperCase()}_URL`], `${service} calls ${peer}`).toBe(`http://${peer}:${PORTS[peer]}`);
    }
    expect(config.REDIS_URL).toBe("redis://redis-primary:6379");
    const replica = find(objects, "Deployment", "redis-replica");
    const args = (podContainers(replica!)[0] as unknown as { args: string[] }).args;
    expect(args.slice(args.indexOf("--replicaof"), args.indexOf("--replicaof") + 3)).toEqual(["--replicaof", "redis-primary", "6379"]);
    expect(find(objects, "Service", "redis-primary")).toBeDefined();
  });

  it("runs Postgres on CloudNativePG with a replica, WAL archiving, a scheduled backup and every service's database", () => {
    const cluster = find(objects, "Cluster", "paymesh-postgres")!.spec as {
      instances: number;
      bootstrap: { initdb: { owner: string; postInitSQL: string[] } };
      backup: {
        retentionPolicy: string;
        barmanObjectStore: { destinationPath: string; wal: unknown; s3Credentials: Record<string, { name: string }> };
      };
    };
    expect(cluster.instances).toBeGreaterThanOrEqual(2);
    expect(cluster.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
    expect(cluster.backup.barmanObjectStore.wal).toBeDefined();
    expect(cluster.backup.retentionPolicy).toMatch(/^\d+[dwm]$/);
    for (const credential of Object.values(cluster.backup.barmanObjectStore.s3Credentials)) expect(credential.name).toBeTruthy();
    const scheduled = find(objects, "ScheduledBackup", "paymesh-postgres-nightly")!.spec as { schedule: string; cluster: { name: string } };
    expect(scheduled.cluster.name).toBe("paymesh-postgres");
    expect(scheduled.schedule.split(" "), "CloudNativePG's six-field schedule").toHaveLength(6);
    for (const web of WEB_TIER) expect(cluster.bootstrap.initdb.postInitSQL.join("\n")).not.toContain(`paymesh_${web}`);
    for (const service of connectServices) {
      expect(cluster.bootstrap.initdb.postInitSQL).toContain(`CREATE DATABASE paymesh_${service} OWNER ${cluster.bootstrap.initdb.owner}`);
      const env = (podContainers(find(objects, "Deployment", service)!)[0] as unknown as Container).env ?? [];
      expect(env.find((e) => e.name === "POSTGRES_URL")?.valueFrom?.secretKeyRef).toEqual({ name: "paymesh-postgres-app", key: "uri" });
    }
  });
});

type Dict = Record<string, unknown>;

describe("deploy/k8s production images", () => {
  it("runs every service from a registry at a release tag", () => {
    const objects = renderKustomization(PRODUCTION);
    for (const service of services) {
      const image = podContainers(find(objects, "Deployment", service)!)[0]!.image;
      expect(image, service).toMatch(new RegExp(`^[a-z0-9.-]+\\.[a-z]+(:\\d+)?/[\\w/-]*${service}:[\\w.-]+$`));
    }
  });
});

describe("NATS (deploy/k8s/nats/values.yaml) and stream replicas", () => {
  const values = parseYaml(readFileSync(join(K8S_DIR, "nats", "values.yaml"), "utf8")) as {
    config: {
      cluster: { enabled: boolean; replicas: number };
      jetstream: {
        enabled: boolean;
        fileStore: { enabled: boolean; pvc: { enabled: boolean; size: string } };
        memoryStore?: { enabled: boolean };
        merge?: Dict;
      };
    };
  };
  const replicasIn = (dir: string) =>
    Number((find(renderKustomization(dir), "ConfigMap", "paymesh-config")!.data as Record<string, string>).EVENTS_STREAM_REPLICAS);

  it("runs three servers with JetStream on persistent file storage that fsyncs every write", () => {
    expect(values.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(values.config.jetstream.enabled).toBe(true);
    expect(values.config.jetstream.fileStore).toMatchObject({ enabled: true, pvc: { enabled: true } });
    expect(values.config.jetstream.fileStore.pvc.size).toMatch(/^\d+[GT]i$/);
    expect(values.config.jetstream.memoryStore?.enabled ?? false).toBe(false);
    expect(values.config.jetstream.merge?.sync_interval).toBe("always");
  });

  it("replicates every stream three times in production, and keeps one copy on a single development server", () => {
    expect(replicasIn(PRODUCTION)).toBe(3);
    expect(replicasIn(PRODUCTION)).toBeLessThanOrEqual(values.config.cluster.replicas);
    expect(replicasIn(BASE)).toBe(1);
  });
});
