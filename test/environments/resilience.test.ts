import { Testing } from "cdktf";
import { EnvironmentStack, awsEnvironments, environments } from "../../environments";
import { BootstrapStack, bootstrap } from "../../environments/bootstrap";
import { validateEnvironment } from "../../environments/validate";
import type { EnvironmentConfig } from "../../environments/config";
import { seedSlos } from "../../environments/shared";
import { appStacks, resource, resources, synth, TfJson } from "../helpers";

/**
 * Issue 16's SLO, disaster-recovery and security-baseline pieces as the real app wires them:
 * each environment's AWS Backup plan, NACLs and SLOs from its config, the account-level
 * baseline in the bootstrap stack only.
 */

const stacks = appStacks();
const { production, staging } = environments;
const release = (json: TfJson, name: string) => JSON.parse(resources(json, "helm_release").find((r) => r.name === name)!.values[0]);
const suppressed = (r: Record<string, any>) => (r["//"]?.suppressions ?? []).map((s: { id: string }) => s.id);

describe("AWS Backup per environment", () => {
  it("production: daily 35 days, monthly a year, copied to us-west-2 under its own key, both vaults locked", () => {
    const json = stacks.production!;
    const plan = resource(json, "aws_backup_plan");
    expect(plan.rule.map((r: any) => [r.rule_name, r.lifecycle.delete_after, r.copy_action?.length])).toEqual([["daily", 35, 1], ["monthly", 365, 1]]);
    const copy = resource(json, "aws_backup_vault", "copy-vault");
    expect(copy.provider).toBe("aws.backup-copy");
    expect(resource(json, "aws_kms_key", "backup/copy-key").provider).toBe("aws.backup-copy");
    expect((json.provider as any).aws.find((p: any) => p.alias === "backup-copy").region).toBe("us-west-2");
    expect(resources(json, "aws_backup_vault_lock_configuration").map((l) => [l.min_retention_days, l.max_retention_days])).toEqual([[35, 365], [35, 365]]);
    // MySQL's primary, DocumentDB's cluster and the media file system.
    expect(resource(json, "aws_backup_selection").resources).toEqual([
      expect.stringMatching(/^\$\{aws_db_instance\.mysql_primary_\w+\.arn\}$/),
      expect.stringMatching(/^\$\{aws_docdb_cluster\.documentdb_cluster_\w+\.arn\}$/),
      expect.stringMatching(/^\$\{aws_efs_file_system\.media-storage_\w+\.arn\}$/),
    ]);
  });

  it("staging: the same plan without copy or lock; sandbox: none", () => {
    expect(resource(stacks.staging!, "aws_backup_plan").rule.every((r: any) => r.copy_action === undefined)).toBe(true);
    expect(resources(stacks.staging!, "aws_backup_vault_lock_configuration")).toHaveLength(0);
    expect(resources(stacks.sandbox!, "aws_backup_plan")).toHaveLength(0);
  });

  const without = (c: EnvironmentConfig, patch: Partial<EnvironmentConfig>) => ({ ...structuredClone(c), ...patch }) as EnvironmentConfig;
  it.each<[string, EnvironmentConfig, string]>([
    ["a production tier without AWS Backup", without(production, { awsBackup: undefined }),
      'environment production: awsBackup.dailyRetentionDays (missing) is invalid; must be set, at least 30 days for protection "production"'],
    ["a production tier keeping daily points 14 days", without(production, { awsBackup: { ...production.awsBackup, dailyRetentionDays: 14 } }),
      'environment production: awsBackup.dailyRetentionDays = 14 is invalid; must be set, at least 30 days for protection "production"'],
    ["a production tier keeping monthly points 6 months", without(production, { awsBackup: { ...production.awsBackup, monthlyRetentionDays: 180 } }),
      'environment production: awsBackup.monthlyRetentionDays = 180 is invalid; must be at least 365 days for protection "production"'],
    ["a production tier without Vault Lock", without(production, { awsBackup: { ...production.awsBackup, vaultLock: false } }),
      'environment production: awsBackup.vaultLock = false is invalid; must be true for protection "production" (recovery points nobody can delete before their retention ends)'],
  ])("rejects %s", (_, config, message) => {
    expect(() => validateEnvironment(config)).toThrow(message);
  });
});

describe("NACLs per tier", () => {
  it.each(["sandbox", "staging", "production"])("%s: three NACLs; the database tier admits only the private and database tiers", (env) => {
    const json = stacks[env]!;
    expect(resources(json, "aws_network_acl")).toHaveLength(3);
    const db = resources(json, "aws_network_acl_rule").filter((r) => r.network_acl_id.includes("network-acls_database_"));
    const config = awsEnvironments[env as keyof typeof awsEnvironments]!;
    expect(db.filter((r) => !r.egress).map((r) => r.cidr_block)).toEqual([...config.network.privateSubnetCidrs, ...config.network.databaseSubnetCidrs]);
    // VPC origins: nothing but return traffic reaches the public tier from the internet.
    const publicIn = resources(json, "aws_network_acl_rule").filter((r) => r.network_acl_id.includes("network-acls_public_") && !r.egress && r.cidr_block === "0.0.0.0/0");
    expect(publicIn.map((r) => r.from_port)).toEqual([1024, 1024]);
  });

  it("carries the reasons for the accepted NACL findings on the rules themselves", () => {
    const rule = Object.values<any>(stacks.production!.resource!.aws_network_acl_rule!).find((r) => r["//"].metadata.path.endsWith("network-acls/private-in-300"));
    expect(suppressed(rule)).toEqual(["CKV_AWS_231", "AWS-0105"]);
  });
});

describe("SLOs per environment", () => {
  it("production: seed 002's four SLOs over 30 days in the Prometheus rules, counted by Alloy from the Gateway log", () => {
    const json = stacks["production-platform"]!;
    const kps = release(json, "kube-prometheus-stack");
    const groups = kps.additionalPrometheusRulesMap["openedx-slos"].groups;
    expect(groups.map((g: any) => g.name)).toEqual(seedSlos.map((s) => `slo-${s.name}`));
    expect(groups[0].rules.find((r: any) => r.record === "slo:error_budget_remaining:ratio").expr).toContain("slo:sli_error:ratio_rate30d");
    expect(kps.prometheus.prometheusSpec.retention).toBe("31d");
    const alloy: string = release(json, "alloy").alloy.configMap.content;
    expect(alloy).toContain("lms\\.learn\\.example\\.org");
    expect(alloy.match(/stage\.regex \{/g)).toHaveLength(1 + seedSlos.length);
    const dashboard = resource(json, "kubernetes_config_map_v1", "slos/dashboard");
    expect(dashboard.metadata.labels).toEqual({ grafana_dashboard: "1" });
  });

  it("staging: the same SLOs over 7 days; sandbox: none", () => {
    const groups = release(stacks["staging-platform"]!, "kube-prometheus-stack").additionalPrometheusRulesMap["openedx-slos"].groups;
    expect(groups[0].rules.find((r: any) => r.alert).expr).toContain("> (3.36 * 0.001)");
    expect(release(stacks["sandbox-platform"]!, "kube-prometheus-stack").additionalPrometheusRulesMap["openedx-slos"]).toBeUndefined();
    expect(staging.platform.slos!.windowDays).toBe(7);
  });

  it("pages through the on-call route: burn alerts are critical, slow burns warnings", () => {
    const kps = release(stacks["production-platform"]!, "kube-prometheus-stack");
    const critical = kps.alertmanager.config.route.routes.find((r: any) => r.receiver === "on-call");
    expect(critical.matchers).toEqual(['severity = "critical"']);
    const alerts = kps.additionalPrometheusRulesMap["openedx-slos"].groups.flatMap((g: any) => g.rules.filter((r: any) => r.alert));
    expect(new Set(alerts.map((a: any) => `${a.alert}:${a.labels.severity}`))).toEqual(new Set(["SloErrorBudgetBurn:critical", "SloErrorBudgetSlowBurn:warning"]));
  });
});

describe("security baseline (bootstrap stack)", () => {
  const json = stacks.bootstrap!;
  it("one multi-region trail with log-file validation, GuardDuty with EKS runtime monitoring, no Shield Advanced by default", () => {
    expect(resource(json, "aws_cloudtrail")).toMatchObject({ is_multi_region_trail: true, enable_log_file_validation: true });
    expect(resources(json, "aws_guardduty_detector_feature").find((f) => f.name === "RUNTIME_MONITORING")!.additional_configuration)
      .toEqual([{ name: "EKS_ADDON_MANAGEMENT", status: "ENABLED" }]);
    expect(resources(json, "aws_shield_subscription")).toHaveLength(0);
    expect(resource(json, "aws_ssm_document").name).toBe("SSM-SessionManagerRunShell");
  });
});

describe("Shield Advanced (optional)", () => {
  const shielded = { ...production, edge: { ...production.edge, shieldAdvanced: true } };

  it("protects the distribution and the origin NLB when the environment asks", () => {
    const json = synth(new EnvironmentStack(Testing.app(), shielded));
    expect(resources(json, "aws_shield_protection").map((p) => p.resource_arn)).toEqual([
      expect.stringMatching(/^\$\{aws_cloudfront_distribution\.cdn_/), expect.stringMatching(/^\$\{aws_lb\.origin-lb_/),
    ]);
    expect(resources(stacks.production!, "aws_shield_protection")).toHaveLength(0);
  });

  it("the bootstrap refuses protections without the account's subscription", () => {
    expect(() => new BootstrapStack(Testing.app(), bootstrap, { registry: { ...environments, production: shielded } }))
      .toThrow("bootstrap: security.shieldAdvanced = false is invalid; must be true: environment production sets edge.shieldAdvanced");
    expect(() => new BootstrapStack(Testing.app(), { ...bootstrap, security: { ...bootstrap.security, shieldAdvanced: true } }, { registry: { ...environments, production: shielded } }))
      .not.toThrow();
  });
});
