import { CouchDb, CouchDbProps } from "../../modules/couchdb";
import { platformCharts } from "../../environments/shared";
import { resources, synth, testStack, TfJson } from "../helpers";

const CHART = { repository: "https://apache.github.io/couchdb-helm", chart: "couchdb", version: "4.6.2" };
const PROPS: CouchDbProps = {
  chart: CHART, rawChart: platformCharts.raw, namespace: "openedx-selfhosted", replicas: 3,
  placement: { nodeSelector: { "openedx.example.org/role": "production" } },
  storageClassName: "local-path", clusterId: "openedx-selfhosted",
  apiServer: { cidrs: ["192.168.10.0/24", "10.42.0.0/16"], ports: [6443] },
};

function build(props: Partial<CouchDbProps> = {}): { json: TfJson; db: CouchDb } {
  const { stack } = testStack();
  const db = new CouchDb(stack, "couchdb", { ...PROPS, ...props });
  return { json: synth(stack), db };
}
const release = (json: TfJson, name: string) => resources(json, "helm_release").find((r) => r.name === name)!;
const values = (json: TfJson, name: string) => JSON.parse(release(json, name).values[0]);

describe("CouchDb", () => {
  const { json, db } = build();
  const v = values(json, "couchdb");

  it("installs the pinned Apache chart with one replica per production node, each on its own node", () => {
    expect(release(json, "couchdb")).toMatchObject({ repository: CHART.repository, chart: "couchdb", version: "4.6.2", namespace: "openedx-selfhosted", atomic: true });
    expect(v.clusterSize).toBe(3);
    expect(v.nodeSelector).toEqual({ "openedx.example.org/role": "production" });
    expect(v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "couchdb", release: "couchdb" } } }]);
    expect(v.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    // Every shard on every node (3 nodes): any one node can go.
    expect(v.couchdbConfig.cluster).toEqual({ n: 3 });
    expect(v.couchdbConfig.chttpd.require_valid_user).toBe(true);
    expect(v.couchdbConfig.couchdb.uuid).toMatch(/^[0-9a-f]{32}$/);
  });

  it("lets the chart set the cluster up, with pinned images", () => {
    expect(v.autoSetup).toMatchObject({ enabled: true, image: { repository: "curlimages/curl", tag: "8.20.0" } });
    expect(v.autoSetup.defaultDatabases).toEqual(["_users", "_replicator", "_global_changes"]);
    expect(v.initImage.tag).not.toBe("latest");
  });

  it("stores each replica on the configured class, kept when the StatefulSet goes", () => {
    expect(v.persistentVolume).toEqual({ enabled: true, storageClass: "local-path", size: "20Gi", accessModes: ["ReadWriteOnce"] });
    expect(v.persistentVolumeClaimRetentionPolicy).toMatchObject({ enabled: true, whenDeleted: "Retain", whenScaled: "Retain" });
  });

  it("never puts a credential in config or state: the chart reads a Secret generated in the cluster", () => {
    expect(v.createAdminSecret).toBe(false);
    expect(v.extraSecretName).toBe("couchdb-credentials");
    expect(v).not.toHaveProperty("adminPassword");
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/adminPassword"\s*:\s*"[^"$]/);
    const gen = values(json, "couchdb-credentials").resources as any[];
    const job = gen.find((r) => r.kind === "Job");
    const script: string = job.spec.template.spec.containers[0].command[2];
    expect(script).toContain("/dev/urandom");
    expect(script).toContain("409) echo");
    // Terraform would read `${` / `%{` in the values as interpolation.
    expect(script).not.toMatch(/\$\{|%\{/);
    expect(job.metadata.annotations["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    const role = gen.find((r) => r.kind === "Role");
    expect(role.rules).toEqual([{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }]);
    expect(release(json, "couchdb").depends_on).toEqual(expect.arrayContaining([expect.stringContaining("couchdb_credentials")]));
    expect(db.url).toBe("http://couchdb-svc-couchdb.openedx-selfhosted.svc.cluster.local:5984");
  });

  it("passes Pod Security restricted", () => {
    expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 5984, seccompProfile: { type: "RuntimeDefault" } });
    expect(v.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    const job = (values(json, "couchdb-credentials").resources as any[]).find((r) => r.kind === "Job");
    expect(job.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(job.spec.template.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  it("keeps fewer copies than nodes only past three nodes", () => {
    expect(values(build({ replicas: 5 }).json, "couchdb").couchdbConfig.cluster).toEqual({ n: 3 });
    expect(values(build({ replicas: 2 }).json, "couchdb").couchdbConfig.cluster).toEqual({ n: 2 });
  });

  it.each<[string, Partial<CouchDbProps>, string]>([
    ["no replicas", { replicas: 0 }, "CouchDb couchdb: replicas = 0 is invalid; must be an integer from 1 to 9"],
    ["an empty node selector", { placement: { nodeSelector: {} } }, "CouchDb couchdb: placement.nodeSelector = {} is invalid; must select the nodes by at least one label"],
    ["a bad storage class", { storageClassName: "Local Path" }, 'CouchDb couchdb: storageClassName = "Local Path" is invalid; must be a StorageClass name (a DNS label) such as local-path'],
    ["an unpinned chart", { chart: { ...CHART, version: "latest" } }, 'CouchDb couchdb: charts.couchdb.version = "latest" is invalid'],
  ])("rejects %s", (_n, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
