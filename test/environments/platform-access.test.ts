import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { EnvironmentConfig, addEnvironment, environments } from "../../environments";
import { policy, resource, resources, TfJson } from "../helpers";

/** Both stacks of one environment, synthesized through the app as `cdktf synth` does. */
function synthEnvironment(config: EnvironmentConfig) {
  const app = Testing.app();
  addEnvironment(app, config);
  app.synth();
  const read = (stack: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TfJson;
  return { aws: read(config.name), platform: read(`${config.name}-platform`) };
}

/** Parsed values of the Helm release named `name`. */
function values(json: TfJson, name: string): any {
  return JSON.parse(resources(json, "helm_release").find((r) => r.name === name)!.values[0]);
}

const REMOTE = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-production\.outputs\./;
const LB_HOSTNAME = /^\$\{aws_lb\.origin-lb_\w+\.dns_name\}$/;
const HOSTS = (domain: string) => ["lms", "studio", "apps.lms"].map((s) => `${s}.${domain}`);

describe("production: CloudFront origin, origin TLS and RBAC (Route53)", () => {
  const { aws, platform } = synthEnvironment(environments.production);

  it("publishes ingress.<domain> from the AWS stack as a CNAME to the origin NLB it owns; the platform stack writes no record", () => {
    const record = resource(aws, "aws_route53_record", "origin-dns");
    expect(record).toMatchObject({ name: "ingress.learn.example.org", type: "CNAME", ttl: 60, allow_overwrite: false });
    expect(record.zone_id).toContain("aws_route53_zone");
    expect(record.records).toEqual([expect.stringMatching(LB_HOSTNAME)]);
    // CloudFront's origin is this name, except while seed 002's migration runs: then it is the
    // migration ALB's, which forwards the EKS share to this NLB (edge.test.ts).
    const origin = JSON.stringify(resource(aws, "aws_cloudfront_distribution").origin);
    expect(origin).toContain(environments.production.edge.migration ? "migration.learn.example.org" : "ingress.learn.example.org");
    expect(resources(platform, "aws_route53_record")).toHaveLength(0);
    expect(platform.data?.kubernetes_service_v1).toBeUndefined();
    expect(platform.provider!.cloudflare).toBeUndefined();
  });

  it("solves DNS-01 in the Route53 zone with cert-manager's Pod Identity role, HTTP-01 as the fallback", () => {
    const issuers = values(platform, "cluster-issuers").resources;
    for (const issuer of issuers) {
      const [dns01, http01] = issuer.spec.acme.solvers;
      expect(dns01.selector).toEqual({ dnsZones: ["learn.example.org"] });
      expect(dns01.dns01.route53.region).toBe("us-east-1");
      expect(dns01.dns01.route53.hostedZoneID).toMatch(REMOTE);
      expect(http01).toEqual({ http01: { gatewayHTTPRoute: { parentRefs: [{
        group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform", namespace: expect.stringMatching(/namespaces_nginx-gateway_/), sectionName: "http",
      }] } } });
    }
    expect(values(platform, "cert-manager").serviceAccount).toEqual({ create: true, name: "cert-manager" });
  });

  it("issues a production certificate for the origin and platform hostnames that the Gateway's HTTPS listener serves", () => {
    const cert = values(platform, "ingress-default-certificate").resources[0];
    expect(cert.kind).toBe("Certificate");
    expect(cert.spec).toMatchObject({
      secretName: "ingress-default-tls",
      dnsNames: ["ingress.learn.example.org", ...HOSTS("learn.example.org")],
      issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-production" },
      privateKey: { algorithm: "RSA", size: 2048 },
    });
    const release = resources(platform, "helm_release").find((r) => r.name === "ingress-default-certificate")!;
    expect(release.namespace).toContain("namespaces_nginx-gateway");
    expect(release.depends_on).toEqual([expect.stringMatching(/cluster-issuers/)]);
    const gateway = values(platform, "platform-gateway").resources.find((d: { kind: string }) => d.kind === "Gateway");
    expect(gateway.spec.listeners[1].tls.certificateRefs).toEqual([{ group: "", kind: "Secret", name: "ingress-default-tls" }]);
    expect(resources(platform, "helm_release").find((r) => r.name === "platform-gateway")!.namespace).toContain("namespaces_nginx-gateway");
  });

  it("gives cert-manager a role limited to _acme-challenge TXT records in the zone, bound to its service account", () => {
    const role = resource(aws, "aws_iam_role", "cert-manager-dns01");
    const trust = policy(role.assume_role_policy).Statement[0].Condition.StringEquals;
    expect(trust).toMatchObject({ "aws:RequestTag/kubernetes-namespace": "cert-manager", "aws:RequestTag/kubernetes-service-account": "cert-manager" });
    expect(trust["aws:RequestTag/eks-cluster-name"]).toMatch(/^\$\{aws_eks_cluster\.cluster_\w+\.name\}$/);
    const statements = policy(resource(aws, "aws_iam_role_policy", "cert-manager-dns01").policy).Statement;
    const change = statements.find((s: any) => s.Action === "route53:ChangeResourceRecordSets");
    expect(change.Resource).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\}:route53:::hostedzone\/\$\{aws_route53_zone\.dns_zone_\w+\.zone_id\}$/);
    expect(change.Condition).toEqual({
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"], "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"] },
      "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
    });
    expect(statements.every((s: any) => s.Resource !== "*")).toBe(true);
    expect(resource(aws, "aws_eks_pod_identity_association", "cert-manager-dns01")).toMatchObject({ namespace: "cert-manager", service_account: "cert-manager" });
  });

  it("pins the Loki and Velero roles to their cluster, namespace and service account", () => {
    for (const [component, ns, sa] of [["loki", "observability", "loki"], ["velero", "velero", "velero-server"]]) {
      const trust = policy(resource(aws, "aws_iam_role", `platform-prereqs/${component}-role`).assume_role_policy).Statement[0].Condition.StringEquals;
      expect(trust["aws:RequestTag/kubernetes-namespace"]).toBe(ns);
      expect(trust["aws:RequestTag/kubernetes-service-account"]).toBe(sa);
      expect(trust["aws:RequestTag/eks-cluster-name"]).toMatch(/^\$\{aws_eks_cluster\.cluster_\w+\.name\}$/);
    }
  });

  it("maps the viewer role to the read-only group and no developer roles (Argo CD deploys production)", () => {
    const grouped = resources(aws, "aws_eks_access_entry").filter((e) => e.kubernetes_groups);
    expect(grouped.map((e) => [e.principal_arn.split("/").pop(), e.kubernetes_groups, e.type])).toEqual([["platform-viewer", ["platform-viewers"], "STANDARD"]]);
    // Grants live in Kubernetes RBAC only: no access policy for the grouped entries.
    expect(resources(aws, "aws_eks_access_policy_association").map((a) => a.principal_arn)).not.toContainEqual(expect.stringContaining("platform-viewer"));
  });

  it("binds viewers to view cluster-wide and developers to edit in the app namespace only", () => {
    const crb = Object.fromEntries(resources(platform, "kubernetes_cluster_role_binding_v1").map((b) => [b.metadata.name, b]));
    expect(crb["platform-viewers-view"]).toMatchObject({ role_ref: { kind: "ClusterRole", name: "view" }, subject: [{ kind: "Group", name: "platform-viewers" }] });
    expect(crb["platform-viewers-cluster-reader"].role_ref.name).toMatch(/kubernetes_cluster_role_v1\.rbac_cluster-reader/);
    const reader = resource(platform, "kubernetes_cluster_role_v1", "rbac/cluster-reader");
    expect(reader.rule.every((r: any) => JSON.stringify(r.verbs) === '["get","list","watch"]' && !r.resources.includes("*") && !r.resources.includes("secrets"))).toBe(true);
    expect(Object.values(crb).flatMap((b: any) => b.subject.map((s: any) => s.name))).not.toContain("platform-developers");
    const rb = resource(platform, "kubernetes_role_binding_v1");
    expect(rb).toMatchObject({ role_ref: { kind: "ClusterRole", name: "edit" }, subject: [{ kind: "Group", name: "platform-developers" }] });
    expect(rb.metadata.namespace).toContain("namespaces_openedx-prod");
  });
});

describe("sandbox: origin record and DNS-01 on Cloudflare", () => {
  const { aws, platform } = synthEnvironment(environments.sandbox);
  const zoneId = "5f1e2d3c4b5a69788796a5b4c3d2e1f0";

  it("writes a DNS-only Cloudflare CNAME (AWS stack) with the provider reading its token from the environment", () => {
    expect(aws.provider!.cloudflare).toEqual([{}]);
    expect(platform.provider!.cloudflare).toBeUndefined();
    const record = resource(aws, "cloudflare_dns_record", "origin-dns");
    expect(record).toMatchObject({ zone_id: zoneId, name: "ingress.sandbox.learn.example.org", type: "CNAME", proxied: false, ttl: 60 });
    expect(record.content).toMatch(LB_HOSTNAME);
    expect(resources(platform, "aws_route53_record")).toHaveLength(0);
    expect(resources(platform, "cloudflare_dns_record")).toHaveLength(0);
  });

  it("solves DNS-01 with the operator-created Cloudflare token Secret and needs no AWS DNS role", () => {
    const [dns01] = values(platform, "cluster-issuers").resources[1].spec.acme.solvers;
    expect(dns01).toEqual({
      selector: { dnsZones: ["sandbox.learn.example.org"] },
      dns01: { cloudflare: { apiTokenSecretRef: { name: "cloudflare-api-token", key: "api-token" } } },
    });
    expect(values(platform, "ingress-default-certificate").resources[0].spec.dnsNames).toEqual(["ingress.sandbox.learn.example.org", ...HOSTS("sandbox.learn.example.org")]);
    expect(resources(aws, "aws_iam_role").filter((r) => r._id.includes("dns01"))).toHaveLength(0);
    expect(JSON.stringify(platform)).not.toMatch(/api[_-]?token"\s*:\s*"[^$]/i);
  });

  it("maps both viewer and developer roles to their groups", () => {
    const grouped = resources(aws, "aws_eks_access_entry").filter((e) => e.kubernetes_groups);
    expect(grouped.map((e) => [e.principal_arn.split("/").pop(), e.kubernetes_groups[0]]).sort()).toEqual([
      ["openedx-developer", "platform-developers"], ["platform-viewer", "platform-viewers"],
    ]);
  });
});
