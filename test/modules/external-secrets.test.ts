import { ExternalSecrets, ExternalSecretsProps, SECRET_STORE_NAME, SyncedSecret } from "../../modules/external-secrets";
import { platformCharts } from "../../environments/shared";
import { resources, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

const secret: SyncedSecret = { name: "mysql", namespace: "openedx-prod", remoteSecret: "arn:aws:secretsmanager:us-east-1:1:secret:x", data: { PASSWORD: { field: "password" }, HOST: { value: "db" } } };
const base: ExternalSecretsProps = { chart: platformCharts.externalSecrets, rawChart: platformCharts.raw, region: "us-east-1", allowedNamespaces: ["openedx-prod"], secrets: [secret] };

describe("ExternalSecrets", () => {
  const make = (over: Partial<ExternalSecretsProps>) => () => new ExternalSecrets(k8sStack(), "eso", { ...base, ...over });

  it("rejects a synced Secret outside the store's namespaces, template text in literals, and fields that cannot be template variables", () => {
    expect(make({ secrets: [{ ...secret, namespace: "argocd" }] })).toThrow('ExternalSecrets eso: secrets[0].namespace = "argocd" is invalid; must be one of allowedNamespaces (openedx-prod)');
    expect(make({ secrets: [{ ...secret, data: { ...secret.data, HOST: { value: "{{ .password }}" } } }] })).toThrow("secrets[0].data.HOST.value");
    expect(make({ secrets: [{ ...secret, data: { PASSWORD: { field: "pass-word" } } }] })).toThrow("secrets[0].data.PASSWORD.field");
    expect(make({ secrets: [{ ...secret, data: { HOST: { value: "db" } } }] })).toThrow("must read at least one field from the remote secret");
    expect(make({ secrets: [{ ...secret, refreshInterval: "1 hour" }] })).toThrow('secrets[0].refreshInterval = "1 hour" is invalid');
    expect(make({ secrets: [secret, secret] })).toThrow("must not repeat values");
    expect(make({ secrets: [{ ...secret, labels: { "argocd.argoproj.io/secret type": "repository" } }] })).toThrow('secrets[0].labels = "argocd.argoproj.io/secret type" is invalid');
    expect(make({ secrets: [{ ...secret, labels: { "argocd.argoproj.io/secret-type": "a repository" } }] })).toThrow('secrets[0].labels.argocd.argoproj.io/secret-type = "a repository" is invalid');
    expect(make({})).not.toThrow();
  });
});

describe("ExternalSecrets manifests", () => {
  const build = (over: Partial<ExternalSecretsProps> = {}) => {
    const stack = k8sStack();
    new ExternalSecrets(stack, "eso", { ...base, ...over });
    return Object.fromEntries(resources(synth(stack), "helm_release").map((r) => [r.name, { release: r, values: JSON.parse(r.values[0]) }]));
  };

  it("has one store limited to the allowed namespaces, with no credentials of its own", () => {
    const docs = build()["external-secrets-config"]!.values.resources;
    expect(docs[0]).toEqual({
      apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: SECRET_STORE_NAME },
      spec: { provider: { aws: { service: "SecretsManager", region: "us-east-1" } }, conditions: [{ namespaces: ["openedx-prod"] }] },
    });
  });

  it("templates remote fields and keeps literals literal, reading each field once", () => {
    const docs = build({ secrets: [{ ...secret, labels: { "argocd.argoproj.io/secret-type": "repository" }, data: { PASSWORD: { field: "password" }, PASS2: { field: "password" }, HOST: { value: "db" } } }] })["external-secrets-config"]!.values.resources;
    const es = docs.find((d: any) => d.kind === "ExternalSecret");
    expect(es.metadata).toEqual({ name: "mysql", namespace: "openedx-prod" });
    expect(es.spec.refreshInterval).toBe("1h");
    expect(es.spec.target.template.data).toEqual({ PASSWORD: "{{ .password }}", PASS2: "{{ .password }}", HOST: "db" });
    expect(es.spec.target.template.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "external-secrets", "argocd.argoproj.io/secret-type": "repository" });
    expect(es.spec.data).toEqual([{ secretKey: "password", remoteRef: { key: "arn:aws:secretsmanager:us-east-1:1:secret:x", property: "password" } }]);
  });

  it("runs HA with leader election and PDBs by default, and a single replica without them", () => {
    const ha = build()["external-secrets"]!;
    expect(ha.release.namespace).toBe("external-secrets");
    expect(ha.values).toMatchObject({ replicaCount: 2, leaderElect: true, podDisruptionBudget: { enabled: true, minAvailable: 1 }, serviceMonitor: { enabled: false } });
    expect(ha.values.serviceAccount).toEqual({ create: true, name: "external-secrets" });
    const single = build({ replicas: 1 })["external-secrets"]!.values;
    expect(single).toMatchObject({ replicaCount: 1, leaderElect: false, podDisruptionBudget: { enabled: false }, webhook: { replicaCount: 1, podDisruptionBudget: { enabled: false } } });
    expect(() => build({ replicas: 6 })).toThrow("ExternalSecrets eso: replicas = 6 is invalid; must be an integer from 1 to 5");
    expect(() => build({ allowedNamespaces: ["Openedx"] })).toThrow('ExternalSecrets eso: allowedNamespaces[0] = "Openedx" is invalid; must be a namespace name');
  });
});
