import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { suppress } from "./suppress";

/**
 * Retention of CloudWatch log groups the modules create, unless configured: a year, the
 * protected tier's floor, so the default never fails that check.
 */
export const DEFAULT_LOG_RETENTION_DAYS = 365;

/** Retention below which Checkov (CKV_AWS_338) flags a log group: a year of audit history. */
export const AUDIT_LOG_RETENTION_DAYS = 365;

export interface EncryptedLogGroupProps {
  readonly name: string;
  /** A CloudWatch Logs retention period (callers validate it with `checkLogRetention`). */
  readonly retentionDays: number;
  /** ARN of a customer-managed key whose policy lets CloudWatch Logs use it (`allowCloudWatchLogs`). */
  readonly kmsKeyArn: string;
  /** What sets the retention, for the scanner suppression, e.g. `flowLogRetentionDays`. */
  readonly retentionProp: string;
  /** @default the stack's default AWS provider */
  readonly provider?: TerraformProvider;
}

/**
 * A CMK-encrypted log group with a retention, created by us before the service that writes
 * to it (so the service never creates its own, unencrypted and kept forever). Retention below
 * a year is an environment's explicit cost choice and is recorded as an accepted finding.
 * One helper for every module, so the encryption and the accepted finding are never copied.
 */
export function encryptedLogGroup(scope: Construct, id: string, props: EncryptedLogGroupProps): CloudwatchLogGroup {
  const group = new CloudwatchLogGroup(scope, id, {
    name: props.name, retentionInDays: props.retentionDays, kmsKeyId: props.kmsKeyArn, provider: props.provider,
  });
  if (props.provider) {
    suppress(group, { id: "AVD-AWS-0017", reason: "False positive: Trivy does not resolve a kms_key_id that points at a key created through an aliased provider; "
      + "the group is encrypted with that customer-managed key (Checkov CKV_AWS_158 verifies it)" });
  }
  if (props.retentionDays < AUDIT_LOG_RETENTION_DAYS) {
    suppress(group, { id: "CKV_AWS_338", reason: `${props.retentionProp} = ${props.retentionDays} is set explicitly below ${AUDIT_LOG_RETENTION_DAYS} days to cut log cost; `
      + `the production protection tier refuses it (validateEnvironment requires ${AUDIT_LOG_RETENTION_DAYS}+ days there)` });
  }
  return group;
}
