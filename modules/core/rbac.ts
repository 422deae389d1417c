import { check, checkUniqueList } from "./validation";

/**
 * Kubernetes groups that EKS access entries put human IAM roles in (AWS stack) and that the
 * platform stack's RoleBindings grant (`view` cluster-wide, `edit` in the app namespace).
 * Both sides read the names from here, like `PLATFORM_SERVICE_ACCOUNTS`.
 */
export const PLATFORM_GROUPS = {
  viewers: "platform-viewers",
  developers: "platform-developers",
} as const;

/** Prefixes EKS reserves: access entries reject `kubernetes_groups` that start with them. */
export const RESERVED_GROUP_PREFIXES = ["system:", "eks:", "aws:", "amazon:", "iam:"] as const;

const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;

/** Throws unless every entry is an IAM role ARN or a role name in this account, without repeats. */
export function checkIamRoles(where: string, prop: string, roles: readonly string[], min: number): void {
  checkUniqueList(where, prop, roles, min);
  for (const role of roles) {
    check(typeof role === "string" && (role.startsWith("arn:") ? ROLE_ARN_RE.test(role) : ROLE_NAME_RE.test(role)), where, prop, role,
      "must be IAM role ARNs (arn:aws:iam::<account>:role/<name>) or role names in this account");
  }
}

/** The role's ARN: an ARN as given, a name as a role of `accountId`. */
export function iamRoleArn(role: string, partition: string, accountId: string): string {
  return role.startsWith("arn:") ? role : `arn:${partition}:iam::${accountId}:role/${role}`;
}

/** Throws unless `group` is a Kubernetes group name EKS access entries accept. */
export function checkKubernetesGroup(where: string, prop: string, group: string): void {
  check(typeof group === "string" && /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,62}$/.test(group) && !RESERVED_GROUP_PREFIXES.some((p) => group.startsWith(p)),
    where, prop, group, `must be a group name of letters, digits and : . _ @ - (at most 63 characters), not starting with ${RESERVED_GROUP_PREFIXES.join(" ")}`);
}
