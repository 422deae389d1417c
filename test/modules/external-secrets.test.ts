import { ExternalSecrets, ExternalSecretsProps, SyncedSecret } from "../../modules/external-secrets";
import { platformCharts } from "../../environments/shared";
import { k8sStack } from "./k8s-stack";

describe("ExternalSecrets", () => {
  const secret: SyncedSecret = { name: "mysql", namespace: "openedx-prod", remoteSecret: "arn:aws:secretsmanager:us-east-1:1:secret:x", data: { PASSWORD: { field: "password" }, HOST: { value: "db" } } };
  const base: ExternalSecretsProps = { chart: platformCharts.externalSecrets, rawChart: platformCharts.raw, region: "us-east-1", allowedNamespaces: ["openedx-prod"], secrets: [secret] };
  const make = (over: Partial<ExternalSecretsProps>) => () => new ExternalSecrets(k8sStack(), "eso", { ...base, ...over });

  it("rejects a synced Secret outside the store's namespaces, template text in literals, and fields that cannot be template variables", () => {
    expect(make({ secrets: [{ ...secret, namespace: "argocd" }] })).toThrow('ExternalSecrets eso: secrets[0].namespace = "argocd" is invalid; must be one of allowedNamespaces (openedx-prod)');
    expect(make({ secrets: [{ ...secret, data: { ...secret.data, HOST: { value: "{{ .password }}" } } }] })).toThrow("secrets[0].data.HOST.value");
    expect(make({ secrets: [{ ...secret, data: { PASSWORD: { field: "pass-word" } } }] })).toThrow("secrets[0].data.PASSWORD.field");
    expect(make({ secrets: [{ ...secret, data: { HOST: { value: "db" } } }] })).toThrow("must read at least one field from the remote secret");
    expect(make({ secrets: [{ ...secret, refreshInterval: "1 hour" }] })).toThrow('secrets[0].refreshInterval = "1 hour" is invalid');
    expect(make({ secrets: [secret, secret] })).toThrow("must not repeat values");
    expect(make({})).not.toThrow();
  });
});
