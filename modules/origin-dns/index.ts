import { Construct } from "constructs";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import { checkDnsName, isWithinDomain } from "../core/dns";
import { check, checkInt, checkOneOf } from "../core/validation";
import { DNS_PROVIDERS } from "../dns";

/** The zone the record goes in: a Route53 hosted zone id (often a cross-stack reference) or a Cloudflare zone id. */
export interface OriginZone {
  readonly provider: (typeof DNS_PROVIDERS)[number];
  readonly zoneId: string;
}

export interface OriginDnsProps {
  /** The name CloudFront connects to (`edge.originHostname`, e.g. `ingress.learn.example.org`). */
  readonly hostname: string;
  /** Apex of `zone`; `hostname` must be inside it. */
  readonly domain: string;
  readonly zone: OriginZone;
  /** DNS name of the ingress load balancer (the origin NLB the AWS stack owns, modules/origin-lb). */
  readonly target: string;
  /**
   * Names CloudFront serves (their records point at CloudFront); the origin name must not be
   * one of them, or CloudFront would forward requests to itself.
   * @default []
   */
  readonly reservedHostnames?: readonly string[];
  /**
   * TTL of the record: short, so a replaced load balancer is picked up within a minute.
   * @default 60
   */
  readonly ttl?: number;
}

/**
 * The CloudFront origin's DNS name (`edge.originHostname`) as a CNAME to the ingress NLB,
 * written by the AWS stack next to the NLB it creates (modules/origin-lb). For the internal
 * NLB it resolves to private addresses: CloudFront keeps it as the VPC origin's domain, and the
 * origin certificate (DNS-01) names it.
 *
 * Why a Terraform record rather than external-dns: this is one static name, and the rest of
 * the zone is already Terraform's (the Dns module in the AWS stack). Keeping it in Terraform
 * means one owner per zone, every change visible in a reviewed plan, no controller holding
 * write access to the production zone (or a Cloudflare token in the cluster) for one record,
 * and no TXT ownership records. The NLB and the record change in the same plan.
 *
 * A CNAME (not an alias) works the same on Route53 and Cloudflare, and CloudFront resolves
 * it like any origin name. Cloudflare records are DNS-only: CloudFront must reach the NLB
 * itself, not a Cloudflare proxy. Existing records are never overwritten.
 */
export class OriginDns extends Construct {
  /** The record's name. */
  public readonly hostname: string;

  constructor(scope: Construct, id: string, props: OriginDnsProps) {
    super(scope, id);
    const where = `OriginDns ${id}`;
    const { hostname, domain, zone } = props;
    const ttl = props.ttl ?? 60;
    checkDnsName(where, "domain", domain);
    checkDnsName(where, "hostname", hostname);
    check(isWithinDomain(hostname, domain) && hostname !== domain, where, "hostname", hostname,
      `must be a name inside the zone ${domain} (not its apex: a CNAME cannot sit at the apex)`);
    check(!(props.reservedHostnames ?? []).includes(hostname), where, "hostname", hostname,
      `must differ from the hostnames CloudFront serves (${(props.reservedHostnames ?? []).join(", ")}); CloudFront would send requests back to itself`);
    // Any other spelling would fall through to the Route53 branch below.
    checkOneOf(where, "zone.provider", zone.provider, DNS_PROVIDERS);
    check(typeof zone.zoneId === "string" && zone.zoneId.length > 0, where, "zone.zoneId", zone.zoneId, "must be the zone's id");
    checkInt(where, "ttl", ttl, 30, 86400);
    this.hostname = hostname;

    if (zone.provider === "cloudflare") {
      new DnsRecord(this, "record", {
        zoneId: zone.zoneId, name: hostname, type: "CNAME", content: props.target, ttl, proxied: false,
        comment: "CloudFront origin: the platform Gateway NLB (AWS stack, origin-lb)",
      });
    } else {
      new Route53Record(this, "record", {
        zoneId: zone.zoneId, name: hostname, type: "CNAME", ttl, records: [props.target], allowOverwrite: false,
      });
    }
  }
}
