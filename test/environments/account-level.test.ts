import { bootstrap, environmentOrder } from "../../environments";
import { appStacks, resources, TfJson } from "../helpers";

/**
 * Resource types AWS allows once per account (or once per account and region): two
 * environments in one account would both try to create them, and the second apply fails
 * ("already exists") or silently takes the setting over. They belong to the bootstrap stack.
 */
const ACCOUNT_LEVEL_TYPES = [
  "aws_iam_service_linked_role",
  "aws_iam_account_password_policy", "aws_iam_account_alias", "aws_iam_security_token_service_preferences",
  "aws_ebs_encryption_by_default", "aws_ebs_default_kms_key", "aws_ebs_snapshot_block_public_access",
  "aws_ec2_image_block_public_access", "aws_ec2_serial_console_access", "aws_ec2_instance_metadata_defaults",
  "aws_vpc_block_public_access_options",
  "aws_s3_account_public_access_block",
  "aws_guardduty_detector", "aws_securityhub_account", "aws_macie2_account", "aws_inspector2_enabler", "aws_detective_graph",
  "aws_config_configuration_recorder", "aws_config_delivery_channel", "aws_accessanalyzer_analyzer", "aws_cloudtrail",
  "aws_account_alternate_contact", "aws_account_primary_contact", "aws_account_region",
  "aws_api_gateway_account", "aws_xray_encryption_config", "aws_ssm_service_setting", "aws_emr_block_public_access_configuration",
  "aws_ecr_registry_policy", "aws_ecr_registry_scanning_configuration", "aws_ecr_replication_configuration",
  "aws_shield_subscription",
];
/** Whole families that are account- or organization-wide. */
const ACCOUNT_LEVEL_PREFIXES = ["aws_organizations_", "aws_account_"];

/** Account-level resources in one stack: `type.name` of each. */
function accountLevel(json: TfJson): string[] {
  const found: string[] = [];
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const name of Object.keys(byName)) {
      if (ACCOUNT_LEVEL_TYPES.includes(type) || ACCOUNT_LEVEL_PREFIXES.some((p) => type.startsWith(p))) found.push(`${type}.${name}`);
    }
  }
  // An OIDC provider is per issuer URL and account: an EKS cluster's own issuer is unique to
  // the cluster (fine), any other (GitHub's) is account-level.
  for (const p of resources(json, "aws_iam_openid_connect_provider")) {
    if (!/^\$\{aws_eks_cluster\.[\w-]+\.identity\[0\]\.oidc\[0\]\.issuer\}$/.test(String(p.url))) found.push(`aws_iam_openid_connect_provider.${p._id} (${p.url})`);
  }
  return found;
}

describe("account-level resources live in the bootstrap stack only", () => {
  const stacks = appStacks();
  const environmentStacks = Object.keys(stacks).filter((s) => s !== "bootstrap");

  it("the app has every environment's two stacks", () => {
    expect(environmentStacks.sort()).toEqual(environmentOrder.flatMap((e) => [e, `${e}-platform`]).sort());
  });

  it.each(environmentOrder.flatMap((e) => [e, `${e}-platform`]))("%s creates no account-level resource", (name) => {
    expect(accountLevel(stacks[name]!)).toEqual([]);
  });

  it("the detector catches what it looks for (service-linked role, GitHub OIDC provider, account setting)", () => {
    const fake: TfJson = {
      resource: {
        aws_iam_service_linked_role: { slr: { aws_service_name: "opensearchservice.amazonaws.com" } },
        aws_iam_openid_connect_provider: {
          gh: { url: "https://token.actions.githubusercontent.com" },
          eks: { url: "${aws_eks_cluster.cluster_cluster_ABC.identity[0].oidc[0].issuer}" },
        },
        aws_ebs_encryption_by_default: { d: { enabled: true } },
      },
    };
    expect(accountLevel(fake)).toEqual([
      "aws_iam_service_linked_role.slr",
      "aws_ebs_encryption_by_default.d",
      "aws_iam_openid_connect_provider.gh (https://token.actions.githubusercontent.com)",
    ]);
  });

  it("the bootstrap stack creates the service-linked roles the environments need, and GitHub's OIDC provider", () => {
    const json = stacks.bootstrap!;
    expect(resources(json, "aws_iam_service_linked_role").map((r) => r.aws_service_name).sort())
      .toEqual(["autoscaling.amazonaws.com", "opensearchservice.amazonaws.com", "vpcorigin.cloudfront.amazonaws.com"]);
    expect([...bootstrap.serviceLinkedRoles].sort()).toEqual(["autoscaling.amazonaws.com", "opensearchservice.amazonaws.com", "vpcorigin.cloudfront.amazonaws.com"]);
    expect(resources(json, "aws_iam_openid_connect_provider").map((p) => p.url)).toEqual(["https://token.actions.githubusercontent.com"]);
  });
});
