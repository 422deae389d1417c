import { check } from "./validation";

/** A lower-case DNS name of two or more labels (RFC 1035 letters, digits, hyphens; 253 characters at most). */
export const DNS_NAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** One DNS label (RFC 1123): what Kubernetes requires of namespace and object names. */
export const DNS_LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Throws a ValidationError unless `value` is a lower-case DNS name such as `lms.learn.example.org`. */
export function checkDnsName(where: string, prop: string, value: string): void {
  check(typeof value === "string" && DNS_NAME_RE.test(value), where, prop, value,
    "must be a lower-case DNS name of letters, digits and hyphens such as lms.learn.example.org");
}

/** True when `value` is `name` itself or a name inside it (`lms.example.org` is inside `example.org`). */
export function isWithinDomain(value: string, domain: string): boolean {
  return value === domain || value.endsWith(`.${domain}`);
}

/**
 * True for a textual IPv6 address in hex-group form, full or `::`-compressed
 * (`2001:db8::10`), without a zone index or prefix length. Node addresses are global
 * unicast, so the IPv4-embedded forms are not accepted.
 */
export function isIpv6(value: string): boolean {
  if (typeof value !== "string" || !/^[0-9a-fA-F:]{2,39}$/.test(value)) return false;
  const halves = value.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

/** Throws a ValidationError unless `value` is an IPv6 address. */
export function checkIpv6(where: string, prop: string, value: string): void {
  check(isIpv6(value), where, prop, value, "must be an IPv6 address such as 2001:db8::10");
}

/** The first 16-bit group of an IPv6 address (`isIpv6` must hold). */
function firstGroups(value: string): number[] {
  const [head = "", tail] = value.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((g) => parseInt(g, 16));
}

/**
 * Where an IPv6 address is reachable from: `global` (global unicast, 2000::/3), `documentation`
 * (2001:db8::/32, RFC 3849: examples only), `mycelium` (400::/7: Mycelium overlay addresses,
 * reachable only from Mycelium peers), or `non-global` (link-local, unique-local, loopback,
 * multicast, IPv4-mapped and the rest).
 */
export function ipv6Reach(value: string): "global" | "documentation" | "mycelium" | "non-global" {
  const [a = 0, b = 0] = firstGroups(value);
  if (a === 0x2001 && b === 0x0db8) return "documentation";
  if ((a & 0xe000) === 0x2000) return "global";
  if ((a & 0xfe00) === 0x0400) return "mycelium";
  return "non-global";
}
