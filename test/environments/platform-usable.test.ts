/**
 * Issue 11: the platform stacks come up usable — storage binds, the app gets its
 * credentials, alerts reach a person, UIs sit behind SSO — in all three environments.
 */
import { Testing } from "cdktf";
import { EnvironmentConfig, EnvironmentStack, PlatformStack, environments, environmentOrder } from "../../environments";
import { LOCKED_DEFAULT_PROJECT } from "../../modules/gitops";
import { DEFAULT_APP_RESOURCES } from "../../modules/k8s-namespaces";
import { checkPlainScalar } from "../../modules/core/helm";
import { TfJson, appStacks, policy, resource, resources, EKS_TARGET, K3S_TARGET } from "../helpers";

const stacks = appStacks();
const ENVS = environmentOrder;
/** A value the platform stack reads from `<env>`'s state. */
const fromState = (env: string) => new RegExp(`^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-${env}\\.outputs\\.cross-stack-output-`);

function values(json: TfJson, name: string): any {
  const found = resources(json, "helm_release").filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one helm_release ${name}, found ${found.length}`);
  return JSON.parse(found[0]!.values[0]);
}
const release = (json: TfJson, name: string) => resources(json, "helm_release").find((r) => r.name === name)!;

describe.each(ENVS)("%s-platform storage", (env) => {
  const json = stacks[`${env}-platform`]!;

  it("makes an encrypted gp3 class with the cluster's volume key the default", () => {
    const sc = resource(json, "kubernetes_storage_class_v1", "block-storage");
    expect(sc.metadata.name).toBe("gp3-encrypted");
    expect(sc.metadata.annotations).toEqual({ "storageclass.kubernetes.io/is-default-class": "true" });
    expect(sc).toMatchObject({ storage_provisioner: "ebs.csi.aws.com", volume_binding_mode: "WaitForFirstConsumer", allow_volume_expansion: true });
    expect(sc.parameters).toMatchObject({ type: "gp3", encrypted: "true" });
    expect(sc.parameters.kmsKeyId).toMatch(fromState(env));
    expect(sc.parameters.kmsKeyId).toMatch(/volume-key/);
    // Environments with deletion protection keep volumes when their claims go.
    expect(sc.reclaim_policy).toBe(environments[env].deletionProtection ? "Retain" : "Delete");
  });

  it("names the class in every chart that claims a volume", () => {
    const scRef = /^\$\{kubernetes_storage_class_v1\.block-storage_gp3_\w+\.metadata\[0\]\.name\}$/;
    const kps = values(json, "kube-prometheus-stack");
    expect(kps.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toMatch(scRef);
    expect(kps.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toMatch(scRef);
    const loki = values(json, "loki");
    expect(loki.write.persistence.storageClass).toMatch(scRef);
    expect(loki.backend.persistence.storageClass).toMatch(scRef);
  });
});

describe.each(ENVS)("%s-platform credentials for the app (External Secrets)", (env) => {
  const json = stacks[`${env}-platform`]!;
  const aws = stacks[env]!;
  const app = environments[env].platform.appNamespace;

  it("installs the operator with its CRDs under the service account Pod Identity binds", () => {
    const eso = values(json, "external-secrets");
    expect(release(json, "external-secrets").namespace).toMatch(/namespaces_external-secrets_/);
    expect(eso).toMatchObject({ installCRDs: true, serviceAccount: { create: true, name: "external-secrets" } });
    const assoc = resource(aws, "aws_eks_pod_identity_association", "platform-prereqs/external-secrets-association");
    expect(assoc).toMatchObject({ namespace: "external-secrets", service_account: "external-secrets" });
  });

  it("applies a ClusterSecretStore limited to the app, argocd and observability namespaces", () => {
    const [store] = values(json, "external-secrets-config").resources;
    expect(store).toMatchObject({ apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "aws-secrets-manager" } });
    expect(store.spec.provider).toEqual({ aws: { service: "SecretsManager", region: "us-east-1" } });
    expect(store.spec.conditions[0].namespaces.map((n: string) => n.replace(/^\$\{kubernetes_namespace_v1\.namespaces_([a-z-]+)_\w+\.metadata\[0\]\.name\}$/, "$1")))
      .toEqual([app, "argocd", "observability"]);
    expect(release(json, "external-secrets-config").depends_on).toEqual([expect.stringMatching(/^helm_release\.external-secrets_\w+$/)]);
  });

  it("syncs a Secret for each password store (MySQL, DocumentDB) from its service-managed secret, with host, port, user, password and TLS settings", () => {
    const es = values(json, "external-secrets-config").resources.filter((r: any) => r.kind === "ExternalSecret");
    const byName = Object.fromEntries(es.map((r: any) => [r.metadata.name, r]));
    // Redis and OpenSearch authenticate with IAM: no secret exists to sync.
    expect(Object.keys(byName).filter((n) => ["mysql", "redis", "search", "mongodb"].includes(n)).sort()).toEqual(["mongodb", "mysql"]);
    const remote = (name: string) => [...new Set(byName[name].spec.data.map((d: any) => d.remoteRef.key))];
    // Remote keys are the secrets RDS and DocumentDB manage, by ARN from the AWS stack's state.
    expect(remote("mysql")).toEqual([expect.stringMatching(/aws_db_instancemysql_primary_\w+master_user_secret0secret_arn\}$/)]);
    expect(remote("mongodb")).toEqual([expect.stringMatching(/aws_docdb_clusterdocumentdb_cluster_\w+master_user_secret0secret_arn\}$/)]);
    for (const name of ["mysql", "mongodb"]) {
      expect(byName[name].metadata.namespace).toMatch(new RegExp(`namespaces_${app}_`));
      expect(remote(name)[0]).toMatch(fromState(env));
      expect(byName[name].spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "aws-secrets-manager" });
      // Both services rotate their managed secrets: refreshed often.
      expect(byName[name].spec.refreshInterval).toBe("5m");
      expect(byName[name].spec.data).toEqual([
        { secretKey: "username", remoteRef: { key: remote(name)[0], property: "username" } },
        { secretKey: "password", remoteRef: { key: remote(name)[0], property: "password" } },
      ]);
    }
    const mysql = byName.mysql.spec;
    expect(mysql.target.template.data).toMatchObject({
      MYSQL_USERNAME: "{{ .username }}", MYSQL_PASSWORD: "{{ .password }}", MYSQL_PORT: "3306", MYSQL_SSL_MODE: "VERIFY_IDENTITY",
    });
    expect(mysql.target.template.data.MYSQL_HOST).toMatch(fromState(env));
    expect(byName.mongodb.spec.target.template.data).toMatchObject({
      MONGODB_USERNAME: "{{ .username }}", MONGODB_PASSWORD: "{{ .password }}", MONGODB_TLS: "true", MONGODB_RETRY_WRITES: "false", MONGODB_PORT: "27017",
    });
  });

  it("hands the app the IAM-authenticated stores' settings as ConfigMaps: no password, the IAM user and cache to sign for", () => {
    const maps = Object.fromEntries(resources(json, "kubernetes_config_map_v1").map((m) => [m.metadata.name, m]));
    expect(maps.redis.metadata.namespace).toMatch(new RegExp(`namespaces_${app}_`));
    expect(maps.redis.data).toMatchObject({ REDIS_PORT: "6379", REDIS_TLS: "true", REDIS_AUTH: "iam", REDIS_IAM_REGION: environments[env].region });
    // The IAM user id and the replication group id are the names the AWS stack gives them.
    expect(maps.redis.data).toMatchObject({ REDIS_USERNAME: `openedx-${env}-redis-app`, REDIS_IAM_CACHE_NAME: `openedx-${env}-redis` });
    expect(resource(aws, "aws_elasticache_user", "redis/app-user")).toMatchObject({ user_id: `openedx-${env}-redis-app`, authentication_mode: { type: "iam" } });
    expect(maps.redis.data.REDIS_HOST).toMatch(fromState(env));
    expect(maps.search.data).toMatchObject({ SEARCH_AUTH: "aws-sigv4", SEARCH_SIGV4_SERVICE: "es", SEARCH_SIGV4_REGION: environments[env].region });
    expect(maps.search.data.SEARCH_URL).toMatch(/^https:\/\/.*:443$/);
    for (const m of [maps.redis, maps.search]) expect(Object.keys(m.data).join(" ")).not.toMatch(/PASSWORD|TOKEN|SECRET/);
  });

  it("lets the operator read exactly this environment's secrets, and decrypt them only through Secrets Manager", () => {
    const doc = policy(resource(aws, "aws_iam_role_policy", "platform-prereqs/external-secrets-policy").policy).Statement;
    const read = doc.find((s) => s.Sid === "ReadListedSecrets");
    expect(read.Action).toEqual(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
    const arns: string[] = read.Resource;
    // No wildcard beyond the 6-character suffix Secrets Manager appends to names.
    for (const arn of arns) expect(arn.replace(/-\?\?\?\?\?\?$/, "")).not.toMatch(/[*?]/);
    expect(arns.filter((a) => a.startsWith("${"))).toEqual([
      expect.stringMatching(/^\$\{aws_db_instance\.mysql_primary_\w+\.master_user_secret\[0\]\.secret_arn\}$/),
      expect.stringMatching(/^\$\{aws_docdb_cluster\.documentdb_cluster_\w+\.master_user_secret\[0\]\.secret_arn\}$/),
    ]);
    const named = arns.filter((a) => !a.startsWith("${")).map((a) => a.replace(/^arn:\$\{[^}]+\}:secretsmanager:\$\{[^}]+\}:\$\{[^}]+\}:secret:/, ""));
    const expected = env === "production"
      ? ["openedx-production-on-call-??????", "openedx-production-argocd-sso-??????", "openedx-production-grafana-sso-??????"]
      : env === "staging" ? ["openedx-staging-argocd-sso-??????", "openedx-staging-grafana-sso-??????"] : [];
    expect(named).toEqual(expected);
    const decrypt = doc.find((s) => s.Sid === "DecryptThroughSecretsManager");
    expect(decrypt.Action).toBe("kms:Decrypt");
    // Only MySQL's secret is under a CMK; DocumentDB's managed secret uses aws/secretsmanager, whose policy needs no grant.
    expect(decrypt.Resource).toEqual([expect.stringMatching(/^\$\{aws_kms_key\.mysql_key_\w+\.arn\}$/)]);
    expect(decrypt.Condition.StringEquals["kms:ViaService"]).toMatch(/^secretsmanager\./);
    expect(decrypt.Condition.ArnLike["kms:EncryptionContext:SecretARN"]).toEqual(arns);
    expect(JSON.stringify(doc)).not.toMatch(/secretsmanager:\*|"kms:\*"|"Resource":"\*"/);
  });

  it("lets the app's role sign for the IAM-authenticated stores only: es:ESHttp* on the search domain, elasticache:Connect on the cache and its app user", () => {
    const doc = policy(resource(aws, "aws_iam_role_policy", "platform-prereqs/app-data-stores-policy").policy).Statement;
    expect(doc.map((s) => s.Sid)).toEqual(["SearchDomainHttp", "ConnectToCacheAsAppUser"]);
    expect(doc[0].Action).toBe("es:ESHttp*");
    expect(doc[0].Resource).toEqual([
      expect.stringMatching(new RegExp(`:es:\\$\\{[^}]+\\}:\\$\\{[^}]+\\}:domain/openedx-${env}-search$`)),
      expect.stringMatching(new RegExp(`:domain/openedx-${env}-search/\\*$`)),
    ]);
    expect(doc[1].Action).toBe("elasticache:Connect");
    expect(doc[1].Resource).toEqual([
      expect.stringMatching(/^\$\{aws_elasticache_replication_group\.redis_group_\w+\.arn\}$/),
      expect.stringMatching(/^\$\{aws_elasticache_user\.redis_app-user_\w+\.arn\}$/),
    ]);
    // The app's role is the search domain's FGAC master user and its only admitted principal.
    const appRole = /^\$\{aws_iam_role\.platform-prereqs_app-role_\w+\.arn\}$/;
    const domain = resource(aws, "aws_opensearch_domain");
    expect(domain.advanced_security_options.master_user_options.master_user_arn).toMatch(appRole);
    expect(policy(domain.access_policies).Statement.map((s) => s.Principal.AWS)).toEqual([expect.stringMatching(appRole)]);
    expect(resources(aws, "aws_iam_role").filter((r) => String(r.name).endsWith("-search-admin"))).toHaveLength(0);
  });

  it("gives the app's service account a role for its media bucket only", () => {
    const role = resource(aws, "aws_iam_role", "platform-prereqs/app-role");
    expect(policy(role.assume_role_policy).Statement[0].Condition.StringEquals).toMatchObject({
      "aws:RequestTag/kubernetes-namespace": app, "aws:RequestTag/kubernetes-service-account": "openedx",
    });
    const doc = policy(resource(aws, "aws_iam_role_policy", "platform-prereqs/app-policy").policy).Statement;
    const media = /^\$\{aws_s3_bucket\.storage_media_bucket_\w+\.arn\}/;
    expect(doc.map((s) => s.Sid)).toEqual(["MediaListBucket", "MediaObjects", "MediaKeyViaS3"]);
    expect(doc[0].Resource).toMatch(media);
    expect(doc[1].Resource).toMatch(media);
    expect(doc[1].Resource).toMatch(/\/\*$/);
    expect(doc[2].Resource).toMatch(/^\$\{aws_kms_key\.storage_key_\w+\.arn\}$/);
    expect(doc[2].Condition.StringEquals["kms:ViaService"]).toMatch(/^s3\./);
    expect(resource(aws, "aws_eks_pod_identity_association", "platform-prereqs/app-association")).toMatchObject({ namespace: app, service_account: "openedx" });
  });
});

describe("alerts reach a person", () => {
  it("subscribes production's on-call e-mail and PagerDuty endpoint, the URL read from Secrets Manager", () => {
    const aws = stacks.production!;
    const subs = resources(aws, "aws_sns_topic_subscription");
    expect(subs.map((s) => s.protocol).sort()).toEqual(["email", "https"]);
    expect(subs.find((s) => s.protocol === "email")!.endpoint).toBe("platform-oncall@example.org");
    const https = subs.find((s) => s.protocol === "https")!;
    expect(https.endpoint).toMatch(/^\$\{jsondecode\(data\.aws_secretsmanager_secret_version\.alarms_on-call-endpoint_\w+\.secret_string\)\.url\}$/);
    expect(https.endpoint_auto_confirms).toBe(true);
    expect(JSON.parse(https.delivery_policy).healthyRetryPolicy.numRetries).toBe(20);
    expect(Object.values(aws.data!.aws_secretsmanager_secret_version!).map((d: any) => d.secret_id)).toEqual(["openedx-production-on-call"]);
    // The URL itself is nowhere in the synthesized stack.
    expect(JSON.stringify(aws)).not.toMatch(/events\.pagerduty\.com/);
  });

  it("subscribes staging's e-mail only, and nobody in sandbox", () => {
    expect(resources(stacks.staging!, "aws_sns_topic_subscription").map((s) => s.protocol)).toEqual(["email"]);
    expect(resources(stacks.sandbox!, "aws_sns_topic_subscription")).toEqual([]);
  });

  const noOnCall: EnvironmentConfig = { ...environments.production, onCall: undefined };
  it("warns loudly at synth when an environment with deletion protection has no on-call target", () => {
    const stack = new EnvironmentStack(Testing.app(), noOnCall, { state: { backend: "local" } });
    const warnings = stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/^environment production: NO ON-CALL TARGET/)]);
    const quiet = new EnvironmentStack(Testing.app(), environments.production, { state: { backend: "local" } });
    expect(quiet.node.metadata.filter((m) => m.type === "@cdktf/warn")).toEqual([]);
  });

  it("rejects an on-call endpoint written into config instead of a secret name", () => {
    for (const secretName of ["https://events.pagerduty.com/integration/abc/enqueue", "arn:aws:secretsmanager:us-east-1:1:secret:x"]) {
      const bad: EnvironmentConfig = { ...environments.production, onCall: { endpoint: { kind: "pagerduty", secretName } } };
      expect(() => new EnvironmentStack(Testing.app(), bad)).toThrow(
        `environment production: onCall.endpoint.secretName = ${JSON.stringify(secretName)} is invalid; must be the name of a Secrets Manager secret`);
    }
    const badEmail: EnvironmentConfig = { ...environments.production, onCall: { emails: ["oncall"] } };
    expect(() => new EnvironmentStack(Testing.app(), badEmail)).toThrow('onCall.emails[0] = "oncall" is invalid; must be an e-mail address');
  });
});

describe.each(ENVS)("%s-platform network policies", (env) => {
  const json = stacks[`${env}-platform`]!;
  it("denies all traffic by default in every platform namespace and the app namespace", () => {
    const denies = resources(json, "kubernetes_network_policy_v1").filter((p) => p.metadata.name === "default-deny-all")
      .map((p) => p.metadata.namespace.replace(/^\$\{kubernetes_namespace_v1\.namespaces_([a-z-]+)_\w+\.metadata\[0\]\.name\}$/, "$1")).sort();
    expect(denies).toEqual(["argocd", "cert-manager", "external-secrets", "nginx-gateway", "observability", environments[env].platform.appNamespace, "velero"].sort());
  });

  it("lets the app's pods reach the Pod Identity agent for their role's credentials", () => {
    const agent = resources(json, "kubernetes_network_policy_v1").filter((p) => p.metadata.namespace.includes(`namespaces_${environments[env].platform.appNamespace}_`))
      .flatMap((p) => p.spec.egress ?? []).filter((e: any) => e.to?.[0]?.ip_block?.cidr === "169.254.170.23/32");
    expect(agent).toEqual([expect.objectContaining({ ports: [{ port: "80", protocol: "TCP" }] })]);
  });

  it("sets the app namespace's ResourceQuota and LimitRange", () => {
    const quota = resource(json, "kubernetes_resource_quota_v1");
    expect(quota.spec.hard).toMatchObject({ "requests.cpu": expect.any(String), "limits.memory": expect.any(String), pods: expect.any(String) });
    expect(resource(json, "kubernetes_limit_range_v1").spec.limit[0].type).toBe("Container");
  });
});

describe("day-2 access: Argo CD and Grafana behind SSO", () => {
  const json = stacks["production-platform"]!;

  it("configures Argo CD OIDC with the client secret from a synced Secret, no local admin, groups to roles", () => {
    const { cm, rbac } = values(json, "argocd").configs;
    expect(cm["admin.enabled"]).toBe(false);
    expect(cm.url).toBe("https://argocd.learn.example.org");
    expect(JSON.parse(cm["oidc.config"])).toEqual({
      name: "SSO", issuer: "https://login.example.org/realms/platform", clientID: "argocd-production",
      clientSecret: "$argocd-sso:clientSecret", requestedScopes: ["openid", "profile", "email", "groups"],
    });
    expect(rbac).toEqual({ "policy.default": "", scopes: "[groups]", "policy.csv": "g, platform-sre, role:admin\ng, platform-viewer, role:readonly" });
    const sso = values(json, "external-secrets-config").resources.find((r: any) => r.metadata.name === "argocd-sso");
    expect(sso.metadata.namespace).toMatch(/namespaces_argocd_/);
    expect(sso.spec.target.template.metadata.labels["app.kubernetes.io/part-of"]).toBe("argocd");
    expect(sso.spec.data).toEqual([{ secretKey: "clientSecret", remoteRef: { key: "openedx-production-argocd-sso", property: "clientSecret" } }]);
  });

  it("configures Grafana's OAuth login with the form login off and unknown groups refused", () => {
    const grafana = values(json, "kube-prometheus-stack").grafana;
    const ini = grafana["grafana.ini"];
    expect(ini.auth.disable_login_form).toBe(true);
    expect(ini["auth.generic_oauth"]).toMatchObject({
      enabled: true, client_id: "grafana-production", client_secret: "$__file{/etc/secrets/grafana-sso/clientSecret}",
      role_attribute_strict: true, role_attribute_path: "(contains(groups[*], 'platform-sre')) && 'Admin' || (contains(groups[*], 'platform-viewer')) && 'Viewer'",
    });
    expect(grafana.extraSecretMounts).toEqual([expect.objectContaining({ secretName: "grafana-sso", mountPath: "/etc/secrets/grafana-sso", readOnly: true })]);
    // The Secrets the charts mount exist before the charts install.
    expect(release(json, "kube-prometheus-stack").depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/external-secrets_config/)]));
  });

  it("rejects an SSO issuer that is not https", () => {
    const prod = environments.production;
    const sso = prod.platform.sso!;
    const eks = EKS_TARGET;
    const build = (platform: Partial<EnvironmentConfig["platform"]>) => () => new PlatformStack(Testing.app(), { ...prod, platform: { ...prod.platform, ...platform } }, { eks });
    expect(build({ sso: { ...sso, argocd: { ...sso.argocd!, issuer: "http://login.example.org/realms/platform" } } })).toThrow(
      'GitOps gitops: sso.issuer = "http://login.example.org/realms/platform" is invalid; must be an https:// URL');
    expect(build({ sso: { ...sso, grafana: { ...sso.grafana!, tokenUrl: "http://login.example.org/token" } } })).toThrow(
      'Observability observability: grafanaSso.tokenUrl = "http://login.example.org/token" is invalid; must be an https:// URL');
    expect(build({ sso: { ...sso, argocd: { ...sso.argocd!, clientSecret: { secretName: "s3cr3t value!", key: "clientSecret" } } } })).toThrow("sso.clientSecret.secretName");
  });

  it("rejects an app quota below what the app's own services need at their maximum replicas", () => {
    const prod = environments.production;
    const resources = { ...DEFAULT_APP_RESOURCES, quota: { ...DEFAULT_APP_RESOURCES.quota, requests: { cpu: "4", memory: "48Gi" } } };
    expect(() => new PlatformStack(Testing.app(), { ...prod, platform: { ...prod.platform, app: { ...prod.platform.app, resources } } }, { kubeconfig: K3S_TARGET }))
      .toThrow(/appResources\.quota\.requests\.cpu = "4" is invalid; must be at least \d+m?/);
  });
});

describe("strings a chart writes unquoted into YAML", () => {
  it("keeps every Argo CD project description a plain YAML scalar (argocd-apps 2.0.x writes it raw)", () => {
    for (const env of ENVS) {
      for (const [name, project] of Object.entries<any>(values(stacks[`${env}-platform`]!, "argocd-root").projects)) {
        expect(() => checkPlainScalar("test", name, project.description)).not.toThrow();
      }
    }
    expect(LOCKED_DEFAULT_PROJECT.description).not.toMatch(/: /);
  });

  it("rejects the values that broke the chart", () => {
    for (const bad of ["Disabled: every Application belongs elsewhere", "a # comment", "- list", "line\nbreak", "ends with colon:", "* alias"]) {
      expect(() => checkPlainScalar("GitOps g", "projects.x.description", bad)).toThrow(`GitOps g: projects.x.description = ${JSON.stringify(bad)} is invalid; is written unquoted`);
    }
    expect(() => checkPlainScalar("w", "p", "Open edX workloads, synced from Git (v2)")).not.toThrow();
  });
});
