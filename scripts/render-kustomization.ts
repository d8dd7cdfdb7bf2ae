import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";

/** A Kubernetes object as rendered: apiVersion, kind, metadata and the rest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  replicas?: Array<{ name: string; count: number }>;
  patches?: Array<{ target: { kind?: string; name?: string }; patch: string }>;
}

type JsonPatch = Array<{ op: "add" | "replace" | "remove"; path: string; value?: unknown }>;

/**
 * Renders the kustomization in `dir` the way `kubectl kustomize` does, for the features paymesh's
 * manifests use: resources (files and directories with their own kustomization), namespace,
 * images, replicas and JSON 6902 patches by kind and name. Anything else in a kustomization is
 * refused rather than silently ignored, so the tests never check a rendering kustomize would not
 * produce (they also compare with `kubectl kustomize` where it is installed).
 */
export function renderKustomization(dir: string): KubeObject[] {
  const kustomization = parseYaml(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Kustomization & Record<string, unknown>;
  const known = new Set(["apiVersion", "kind", "namespace", "resources", "images", "replicas", "patches"]);
  const unknown = Object.keys(kustomization).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml: ${unknown.join(", ")} not supported by renderKustomization`);

  const objects: KubeObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    if (!/\.ya?ml$/.test(resource)) {
      objects.push(...renderKustomization(path));
      continue;
    }
    for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
      const object = doc.toJS() as KubeObject | null;
      if (object) objects.push(object);
    }
  }
  for (const object of objects) {
    if (kustomization.namespace && object.kind !== "Namespace") object.metadata.namespace = kustomization.namespace;
    for (const container of podContainers(object)) {
      const [name, tag] = splitImage(container.image);
      const image = kustomization.images?.find((i) => i.name === name);
      if (image) container.image = `${image.newName ?? name}${(image.newTag ?? tag) ? `:${image.newTag ?? tag}` : ""}`;
    }
    const replicas = kustomization.replicas?.find((r) => r.name === object.metadata.name);
    if (replicas && ["Deployment", "StatefulSet", "ReplicaSet"].includes(object.kind)) {
      (object.spec as { replicas?: number }).replicas = replicas.count;
    }
    for (const { target, patch } of kustomization.patches ?? []) {
      if ((target.kind && target.kind !== object.kind) || (target.name && target.name !== object.metadata.name)) continue;
      applyJsonPatch(object, parseYaml(patch) as JsonPatch);
    }
  }
  return objects;
}

/** The containers of a workload's pod template (none for other kinds). */
export function podContainers(object: KubeObject): Array<{ name: string; image: string } & Record<string, unknown>> {
  const spec = object.spec as { template?: { spec?: { containers?: Array<{ name: string; image: string }> } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

function splitImage(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

function applyJsonPatch(object: unknown, operations: JsonPatch): void {
  for (const { op, path, value } of operations) {
    const keys = path
      .split("/")
      .slice(1)
      .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = keys.pop();
    let parent = object as Record<string, unknown>;
    for (const key of keys) parent = parent[key] as Record<string, unknown>;
    if (last === undefined || typeof parent !== "object" || parent === null) throw new Error(`patch path ${path} not found`);
    if (op !== "add" && !(last in parent)) throw new Error(`patch ${op} ${path}: nothing there`);
    if (op === "remove") delete parent[last];
    else parent[last] = value;
  }
}

/** The directory of this repository's Kubernetes manifests. */
export const K8S_DIR = join(dirname(import.meta.dirname), "deploy", "k8s");
