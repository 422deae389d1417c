import { check } from "./validation";

/** A parsed IPv4 CIDR block: first address and prefix length. */
export interface Ipv4Block {
  readonly cidr: string;
  readonly start: number;
  readonly prefix: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`, or returns undefined when it is not a well-formed network address. */
export function parseCidr(cidr: string): Ipv4Block | undefined {
  const m = CIDR_RE.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const start = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (start % size !== 0) return undefined; // host bits set: 10.0.1.0/16 is not a network
  return { cidr, start, prefix, size };
}

/** Parses or throws a ValidationError naming the prop. */
export function requireCidr(where: string, prop: string, cidr: string, minPrefix = 0, maxPrefix = 32): Ipv4Block {
  const block = parseCidr(cidr);
  check(block !== undefined, where, prop, cidr, "must be an IPv4 network in CIDR notation with no host bits set, e.g. 10.0.0.0/16");
  check(block!.prefix >= minPrefix && block!.prefix <= maxPrefix, where, prop, cidr, `must have a prefix length from /${minPrefix} to /${maxPrefix}`);
  return block!;
}

export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.start < b.start + b.size && b.start < a.start + a.size;
}

export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.start >= outer.start && inner.start + inner.size <= outer.start + outer.size;
}

/** Throws if any two of the named blocks overlap, naming both. */
export function checkNoOverlap(where: string, blocks: ReadonlyArray<{ prop: string; block: Ipv4Block }>): void {
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = blocks[i]!;
      const b = blocks[j]!;
      check(!overlaps(a.block, b.block), where, a.prop, a.block.cidr, `must not overlap ${b.prop} (${b.block.cidr})`);
    }
  }
}
