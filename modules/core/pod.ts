import { HelmValues } from "./helm";
import { check, checkLabelValue, LABEL_KEY_RE } from "./validation";

/**
 * Small job image with `sh`, `curl`, `tar`, `gzip` and `base64` (Alpine busybox), running as
 * uid 100 / gid 101 (`curl_user`). Used by the jobs this library writes itself (the CouchDB
 * credential generator and the node backups): the same image the CouchDB chart's own setup
 * job uses, pinned here instead of its `latest`. 8.20.0: newest tag checked (April 2026).
 */
export const JOB_IMAGE = "curlimages/curl:8.20.0";
/** Its unprivileged user and group. */
export const JOB_IMAGE_USER = { uid: 100, gid: 101 } as const;

/** A taint a pod tolerates, as Kubernetes writes it. */
export interface Toleration {
  readonly key: string;
  /** @default undefined (Exists) */
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Where pods run: the node labels they select and the taints they tolerate there. */
export interface NodePlacement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** @default [] */
  readonly tolerations?: readonly Toleration[];
}

/** Node labels and taints must be what the API server accepts, or the pods never schedule. */
export function checkPlacement(where: string, prop: string, placement: NodePlacement): void {
  const labels = Object.entries(placement.nodeSelector);
  check(labels.length > 0, where, `${prop}.nodeSelector`, placement.nodeSelector, "must select the nodes by at least one label");
  for (const [key, value] of labels) {
    check(LABEL_KEY_RE.test(key), where, `${prop}.nodeSelector`, key, "must be label keys such as node-role.example.org/backup");
    checkLabelValue(where, `${prop}.nodeSelector.${key}`, value);
  }
  (placement.tolerations ?? []).forEach((t, i) => {
    check(LABEL_KEY_RE.test(t.key), where, `${prop}.tolerations[${i}].key`, t.key, "must be a taint key such as dedicated");
    if (t.value !== undefined) checkLabelValue(where, `${prop}.tolerations[${i}].value`, t.value);
  });
}

/** The placement as pod spec fields. */
export function placementSpec(placement: NodePlacement): HelmValues {
  return {
    nodeSelector: { ...placement.nodeSelector },
    tolerations: (placement.tolerations ?? []).map((t) => t.value === undefined
      ? { key: t.key, operator: "Exists", effect: t.effect }
      : { key: t.key, operator: "Equal", value: t.value, effect: t.effect }),
  };
}

/**
 * Pod and container security contexts that pass Pod Security `restricted` (the app namespace
 * enforces it): non-root, no privilege escalation, every capability dropped, RuntimeDefault
 * seccomp, read-only root file system.
 */
export function restrictedSecurity(user: { readonly uid: number; readonly gid: number }): { pod: HelmValues; container: HelmValues } {
  return {
    pod: { runAsNonRoot: true, runAsUser: user.uid, runAsGroup: user.gid, fsGroup: user.gid, seccompProfile: { type: "RuntimeDefault" } },
    container: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
  };
}
