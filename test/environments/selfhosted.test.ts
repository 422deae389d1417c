/**
 * Issue 17 (seed 003): a self-hosted k3s environment from one data file. Its `selfhosted` stack
 * is DNS only; `selfhosted-platform` targets the kubeconfig cluster with the platform charts
 * that make sense there, CouchDB and the node backups.
 */
import { App, Testing } from "cdktf";
import { SelfHostedEnvironmentConfig, addSelfHostedEnvironment, environments } from "../../environments";
import { selfhosted } from "../../environments/selfhosted";
import { ipv6Reach } from "../../modules/core/dns";
import { resources, synth, TfJson } from "../helpers";

const build = (config: SelfHostedEnvironmentConfig) => addSelfHostedEnvironment(Testing.app(), config);
const patch = (over: (c: SelfHostedEnvironmentConfig) => object): SelfHostedEnvironmentConfig => ({ ...selfhosted, ...over(selfhosted) }) as SelfHostedEnvironmentConfig;
const serving = selfhosted.cluster.nodes.filter((n) => n.role === "serving");

describe("the selfhosted environment", () => {
  const stacks = build(selfhosted);
  const dns = synth(stacks.dns);
  const platform = synth(stacks.platform);
  const releases = resources(platform, "helm_release");
  const values = (json: TfJson, name: string) => JSON.parse(resources(json, "helm_release").find((r) => r.name === name)!.values[0]);

  it("is a registry entry built from its one data file, DNS stack first", () => {
    expect(environments.selfhosted).toBe(selfhosted);
    expect([stacks.dns.node.id, stacks.platform.node.id]).toEqual(["selfhosted", "selfhosted-platform"]);
    expect(stacks.platform.dependencies).toContain(stacks.dns);
  });

  it("creates no AWS compute, network or data resource: only DNS records and health checks", () => {
    const types = [...new Set(Object.keys(dns.resource ?? {}))].sort();
    expect(types).toEqual(["aws_route53_health_check", "aws_route53_record", "aws_route53_zone"]);
    for (const json of [dns, platform]) {
      const all = Object.keys(json.resource ?? {});
      expect(all.filter((t) => /^aws_(vpc|subnet|eks|db|rds|elasticache|opensearch|docdb|cloudfront|wafv2|efs|lb|instance|nat)/.test(t))).toEqual([]);
    }
    expect(Object.keys(platform.resource ?? {}).filter((t) => t.startsWith("aws_"))).toEqual([]);
    expect(platform.provider).not.toHaveProperty("aws");
  });

  it("answers each hostname with one health-checked AAAA record per serving node (not the backup node)", () => {
    const checks = resources(dns, "aws_route53_health_check");
    expect(checks.map((c) => c.ip_address).sort()).toEqual(serving.map((n) => n.ipv6).sort());
    for (const c of checks) expect(c).toMatchObject({ type: "HTTPS", port: 443, fqdn: "lms.selfhosted.learn.example.org", resource_path: "/heartbeat", enable_sni: true });
    const records = resources(dns, "aws_route53_record");
    for (const host of ["lms", "studio", "apps.lms"].map((s) => `${s}.selfhosted.learn.example.org`)) {
      const mine = records.filter((r) => r.name === host);
      expect(mine.map((r) => r.records[0]).sort()).toEqual(serving.map((n) => n.ipv6).sort());
      for (const r of mine) expect(r).toMatchObject({ type: "AAAA", multivalue_answer_routing_policy: true, set_identifier: r.records[0] });
      expect(mine.every((r) => /aws_route53_health_check\./.test(r.health_check_id))).toBe(true);
    }
  });

  it("installs CouchDB with one replica per serving node, anti-affine, on the serving nodes", () => {
    const v = values(platform, "couchdb");
    expect(v.clusterSize).toBe(serving.length);
    expect(v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
    expect(v.nodeSelector).toEqual(selfhosted.cluster.roles.serving.labels);
    expect(v.persistentVolume.storageClass).toBe("local-path");
    expect(releases.find((r) => r.name === "couchdb")).toMatchObject({ chart: "couchdb", version: "4.6.2", namespace: expect.stringContaining("openedx-selfhosted") });
  });

  it("runs the backup CronJobs on the backup node with the configured rotation", () => {
    const jobs = (values(platform, "node-backups").resources as any[]).filter((d) => d.kind === "CronJob");
    expect(jobs.map((j) => j.metadata.name)).toEqual(["backup-couchdb", "backup-media"]);
    for (const job of jobs) {
      const pod = job.spec.jobTemplate.spec.template.spec;
      expect(pod.nodeSelector).toEqual(selfhosted.cluster.roles.backup.labels);
      expect(pod.tolerations).toEqual([{ key: "openedx.example.org/role", operator: "Equal", value: "backup", effect: "NoSchedule" }]);
      expect(job.spec.schedule).toBe(selfhosted.backups.schedule);
      const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env).toMatchObject({ KEEP_DAILY: "7", KEEP_WEEKLY: "4", KEEP_MONTHLY: "12" });
    }
  });

  it("installs the platform components that make sense on k3s and none of the AWS-only ones", () => {
    const names = releases.map((r) => r.chart).sort();
    for (const chart of ["nginx-gateway-fabric", "cert-manager", "kube-prometheus-stack", "argo-cd", "loki", "alloy", "couchdb", "raw"]) expect(names).toContain(chart);
    for (const chart of ["aws-load-balancer-controller", "cluster-autoscaler", "external-secrets", "velero", "metrics-server"]) expect(names).not.toContain(chart);
    expect(resources(platform, "kubernetes_storage_class_v1")).toEqual([]); // no EBS/EFS classes
    expect(resources(platform, "kubernetes_network_policy_v1").length).toBeGreaterThan(20);
    expect(resources(platform, "kubernetes_cluster_role_binding_v1").length).toBeGreaterThan(0);
    // The gateway is a LoadBalancer Service k3s's ServiceLB binds on the serving nodes.
    expect(values(platform, "nginx-gateway").nginx.service).toMatchObject({ type: "LoadBalancer",
      patches: [{ type: "StrategicMerge", value: { spec: { ipFamilyPolicy: "PreferDualStack" } } }] });
    // HTTP-01 through the gateway (the nodes serve the hostnames directly).
    expect(JSON.stringify(values(platform, "cluster-issuers"))).toContain("http01");
    expect(platform.provider!.kubernetes[0]).toMatchObject({ config_path: "~/.kube/openedx-selfhosted.yaml", config_context: "openedx-selfhosted" });
    expect(platform.output!["kubernetes-version"].value).toBe("1.35");
  });

  it("warns about the documentation addresses in the shipped data file", () => {
    expect(ipv6Reach(serving[0]!.ipv6)).toBe("documentation");
  });

  it.each<[string, SelfHostedEnvironmentConfig, string]>([
    ["fewer than 3 serving nodes on the production tier",
      patch((c) => ({ cluster: { ...c.cluster, nodes: c.cluster.nodes.filter((n) => n.name !== "node3") } })),
      'environment selfhosted: cluster.nodes = "2 serving node(s)" is invalid; must have at least 3 serving nodes for protection "production"'],
    ["a unique-local node address", patch((c) => ({ cluster: { ...c.cluster, nodes: [{ ...c.cluster.nodes[0]!, ipv6: "fd00::1" }, ...c.cluster.nodes.slice(1)] } })),
      'environment selfhosted: cluster.nodes[0].ipv6 = "fd00::1" is invalid; must be a global IPv6 address (2000::/3)'],
    ["a Mycelium overlay address", patch((c) => ({ cluster: { ...c.cluster, nodes: [{ ...c.cluster.nodes[0]!, ipv6: "4a1:e4b4:9f3a:1::1" }, ...c.cluster.nodes.slice(1)] } })),
      'environment selfhosted: cluster.nodes[0].ipv6 = "4a1:e4b4:9f3a:1::1" is invalid; must be a global IPv6 address (2000::/3): 400::/7 is a Mycelium overlay address'],
    ["a link-local node address", patch((c) => ({ cluster: { ...c.cluster, nodes: [{ ...c.cluster.nodes[0]!, ipv6: "fe80::1" }, ...c.cluster.nodes.slice(1)] } })),
      'environment selfhosted: cluster.nodes[0].ipv6 = "fe80::1" is invalid; must be a global IPv6 address'],
    ["a missing kubeconfig context", patch((c) => ({ cluster: { ...c.cluster, kubeconfigContext: " " } })),
      'environment selfhosted: cluster.kubeconfigContext = " " is invalid; must name a context of the kubeconfig'],
    ["an AWS network", patch(() => ({ network: environments.production.network })),
      'environment selfhosted: network = "set" is invalid; must be unset on a self-hosted environment'],
    ["AWS data stores", patch(() => ({ data: environments.production.data })),
      'environment selfhosted: data = "set" is invalid; must be unset on a self-hosted environment'],
    ["an AWS-only chart", patch((c) => ({ platform: { ...c.platform, charts: { ...c.platform.charts, clusterAutoscaler: environments.production.platform.charts.clusterAutoscaler } } })),
      'environment selfhosted: platform.charts.clusterAutoscaler = "set" is invalid; must be unset on a self-hosted environment'],
    ["Velero schedules", patch((c) => ({ platform: { ...c.platform, backupSchedules: environments.production.platform.backupSchedules } })),
      'environment selfhosted: platform.backupSchedules = "set" is invalid; must be unset on a self-hosted environment'],
    ["SES identities", patch((c) => ({ platform: { ...c.platform, app: { ...c.platform.app, sesIdentities: ["learn.example.org"] } } })),
      'environment selfhosted: platform.app.sesIdentities = ["learn.example.org"] is invalid; must be unset on a self-hosted environment'],
    ["no backup node", patch((c) => ({ cluster: { ...c.cluster, nodes: c.cluster.nodes.filter((n) => n.role === "serving") } })),
      "environment selfhosted: cluster.nodes = [\"node1 (serving)\",\"node2 (serving)\",\"node3 (serving)\"] is invalid; must include exactly one backup node"],
    ["no health checks on a Route53 production zone", patch((c) => ({ dns: { ...c.dns, healthCheckPath: undefined } })),
      'environment selfhosted: dns.healthCheckPath (missing) is invalid; must be set on a Route53 zone for protection "production"'],
    ["too few daily backups", patch((c) => ({ backups: { ...c.backups, keep: { ...c.backups.keep, daily: 3 } } })),
      'environment selfhosted: backups.keep.daily = 3 is invalid; must be at least 7 for protection "production"'],
  ])("rejects %s at synth, naming the prop", (_n, config, message) => {
    expect(() => addSelfHostedEnvironment(new App(), config)).toThrow(message);
  });

  it("accepts two serving nodes on a disposable tier", () => {
    const small = patch((c) => ({ protection: "disposable", cluster: { ...c.cluster, nodes: c.cluster.nodes.filter((n) => n.name !== "node3") } }));
    expect(values(synth(build(small).platform), "couchdb").clusterSize).toBe(2);
  });

  it("publishes plain AAAA records on Cloudflare (no health checks there)", () => {
    const cf = patch(() => ({ dns: { zone: { provider: "cloudflare", zoneId: "0123456789abcdef0123456789abcdef" }, subdomains: ["lms"] }, protection: "standard" }));
    const json = synth(build(cf).dns);
    expect(resources(json, "cloudflare_dns_record").map((r) => r.content).sort()).toEqual(serving.map((n) => n.ipv6).sort());
    expect(Object.keys(json.resource ?? {}).filter((t) => t.startsWith("aws_"))).toEqual([]);
  });
});
