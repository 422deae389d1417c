import type { ITerraformDependable } from "cdktf";
import type { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import type { Construct } from "constructs";
import type { Naming } from "./naming";

/**
 * Typed references modules hand to each other, so no module reaches into another's
 * internals. The vpc module implements NetworkRef; data and cluster modules accept it.
 */
export interface NetworkRef {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** AZ names, in config order. */
  readonly azs: readonly string[];
  readonly publicSubnetIds: readonly string[];
  /** Workload tier (EKS nodes, pods, EFS mount targets); egress through NAT. */
  readonly privateSubnetIds: readonly string[];
  /** Data tier: no route to the internet in either direction. */
  readonly databaseSubnetIds: readonly string[];
}

/**
 * What the eks-cluster module exposes to data modules (security groups) and, through
 * cross-stack references, to the platform stack.
 */
export interface ClusterRef {
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  /** Base64 certificate authority data. */
  readonly clusterCertificateAuthority: string;
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  /** Security group on every node; data stores allow their port from this group only. */
  readonly nodeSecurityGroupId: string;
  readonly clusterSecurityGroupId: string;
}

/**
 * What a certificate owner needs from a DNS zone (the dns module implements it): publish the
 * records ACM asks for so a DNS-validated certificate is issued, whichever DNS provider
 * hosts the zone.
 */
export interface CertificateDns {
  /** Apex of the zone; certificate names must be inside it. */
  readonly domain: string;
  /**
   * Creates the validation records of `certificate` (one per distinct name ACM asks for).
   * Returns the record FQDNs to wait on, when the provider reports them, and the records to
   * depend on.
   */
  addCertificateValidation(certificate: AcmCertificate): CertificateValidationRecords;
}

export interface CertificateValidationRecords {
  readonly fqdns?: string[];
  readonly records: readonly ITerraformDependable[];
}

/**
 * A customer-managed KMS key as core code sees it (the kms-key module implements it), so core
 * helpers that encrypt with a key need not import that module: core depends on no module.
 */
export interface EncryptionKeyRef {
  readonly keyArn: string;
}

/** What core asks of a key it creates (a subset of the kms-key module's props). */
export interface EncryptionKeySpec {
  readonly naming: Naming;
  /** Component the key protects (its alias). */
  readonly component: string;
  readonly description: string;
  /** Let CloudWatch Logs use the key for this account's log groups. */
  readonly allowCloudWatchLogs?: boolean;
}

/** Creates a key in `scope`; the kms-key module's `KmsKey` class is one (pass the class itself). */
export type EncryptionKeyFactory = new (scope: Construct, id: string, spec: EncryptionKeySpec) => EncryptionKeyRef;
