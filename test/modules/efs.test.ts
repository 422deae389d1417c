import { SharedFileSystem, SharedFileSystemProps } from "../../modules/efs";
import { policy, resource, resources, synth, testStack, testNetwork } from "../helpers";

const network = testNetwork();
const base: Omit<SharedFileSystemProps, "naming"> = {
  component: "media",
  network,
  allowFrom: [{ securityGroupId: "sg-nodes", description: "EKS nodes" }],
  accessPoints: { media: { path: "/openedx/media" } },
};

function build(overrides: Partial<SharedFileSystemProps> = {}) {
  const { stack, naming } = testStack();
  const fs = new SharedFileSystem(stack, "media", { naming, ...base, ...overrides });
  return { fs, json: synth(stack) };
}

describe("efs", () => {
  const { fs, json } = build();

  it("encrypts with a rotating CMK, elastic throughput, IA tiering", () => {
    const efs = resource(json, "aws_efs_file_system");
    expect(efs).toMatchObject({ encrypted: true, performance_mode: "generalPurpose", throughput_mode: "elastic", creation_token: "openedx-test-media" });
    expect(efs.kms_key_id).toMatch(/aws_kms_key\.media_key/);
    expect(efs.lifecycle_policy).toEqual([{ transition_to_ia: "AFTER_30_DAYS" }, { transition_to_primary_storage_class: "AFTER_1_ACCESS" }]);
    expect(resource(json, "aws_kms_key").enable_key_rotation).toBe(true);
  });

  it("puts a mount target in every private subnet behind its own security group", () => {
    const targets = resources(json, "aws_efs_mount_target");
    expect(targets.map((t) => t.subnet_id)).toEqual(["priv-a", "priv-b", "priv-c"]);
    expect(targets.map((t) => t._id).join()).toMatch(/mount-us-east-1a.*mount-us-east-1b.*mount-us-east-1c/);
    for (const t of targets) expect(t.security_groups[0]).toMatch(/aws_security_group\.media_sg/);
    expect(fs.mountTargetIds).toHaveLength(3);
  });

  it("allows NFS only from the given security groups", () => {
    const rules = resources(json, "aws_vpc_security_group_ingress_rule");
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ referenced_security_group_id: "sg-nodes", ip_protocol: "tcp", from_port: 2049, to_port: 2049 });
    expect(rules[0]!.cidr_ipv4).toBeUndefined();
    expect(resource(json, "aws_security_group").ingress).toBeUndefined();
  });

  it("names its security group by prefix, so a create-before-destroy replacement cannot collide with the old group", () => {
    const sg = resource(json, "aws_security_group");
    expect(sg.lifecycle).toEqual({ create_before_destroy: true });
    expect(sg.name).toBeUndefined();
    expect(sg.name_prefix).toMatch(/-media-efs-$/);
  });

  it("pins the access point to a non-root identity and directory", () => {
    const ap = resource(json, "aws_efs_access_point");
    expect(ap.posix_user).toEqual({ uid: 1000, gid: 1000 });
    expect(ap.root_directory).toEqual({ path: "/openedx/media", creation_info: { owner_uid: 1000, owner_gid: 1000, permissions: "0750" } });
    expect(fs.accessPointIds.media).toMatch(/\$\{TfToken/);
  });

  it("refuses non-TLS and non-mount-target access and grants no client root", () => {
    const statements = policy(resource(json, "aws_efs_file_system_policy").policy).Statement;
    const allow = statements.find((s) => s.Effect === "Allow");
    expect(allow.Action).toEqual(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]);
    expect(allow.Condition).toEqual({ Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } });
    expect(statements.find((s) => s.Effect === "Deny").Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });

  it("backs up by default and only turns backups off when asked", () => {
    expect(resource(json, "aws_efs_backup_policy").backup_policy).toEqual({ status: "ENABLED" });
    const off = build({ backups: false, transitionToIaDays: 0 }).json;
    expect(resource(off, "aws_efs_backup_policy").backup_policy).toEqual({ status: "DISABLED" });
    expect(resource(off, "aws_efs_file_system").lifecycle_policy).toEqual([{ transition_to_primary_storage_class: "AFTER_1_ACCESS" }]);
    expect(resource(build({ transitionToIaDays: 1 }).json, "aws_efs_file_system").lifecycle_policy[0]).toEqual({ transition_to_ia: "AFTER_1_DAY" });
  });

  it.each<[string, Partial<SharedFileSystemProps>, RegExp]>([
    ["no allowed clients", { allowFrom: [] }, /SharedFileSystem media: allowFrom = \[\] is invalid; must list at least 1 client/],
    ["subnets not matching AZs", { network: { ...network, privateSubnetIds: ["priv-a"] } }, /network.privateSubnetIds = 1 is invalid; must have one subnet per AZ \(3\)/],
    ["no access points", { accessPoints: {} }, /accessPoints = \[\] is invalid; must define at least one access point/],
    ["a relative path", { accessPoints: { media: { path: "openedx/media" } } }, /accessPoints.media.path = "openedx\/media" is invalid; must be an absolute directory path/],
    ["a path escaping upwards", { accessPoints: { media: { path: "/openedx/../etc" } } }, /accessPoints.media.path = "\/openedx\/..\/etc" is invalid/],
    ["the root directory", { accessPoints: { media: { path: "/" } } }, /accessPoints.media.path = "\/" is invalid/],
    ["a root uid", { accessPoints: { media: { path: "/m", uid: 0 } } }, /accessPoints.media.uid = 0 is invalid; must be an integer from 1/],
    ["a root gid", { accessPoints: { media: { path: "/m", gid: 0 } } }, /accessPoints.media.gid = 0 is invalid/],
    ["a bad mode", { accessPoints: { media: { path: "/m", permissions: "rwx" } } }, /accessPoints.media.permissions = "rwx" is invalid; must be an octal mode/],
    ["an unsupported IA transition", { transitionToIaDays: 45 as never }, /transitionToIaDays = 45 is invalid; must be one of 0, 1, 7/],
  ])("rejects %s", (_, overrides, message) => {
    const { stack, naming } = testStack();
    expect(() => new SharedFileSystem(stack, "media", { naming, ...base, ...overrides })).toThrow(message);
  });
});
