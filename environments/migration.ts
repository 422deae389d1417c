import { Construct } from "constructs";
import { DEFAULT_LEGACY_HEALTH_CHECK_PATH, DEFAULT_LEGACY_PORT, LegacyService, LegacyServiceSettings } from "learning-platform-infra/auto-scaling";
import { MigrationLoadBalancer, MigrationLoadBalancerSettings } from "learning-platform-infra/load-balancer";
import { OriginDns, OriginZone } from "learning-platform-infra/origin-dns";
import type { OriginLoadBalancer, OriginSource } from "learning-platform-infra/origin-lb";
import type { AlarmTarget } from "learning-platform-infra/core/alarms";
import type { Naming } from "learning-platform-infra/core/naming";
import type { CertificateDns, NetworkRef } from "learning-platform-infra/core/types";
import type { AccessLogsBucket } from "learning-platform-infra/load-balancer";

/**
 * Seed 002's EC2 → EKS migration, behind CloudFront and its WAF: the phases and their weights,
 * the legacy service, and the name CloudFront reaches the migration load balancer by.
 */
export interface MigrationConfig extends MigrationLoadBalancerSettings {
  /**
   * Name CloudFront connects to while the migration runs (e.g. `migration.<domain>`): a private
   * record to the internal ALB, and the name on its certificate. Not one of the platform hostnames.
   */
  readonly originHostname: string;
  /** The legacy EC2 service (seed 002's "EC2 Auto Scaling" source). */
  readonly legacy: LegacyServiceSettings;
}

export interface MigrationWiring {
  readonly naming: Naming;
  readonly network: NetworkRef;
  readonly domain: string;
  readonly zone: OriginZone;
  readonly certificateDns: CertificateDns;
  readonly source: OriginSource;
  readonly origin: OriginLoadBalancer;
  readonly logsBucket: AccessLogsBucket;
  readonly alarms: AlarmTarget;
  readonly deletionProtection: boolean;
  /** The platform hostnames, which the migration's origin name must not be. */
  readonly reservedHostnames: readonly string[];
}

/** What the environment stack keeps of the migration. */
export interface Migration {
  readonly loadBalancer: MigrationLoadBalancer;
  readonly legacy: LegacyService;
  readonly dns: OriginDns;
}

/**
 * Composes the migration: the weighted ALB (EKS share through the origin NLB), the legacy Auto
 * Scaling group in its target group, and the private record CloudFront's VPC origin resolves.
 */
export function addMigration(scope: Construct, config: MigrationConfig, w: MigrationWiring): Migration {
  const loadBalancer = new MigrationLoadBalancer(scope, "migration-lb", {
    ...config,
    naming: w.naming, network: w.network, hostname: config.originHostname, dns: w.certificateDns, source: w.source,
    eks: { loadBalancerArnSuffix: w.origin.arnSuffix, securityGroupId: w.origin.securityGroupId, subnetIds: w.network.privateSubnetIds },
    legacy: { port: config.legacy.port ?? DEFAULT_LEGACY_PORT, healthCheckPath: config.legacy.healthCheckPath ?? DEFAULT_LEGACY_HEALTH_CHECK_PATH },
    logsBucket: w.logsBucket, alarms: w.alarms, deletionProtection: w.deletionProtection,
  });
  const legacy = new LegacyService(scope, "legacy", {
    ...config.legacy,
    naming: w.naming, subnetIds: w.network.privateSubnetIds,
    securityGroupId: loadBalancer.legacySecurityGroup.securityGroupId, targetGroupArns: [loadBalancer.legacyTargetGroupArn],
  });
  const dns = new OriginDns(scope, "migration-dns", {
    hostname: config.originHostname, domain: w.domain, zone: w.zone, target: loadBalancer.dnsName, reservedHostnames: w.reservedHostnames,
  });
  return { loadBalancer, legacy, dns };
}
