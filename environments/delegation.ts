import { TerraformOutput } from "cdktf";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { TerraformStack } from "cdktf";
import type { Dns } from "learning-platform-infra/dns";

/** What delegation needs of an environment's AWS stack: the stack and its DNS zone. */
export type ZoneStack = TerraformStack & { readonly dns: Pick<Dns, "domain" | "zoneId" | "nameServers"> };

/** A Route53 zone an environment stack creates (not Cloudflare, not an existing zone given by id). */
function createsZone(stack: ZoneStack): boolean {
  return stack.dns.nameServers !== undefined;
}

/**
 * DNS delegation between the environments of one account, derived from their domains:
 *
 * - every stack that creates its Route53 zone outputs its name servers (`dns-name-servers`),
 *   for the registrar (the apex) or for a parent zone elsewhere;
 * - a stack whose zone is the closest parent of another environment's created zone (production's
 *   `learn.example.org` over staging's `staging.learn.example.org`) holds the NS delegation record,
 *   reading the child zone's name servers by name (same account). Without it, certificate
 *   validation in the child waits on records nobody can resolve until the job times out.
 *
 * The child is applied first in the registry's order, so its zone exists when the parent plans;
 * on the very first deploy the zones and the delegation go first (docs/first-deploy.md, "DNS").
 */
export function delegateZones(stacks: readonly ZoneStack[]): void {
  const zones = stacks.filter(createsZone);
  for (const stack of zones) {
    new TerraformOutput(stack, "dns-name-servers", {
      value: stack.dns.nameServers,
      description: `Name servers of ${stack.dns.domain}: delegate to them from the parent zone or the registrar`,
    });
  }
  for (const child of zones) {
    const parents = zones.filter((p) => p !== child && child.dns.domain.endsWith(`.${p.dns.domain}`));
    const parent = parents.sort((a, b) => b.dns.domain.length - a.dns.domain.length)[0];
    if (!parent) continue;
    const name = child.node.id;
    const zone = new DataAwsRoute53Zone(parent, `delegated-zone-${name}`, { name: child.dns.domain, privateZone: false });
    new Route53Record(parent, `delegation-${name}`, {
      zoneId: parent.dns.zoneId,
      name: child.dns.domain,
      type: "NS",
      ttl: 172800,
      records: zone.nameServers,
    });
  }
}
