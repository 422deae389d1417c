import { check } from "./validation";

/**
 * A key of a secret in AWS Secrets Manager: the name (not ARN, not the value) of a secret the
 * operators create out of band, and the JSON key inside it. Config names where a credential
 * lives, never the credential, so it cannot reach Git, the synthesized stack or state.
 */
export interface SecretKeyRef {
  /** Secrets Manager secret name, e.g. `openedx-production-argocd-sso`. */
  readonly secretName: string;
  /** Key inside the secret's JSON value, e.g. `clientSecret`. */
  readonly key: string;
}

/** An OpenID Connect client registered with the organisation's identity provider. */
export interface OidcClient {
  /** Issuer URL (https), e.g. `https://login.example.org/realms/platform`. */
  readonly issuer: string;
  readonly clientId: string;
  /** Where the client secret lives (synced into the cluster by External Secrets). */
  readonly clientSecret: SecretKeyRef;
  /** Groups (the `groups` claim) given admin. At least one. */
  readonly adminGroups: readonly string[];
  /**
   * Groups given read-only access.
   * @default [] (nobody else)
   */
  readonly readOnlyGroups?: readonly string[];
}

const SECRET_NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const JSON_KEY_RE = /^[A-Za-z0-9_.-]{1,128}$/;

/** An https URL with a host; http would send tokens and client secrets in the clear. */
export function checkHttpsUrl(where: string, prop: string, value: string): void {
  check(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s]*)?$/.test(value ?? ""), where, prop, value,
    "must be an https:// URL (tokens and client secrets must never travel in the clear)");
}

/**
 * A Secrets Manager secret *name* and key. A URL, an ARN or something that looks like a
 * credential is rejected: config holds where the secret is, never its value.
 */
export function checkSecretKeyRef(where: string, prop: string, ref: SecretKeyRef | undefined): void {
  check(ref !== undefined, where, prop, ref, "must name a Secrets Manager secret and key: { secretName, key }");
  const name = ref!.secretName ?? "";
  check(SECRET_NAME_RE.test(name) && !/^(arn:|https?:)/i.test(name) && !name.includes("://"), where, `${prop}.secretName`, name,
    "must be the name of a Secrets Manager secret (letters, digits, /_+=.@-), not an ARN, a URL or the secret's value");
  check(JSON_KEY_RE.test(ref!.key ?? ""), where, `${prop}.key`, ref!.key, "must be a JSON key inside the secret, e.g. clientSecret");
}

/** Validates an OIDC client from config. */
export function checkOidcClient(where: string, prop: string, sso: OidcClient): void {
  checkHttpsUrl(where, `${prop}.issuer`, sso.issuer);
  check(/^[A-Za-z0-9._:/@-]{1,255}$/.test(sso.clientId ?? ""), where, `${prop}.clientId`, sso.clientId, "must be an OIDC client id (1-255 characters, no spaces)");
  checkSecretKeyRef(where, `${prop}.clientSecret`, sso.clientSecret);
  const groups = [...sso.adminGroups, ...(sso.readOnlyGroups ?? [])];
  check(sso.adminGroups.length > 0, where, `${prop}.adminGroups`, sso.adminGroups, "must list at least one group");
  for (const g of groups) {
    check(/^[A-Za-z0-9 _./@:-]{1,255}$/.test(g), where, `${prop} group`, g, "must be a group name of letters, digits, spaces and _./@:- (it is written into an RBAC CSV and a JMESPath expression)");
  }
}
