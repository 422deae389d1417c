/**
 * Which synthesized stacks a change touches: a stack is affected when its `cdk.tf.json`
 * differs between base and head (ignoring cdktf's `//` metadata, which carries construct
 * paths and versions but no infrastructure), when it is new, or when it depends on an
 * affected stack (cross-stack outputs can change its plan without changing its JSON).
 */
import { existsSync, readFileSync, readdirSync } from "fs";
import { join } from "path";

export interface SynthOutput {
  /** Stack name → canonical JSON of its configuration. */
  readonly stacks: ReadonlyMap<string, string>;
  /** Stack name → names of the stacks it depends on (cdktf manifest). */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
}

/** Reads a cdktf output directory (`cdktf.out`, holding `stacks/<name>/cdk.tf.json`). */
export function readSynthOutput(dir: string): SynthOutput {
  const stacksDir = join(dir, "stacks");
  if (!existsSync(stacksDir)) throw new Error(`${dir} is not a cdktf output directory (no stacks/ in it); run cdktf synth first`);
  const stacks = new Map<string, string>();
  for (const name of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (!existsSync(file)) continue;
    stacks.set(name, canonical(JSON.parse(readFileSync(file, "utf8"))));
  }
  const dependencies = new Map<string, readonly string[]>();
  const manifest = join(dir, "manifest.json");
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, "utf8")) as { stacks?: Record<string, { dependencies?: string[] }> };
    for (const [name, s] of Object.entries(m.stacks ?? {})) dependencies.set(name, s.dependencies ?? []);
  }
  return { stacks, dependencies };
}

/** JSON with sorted keys and without cdktf's "//" metadata blocks. */
export function canonical(value: unknown): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if (k !== "//") out[k] = strip((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(strip(value));
}

export interface Affected {
  /** Affected stacks of head, dependencies first (the order to plan and apply them). */
  readonly stacks: readonly string[];
  /** Stacks in base that head no longer has (their resources would need a destroy by hand). */
  readonly removed: readonly string[];
  /** Stacks left out by `exclude`. */
  readonly excluded: readonly string[];
}

/** Affected stacks; with no base every stack of head is affected. */
export function affectedStacks(head: SynthOutput, base: SynthOutput | undefined, exclude: readonly string[] = []): Affected {
  const changed = new Set<string>();
  for (const [name, json] of head.stacks) {
    if (!base || base.stacks.get(name) !== json) changed.add(name);
  }
  // Dependents of a changed stack are affected too, transitively.
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, deps] of head.dependencies) {
      if (head.stacks.has(name) && !changed.has(name) && deps.some((d) => changed.has(d))) {
        changed.add(name);
        grew = true;
      }
    }
  }
  const ordered = topological([...head.stacks.keys()], head.dependencies).filter((s) => changed.has(s));
  return {
    stacks: ordered.filter((s) => !exclude.includes(s)),
    removed: base ? [...base.stacks.keys()].filter((s) => !head.stacks.has(s)) : [],
    excluded: ordered.filter((s) => exclude.includes(s)),
  };
}

/** Names ordered so that every stack comes after its dependencies; ties by name. */
function topological(names: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (n: string) => {
    if (state.get(n) === "done") return;
    if (state.get(n) === "visiting") throw new Error(`stack dependency cycle through ${n}`);
    state.set(n, "visiting");
    for (const d of [...(deps.get(n) ?? [])].sort()) if (names.includes(d)) visit(d);
    state.set(n, "done");
    out.push(n);
  };
  for (const n of [...names].sort()) visit(n);
  return out;
}

/** The environment a stack belongs to: `production-platform` → `production`. */
export function environmentOf(stack: string): string {
  return stack.replace(/-platform$/, "");
}
