import { Construct } from "constructs";
import { Fn, TerraformIterator, Token } from "cdktf";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import type { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import { checkDnsName, checkIpv6, isWithinDomain } from "../core/dns";
import { suppress } from "../core/suppress";
import { CertificateDns, CertificateValidationRecords } from "../core/types";
import { check, checkInt, checkOneOf, checkUniqueList } from "../core/validation";

/** Where a zone can be hosted (the `provider` of DnsZoneConfig). */
export const DNS_PROVIDERS = ["route53", "cloudflare"] as const;

/** Where the environment's zone is hosted. */
export type DnsZoneConfig =
  /** A Route53 hosted zone: created here, or an existing one by id (delegated elsewhere). */
  | {
      readonly provider: "route53";
      /** @default none (a new hosted zone is created) */
      readonly existingZoneId?: string;
    }
  /**
   * A Cloudflare zone (external registrar DNS, seed 000). The provider reads its API token
   * from `CLOUDFLARE_API_TOKEN`; it never appears in code or config.
   */
  | { readonly provider: "cloudflare"; readonly zoneId: string };

/** What the hostnames resolve to. */
export type DnsTarget =
  /** The CloudFront distribution (alias records on Route53, a CNAME on Cloudflare). */
  | { readonly kind: "cloudfront"; readonly domainName: string; readonly hostedZoneId: string }
  /** Seed 003's self-hosted nodes: DNS round-robin over their IPv6 addresses. */
  | {
      readonly kind: "nodes";
      readonly ipv6: readonly string[];
      /**
       * Route53 only: a health check per node and one multivalue AAAA record per node and
       * hostname, so a node that fails its check drops out of the answers.
       * @default undefined: one plain AAAA record set per hostname (every node, always)
       */
      readonly healthCheck?: NodeHealthCheck;
    };

/** An HTTPS check of each node's gateway, as Route53 health checkers (IPv6 capable) run it. */
export interface NodeHealthCheck {
  /** Host name sent as SNI and Host header, e.g. `lms.learn.example.org`. */
  readonly hostname: string;
  /** Path that answers 2xx/3xx when the node serves, e.g. `/heartbeat` (Open edX). */
  readonly path: string;
}

export interface DnsProps {
  /** Apex of the zone, e.g. `learn.example.org`. */
  readonly domain: string;
  readonly zone: DnsZoneConfig;
  /**
   * TTL of the hostname records. Short so a node replacement takes effect within minutes.
   * @default 60
   */
  readonly ttl?: number;
}

const ROUTE53_ZONE_ID_RE = /^Z[A-Z0-9]{1,31}$/;
const CLOUDFLARE_ZONE_ID_RE = /^[0-9a-f]{32}$/;

/**
 * The environment's authoritative DNS on Route53 or Cloudflare: ACM validation records and
 * the platform hostnames, pointed at CloudFront or at self-hosted nodes (round-robin AAAA).
 *
 * Choices where the seeds leave gaps:
 * - Seed 002's weighted migration is not done in DNS: a weighted record's legacy share would
 *   bypass CloudFront and its WAF. The weights live on the migration ALB behind CloudFront
 *   (modules/load-balancer), so the hostnames always point at CloudFront.
 * - Records on Cloudflare are DNS-only (not proxied): CloudFront and the self-hosted nodes
 *   terminate TLS themselves, and a second proxy would break certificate validation and WAF
 *   client-IP rate limiting.
 */
export class Dns extends Construct implements CertificateDns {
  public readonly domain: string;
  public readonly provider: DnsZoneConfig["provider"];
  /** Route53 hosted zone id or Cloudflare zone id. */
  public readonly zoneId: string;
  /** Name servers to delegate to at the registrar (a Route53 zone created here only). */
  public readonly nameServers?: string[];
  private readonly ttl: number;
  private readonly where: string;
  /** Certificates validated in the zone so far (each gets its own record set). */
  private certificates = 0;

  constructor(scope: Construct, id: string, props: DnsProps) {
    super(scope, id);
    this.where = `Dns ${id}`;
    checkDnsName(this.where, "domain", props.domain);
    this.domain = props.domain;
    this.ttl = props.ttl ?? 60;
    checkInt(this.where, "ttl", this.ttl, 30, 86400);
    // Anything but "cloudflare" would otherwise fall through to the Route53 branch below.
    checkOneOf(this.where, "zone.provider", props.zone.provider, DNS_PROVIDERS);
    this.provider = props.zone.provider;

    const zone = props.zone;
    if (zone.provider === "cloudflare") {
      check(typeof zone.zoneId === "string" && CLOUDFLARE_ZONE_ID_RE.test(zone.zoneId), this.where, "zone.zoneId", zone.zoneId,
        "a Cloudflare zone needs its 32-character hexadecimal zone id (dashboard → the zone → Overview → Zone ID)");
      this.zoneId = zone.zoneId;
    } else if (zone.existingZoneId !== undefined) {
      check(ROUTE53_ZONE_ID_RE.test(zone.existingZoneId), this.where, "zone.existingZoneId", zone.existingZoneId,
        "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ");
      this.zoneId = zone.existingZoneId;
    } else {
      const created = new Route53Zone(this, "zone", { name: props.domain, comment: `${props.domain} (platform hostnames)` });
      suppress(created,
        { id: "CKV2_AWS_38", reason: "DNSSEC signing needs the DS record published at the registrar in the same change window; it is an operator runbook step, not something to switch on from a plan" },
        { id: "CKV2_AWS_39", reason: "Public-zone query logs record only resolver addresses for every lookup (high volume, little signal); CloudFront access logs and WAF logs record every request to these hostnames" });
      this.zoneId = created.zoneId;
      this.nameServers = created.nameServers;
    }
  }

  public addCertificateValidation(certificate: AcmCertificate): CertificateValidationRecords {
    // The first certificate keeps the original id (its records' addresses stay), later ones are numbered.
    const id = this.certificates++ === 0 ? "certificate-validation" : `certificate-validation-${this.certificates}`;
    // One record per domain ACM asks about, keyed by domain name (known at plan).
    const dvo = TerraformIterator.fromComplexList(certificate.domainValidationOptions, "domain_name");
    if (this.provider === "cloudflare") {
      const record = new DnsRecord(this, id, {
        forEach: dvo,
        zoneId: this.zoneId,
        // Cloudflare stores names and targets without the trailing dot ACM gives.
        name: Fn.trimsuffix(dvo.getString("resource_record_name"), "."),
        type: dvo.getString("resource_record_type"),
        content: Fn.trimsuffix(dvo.getString("resource_record_value"), "."),
        ttl: 60,
        proxied: false,
        comment: "ACM DNS validation",
      });
      return { records: [record] };
    }
    const record = new Route53Record(this, id, {
      forEach: dvo,
      zoneId: this.zoneId,
      name: dvo.getString("resource_record_name"),
      type: dvo.getString("resource_record_type"),
      records: [dvo.getString("resource_record_value")],
      ttl: 60,
      // ACM reuses the same validation record for a name across certificates (renewals, replacements).
      allowOverwrite: true,
    });
    return { fqdns: Token.asList(TerraformIterator.fromResources(record).pluckProperty("fqdn")), records: [record] };
  }

  /** Points each hostname at `target`. */
  public pointHostnames(hostnames: readonly string[], target: DnsTarget): void {
    checkUniqueList(this.where, "hostnames", hostnames);
    for (const [i, h] of hostnames.entries()) {
      checkDnsName(this.where, `hostnames[${i}]`, h);
      check(isWithinDomain(h, this.domain) && h !== this.domain, this.where, `hostnames[${i}]`, h, `must be a name inside the zone ${this.domain} (not its apex)`);
    }
    let healthChecks: string[] | undefined;
    if (target.kind === "nodes") {
      checkUniqueList(this.where, "selfHostedNodes", target.ipv6);
      target.ipv6.forEach((ip, i) => checkIpv6(this.where, `selfHostedNodes[${i}]`, ip));
      if (target.healthCheck && this.provider === "route53") healthChecks = this.nodeHealthChecks(target.ipv6, target.healthCheck);
    }
    for (const host of hostnames) {
      const id = host.slice(0, -(this.domain.length + 1)).replace(/\./g, "-");
      if (this.provider === "cloudflare") {
        this.cloudflareRecords(id, host, target);
      } else {
        this.route53Records(id, host, target, healthChecks);
      }
    }
  }

  /** One HTTPS health check per node address (its construct id from the address, stable when nodes are added or removed). */
  private nodeHealthChecks(ipv6: readonly string[], hc: NodeHealthCheck): string[] {
    checkDnsName(this.where, "healthCheck.hostname", hc.hostname);
    checkHealthPath(this.where, hc.path);
    return ipv6.map((ip) => new Route53HealthCheck(this, `node-${ip.replace(/:/g, "-")}`, {
      type: "HTTPS", ipAddress: ip, port: 443, fqdn: hc.hostname, enableSni: true, resourcePath: hc.path,
      requestInterval: 30, failureThreshold: 3, tags: { Name: `${hc.hostname} on ${ip}` },
    }).id);
  }

  private route53Records(id: string, host: string, target: DnsTarget, healthChecks?: readonly string[]): void {
    if (target.kind === "nodes" && healthChecks) {
      // Multivalue answers: up to 8 healthy records per query, each node in or out on its own.
      target.ipv6.forEach((ip, i) => new Route53Record(this, `${id}-aaaa-${ip.replace(/:/g, "-")}`, {
        zoneId: this.zoneId, name: host, type: "AAAA", ttl: this.ttl, records: [ip],
        setIdentifier: ip, multivalueAnswerRoutingPolicy: true, healthCheckId: healthChecks[i],
      }));
      return;
    }
    if (target.kind === "nodes") {
      new Route53Record(this, `${id}-aaaa`, { zoneId: this.zoneId, name: host, type: "AAAA", ttl: this.ttl, records: [...target.ipv6] });
      return;
    }
    // Alias records: free queries, and the distribution serves IPv4 and IPv6.
    for (const type of ["A", "AAAA"]) {
      new Route53Record(this, `${id}-${type.toLowerCase()}`, {
        zoneId: this.zoneId,
        name: host,
        type,
        alias: { name: target.domainName, zoneId: target.hostedZoneId, evaluateTargetHealth: false },
      });
    }
  }

  private cloudflareRecords(id: string, host: string, target: DnsTarget): void {
    if (target.kind === "nodes") {
      // One AAAA record per node: Cloudflare keeps each value as its own record.
      target.ipv6.forEach((ip, i) => new DnsRecord(this, `${id}-aaaa-${i}`, {
        zoneId: this.zoneId, name: host, type: "AAAA", content: ip, ttl: this.ttl, proxied: false, comment: "self-hosted node (round-robin)",
      }));
      return;
    }
    new DnsRecord(this, `${id}-cname`, {
      zoneId: this.zoneId, name: host, type: "CNAME", content: target.domainName, ttl: this.ttl, proxied: false, comment: "CloudFront edge",
    });
  }
}

function checkHealthPath(where: string, path: string): void {
  check(/^\/[A-Za-z0-9._~/-]*$/.test(path) && path.length <= 255, where, "healthCheck.path", path, "must be an absolute URL path such as /heartbeat (at most 255 characters)");
}
