import { readFileSync } from "fs";
import { join } from "path";
import { costJson, costOfPlan, costOfSynth, PRICE_TABLE_DATE, renderCostText, renderPlanCostLine } from "../../pipelines/lib/cost";
import { renderPlan } from "../../pipelines/lib/render";
import { PLANS } from "./run-action";

const meta = (path: string) => ({ "//": { metadata: { path } } });
/** A small stack whose monthly figure is computed by hand below. */
function small(extra: Record<string, Record<string, object>> = {}) {
  return {
    resource: {
      aws_eks_cluster: { c: { ...meta("s/cluster/cluster"), upgrade_policy: { support_type: "STANDARD" } } },
      aws_launch_template: { lt: { ...meta("s/cluster/lt"), block_device_mappings: [{ ebs: { volume_size: 50, volume_type: "gp3", iops: 3000, throughput: 125 } }] } },
      aws_eks_node_group: { ng: { ...meta("s/cluster/ng"), instance_types: ["m5.large"], scaling_config: { desired_size: 2, min_size: 1, max_size: 3 }, launch_template: { id: "${aws_launch_template.lt.id}" } } },
      aws_nat_gateway: { nat: { ...meta("s/network/nat"), connectivity_type: "public" } },
      aws_kms_key: { k: meta("s/mysql/key") },
      aws_db_instance: { db: { ...meta("s/mysql/primary"), engine: "mysql", instance_class: "db.t4g.medium", multi_az: true, allocated_storage: 20, storage_type: "gp3" } },
      aws_wafv2_web_acl: { w: { ...meta("s/waf/acl"), rule: [{}, {}] } },
      aws_elasticache_replication_group: { r: { ...meta("s/redis/group"), engine: "valkey", node_type: "cache.t4g.small", num_cache_clusters: 2 } },
      aws_iam_role: { role: meta("s/cluster/role") },
      aws_cloudwatch_log_group: { logs: meta("s/cluster/logs") },
      ...extra,
    },
  };
}

describe("npm run cost", () => {
  it("prices a small known stack at the hand-computed figure", () => {
    // EKS 0.10×730 = 73; nodes 2×0.096×730 = 140.16 + 2×50 GB×0.08 = 8; NAT 0.045×730 = 32.85; KMS 1;
    // RDS Multi-AZ 2×(0.065×730 + 20×0.115) = 99.50; WAF 5 + 2×1 = 7; Valkey 2×0.032×0.8×730 = 37.38.
    const c = costOfSynth("s", small());
    expect(c.total).toBe(398.89);
    expect(c.unknown).toBe(0);
    const by = (r: string) => c.lines.find((l) => l.resource === r)!;
    expect(by("aws_eks_node_group.ng").monthly).toBe(148.16);
    expect(by("aws_db_instance.db").monthly).toBe(99.5);
    expect(by("aws_eks_node_group.ng").component).toBe("cluster");
    expect(by("aws_cloudwatch_log_group.logs").kind).toBe("usage");
    expect(renderCostText([c])).toMatch(/logs .*usage-based/);
  });

  it("charges the extended-support rate when the upgrade policy says EXTENDED", () => {
    const c = costOfSynth("s", small({ aws_eks_cluster: { c: { upgrade_policy: { support_type: "EXTENDED" } } } }));
    expect(c.lines.find((l) => l.resource === "aws_eks_cluster.c")!.monthly).toBe(438);
  });

  it("reports unknown instance types and resource types, never as zero", () => {
    const c = costOfSynth("s", small({
      aws_eks_node_group: { ng: { ...meta("s/cluster/ng"), instance_types: ["x9.mega"], scaling_config: { desired_size: 2 } } },
      aws_foo_bar: { f: meta("s/foo/f") },
    }));
    expect(c.unknown).toBe(2);
    expect(c.lines.find((l) => l.resource === "aws_eks_node_group.ng")).toMatchObject({ kind: "unknown", note: expect.stringContaining("x9.mega") });
    expect(c.lines.find((l) => l.resource === "aws_foo_bar.f")).toMatchObject({ kind: "unknown", note: expect.stringContaining("aws_foo_bar") });
    const text = renderCostText([c]);
    expect(text).toMatch(/aws_eks_node_group\.ng\s+UNKNOWN\s+instance type x9\.mega/);
    expect(text).toMatch(/\+ 2 unpriced \(unknown\)/);
  });

  it("prints the price table's date and the word estimate", () => {
    expect(PRICE_TABLE_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const text = renderCostText([costOfSynth("s", small())]);
    expect(text).toContain(`price table dated ${PRICE_TABLE_DATE}`);
    expect(text).toMatch(/total s: \$398\.89\/month \(estimate\)/);
    expect(costJson([])).toMatchObject({ estimate: true, priceTableDate: PRICE_TABLE_DATE });
  });

  it("gives the plan's monthly delta and new total on a real plan fixture", () => {
    const plan = JSON.parse(readFileSync(join(PLANS, "aws-nested-modules-tf0.14.json"), "utf8"));
    // Creates: 6 × t3.nano (0.0052×730 = 3.80 each) + 1 db.t3.micro (0.017×730 + 5 GB×0.115 = 12.99);
    // the in-place db update costs the same before and after. Planned: 12 × 3.80 + 2 × 12.99.
    const c = costOfPlan(plan);
    expect(c).toEqual({ delta: 35.79, total: 71.58, unknown: 0 });
    expect(renderPlanCostLine(c)).toBe(`💰 Estimated monthly cost: +$35.79 → $71.58 for this stack — estimate, us-east-1 on-demand list prices as of ${PRICE_TABLE_DATE}, usage-based charges excluded.`);
  });

  it("puts the cost line under the summary of the plan comment", () => {
    const plan = JSON.parse(readFileSync(join(PLANS, "aws-nested-modules-tf0.14.json"), "utf8"));
    const body = renderPlan(plan, { stack: "s" }).body;
    expect(body).toMatch(/\*\*Plan: 12 to add, 1 to change\.\*\*\n\n💰 Estimated monthly cost: \+\$35\.79 → \$71\.58 for this stack — estimate/);
    expect(renderPlan(plan, { stack: "s", cost: false }).body).not.toContain("Estimated monthly cost");
  });
});
