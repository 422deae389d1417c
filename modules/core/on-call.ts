import { SecretKeyRef, checkSecretKeyRef } from "./sso";
import { check } from "./validation";

/** Paging services the alarm topic and Alertmanager can deliver to. */
export const ON_CALL_KINDS = ["pagerduty", "opsgenie", "webhook"] as const;
export type OnCallKind = (typeof ON_CALL_KINDS)[number];

/**
 * An HTTPS paging endpoint whose URL and key live in one Secrets Manager secret, created by
 * the operators (the URL embeds the integration key, so it is a credential). The secret's
 * JSON value has:
 * - `url`: the HTTPS endpoint SNS subscribes (PagerDuty's Amazon CloudWatch/SNS integration
 *   URL, Opsgenie's Amazon SNS integration URL, or a webhook that confirms SNS subscriptions);
 * - `key`: what Alertmanager needs: the PagerDuty Events API v2 routing key, the Opsgenie API
 *   key, or (webhook) the Slack-compatible incoming-webhook URL.
 */
export interface OnCallEndpoint {
  readonly kind: OnCallKind;
  /** Name of the Secrets Manager secret holding `{"url": ..., "key": ...}`. */
  readonly secretName: string;
}

/** Who gets paged: e-mail addresses and/or one HTTPS endpoint. */
export interface OnCallTarget {
  /**
   * Addresses subscribed to the alarm topic (each confirms once by e-mail).
   * @default []
   */
  readonly emails?: readonly string[];
  /**
   * Paging endpoint (SNS subscription; Alertmanager's critical route).
   * @default none
   */
  readonly endpoint?: OnCallEndpoint;
}

const EMAIL_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

/** Validates an on-call target; the endpoint must be a secret *name*, never a URL or key. */
export function checkOnCall(where: string, prop: string, target: OnCallTarget): void {
  (target.emails ?? []).forEach((e, i) => check(EMAIL_RE.test(e), where, `${prop}.emails[${i}]`, e, "must be an e-mail address"));
  const endpoint = target.endpoint;
  if (endpoint) {
    check((ON_CALL_KINDS as readonly string[]).includes(endpoint.kind), where, `${prop}.endpoint.kind`, endpoint.kind, `must be one of ${ON_CALL_KINDS.join(", ")}`);
    checkSecretKeyRef(where, `${prop}.endpoint`, { secretName: endpoint.secretName, key: "url" });
  }
}

/** True when the target reaches somebody. */
export function hasOnCall(target: OnCallTarget | undefined): boolean {
  return !!target && ((target.emails?.length ?? 0) > 0 || target.endpoint !== undefined);
}

/** The two keys of an endpoint secret, as SecretKeyRefs. */
export function endpointKeys(endpoint: OnCallEndpoint): { readonly url: SecretKeyRef; readonly key: SecretKeyRef } {
  return { url: { secretName: endpoint.secretName, key: "url" }, key: { secretName: endpoint.secretName, key: "key" } };
}
