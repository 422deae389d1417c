import { SessionManager, instanceStatements, sessionManagerNames } from "../../modules/session-manager";
import { policy, resource, resources, synth, testStack } from "../helpers";

function build(idleTimeoutMinutes?: number) {
  const { stack, naming } = testStack("bootstrap");
  new SessionManager(stack, "ssm", { naming, logRetentionDays: 365, idleTimeoutMinutes });
  return { stack, json: synth(stack) };
}

describe("SessionManager", () => {
  const { stack, json } = build();

  it("encrypts sessions with its own key and records them in an encrypted log group", () => {
    const doc = resource(json, "aws_ssm_document");
    expect(doc).toMatchObject({ name: "SSM-SessionManagerRunShell", document_type: "Session" });
    const inputs = JSON.parse(doc.content).inputs;
    expect(inputs).toMatchObject({ cloudWatchLogGroupName: "/aws/ssm/openedx-sessions", cloudWatchEncryptionEnabled: true, idleSessionTimeout: "20", runAsEnabled: false });
    expect(inputs.kmsKeyId).toMatch(/aws_kms_key\.ssm_key_/);
    expect(resource(json, "aws_cloudwatch_log_group").kms_key_id).toMatch(/aws_kms_key\.ssm_key_/);
    // Instance roles find the key by this alias, without a cross-stack reference.
    expect(resource(json, "aws_kms_alias").name).toBe(sessionManagerNames("openedx").keyAlias);
  });

  it("lets operators start sessions only on tagged instances, and end only their own", () => {
    const p = policy(resource(json, "aws_iam_policy").policy);
    expect(resource(json, "aws_iam_policy").name).toBe("openedx-session-manager-operator");
    const start = p.Statement.find((s) => s.Sid === "StartOnTaggedInstances");
    expect(start.Condition).toEqual({ StringEquals: { "ssm:resourceTag/SessionManagerAccess": "true" } });
    expect(p.Statement.find((s) => s.Sid === "OwnSessions").Resource).toMatch(/:session\/\$\{aws:userid\}-\*$/);
    expect(p.Statement.flatMap((s) => [].concat(s.Action))).not.toContain("ssm:SendCommand");
  });

  it("gives instances the agent's channels, not AmazonSSMManagedInstanceCore's parameter reads", () => {
    const s = instanceStatements("openedx", stack);
    expect(s.flatMap((x) => [].concat(x.Action as never))).not.toContain("ssm:GetParameter");
    expect(s.find((x) => x.Sid === "SessionManagerKey")!.Condition).toEqual({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/openedx-bootstrap-session-manager" } });
    expect(resources(json, "aws_iam_role_policy_attachment")).toHaveLength(0);
  });

  it("rejects an idle timeout Session Manager does not accept", () => {
    expect(() => build(90)).toThrow("SessionManager ssm: idleTimeoutMinutes = 90 is invalid; must be an integer from 1 to 60");
  });
});
