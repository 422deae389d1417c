import { GithubOidcProvider } from "../../modules/github-oidc";
import { RECOVERY_OBJECTIVES, RestoreDrillRole, restoreDrillNames } from "../../modules/restore-drill";
import { policy, resource, synth, testStack } from "../helpers";

const repository = { owner: "openedx-platform", name: "learning-platform-infra" };

function build(source = "production", target = "sandbox") {
  const { stack } = testStack("bootstrap");
  const provider = new GithubOidcProvider(stack, "gh");
  new RestoreDrillRole(stack, "drill", { provider, project: "openedx", repository, mainBranch: "main", source, target });
  return synth(stack);
}

describe("RestoreDrillRole", () => {
  it("derives every name the workflow uses from the naming helper", () => {
    expect(restoreDrillNames("openedx", "production", "sandbox")).toEqual({
      role: "openedx-bootstrap-github-restore-drill",
      sourceInstance: "openedx-production-mysql",
      sourceKeyAlias: "alias/openedx-production-mysql",
      drillInstance: "openedx-sandbox-restore-drill",
      targetSubnetGroup: "openedx-sandbox-mysql",
      targetSecurityGroup: "openedx-sandbox-mysql",
    });
    expect(RECOVERY_OBJECTIVES).toEqual({ rtoHours: 4, rpoHours: 24 });
  });

  it("is trusted by the restore-drill workflow on main in its environment, for up to 6 hours", () => {
    const role = resource(build(), "aws_iam_role");
    expect(role.max_session_duration).toBe(21600);
    expect(policy(role.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe(
      "repo:openedx-platform/learning-platform-infra:environment:restore-drill:ref:refs/heads/main:job_workflow_ref:openedx-platform/learning-platform-infra/.github/workflows/restore-drill.yml@refs/heads/main");
  });

  it("refuses to restore an environment over itself", () => {
    expect(() => build("production", "production")).toThrow('RestoreDrillRole drill: target = "production" is invalid; must differ from source (production)');
  });
});
