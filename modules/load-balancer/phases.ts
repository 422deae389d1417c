import { check, checkInt, checkUniqueList } from "../core/validation";

/** The two sides of the EC2 → EKS migration the load balancer splits traffic between. */
export const MIGRATION_TARGETS = ["legacy", "eks"] as const;
export type MigrationTarget = (typeof MIGRATION_TARGETS)[number];

/** One step of the traffic shift: each target's share of requests, in percent (sum 100). */
export interface MigrationPhase {
  /** Short name the config's `phase` selects, e.g. `eks-10`. */
  readonly name: string;
  /** Percent of requests per target (`legacy`, `eks`); at least one target, summing to 100. */
  readonly weights: Readonly<Record<string, number>>;
}

/** The traffic shift as config: the phases in order and the one in effect. */
export interface TrafficShiftSettings {
  /** Seed 002's steps, e.g. EKS 10 → 50 → 90 → 100 %. */
  readonly phases: readonly MigrationPhase[];
  /** Name of the phase in effect: moving to the next phase (or back) is this one line. */
  readonly phase: string;
}

/** Seed 002's phases: EKS 10 → 50 → 90 → 100 %. */
export const SEED_002_PHASES: readonly MigrationPhase[] = [10, 50, 90, 100].map((eks) => ({ name: `eks-${eks}`, weights: { legacy: 100 - eks, eks } }));

/**
 * Checks the phases (unique names; each with at least one known target; integer weights 0-100
 * summing to 100) and returns the weights of the phase in effect, for both targets.
 */
export function activeWeights(where: string, prop: string, shift: TrafficShiftSettings): Readonly<Record<MigrationTarget, number>> {
  check(shift.phases.length >= 1, where, `${prop}.phases`, shift.phases, "must list at least one phase");
  checkUniqueList(where, `${prop}.phases[].name`, shift.phases.map((p) => p.name));
  shift.phases.forEach((phase, i) => {
    const at = `${prop}.phases[${i}]`;
    check(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(phase.name), where, `${at}.name`, phase.name, "must be 1-32 lower-case letters, digits and hyphens");
    const targets = Object.keys(phase.weights);
    check(targets.length >= 1, where, `${at}.weights`, phase.weights, `must give at least one target a weight (${MIGRATION_TARGETS.join(", ")})`);
    for (const t of targets) {
      check((MIGRATION_TARGETS as readonly string[]).includes(t), where, `${at}.weights`, phase.weights,
        `names an unknown target "${t}"; the targets are ${MIGRATION_TARGETS.join(" and ")}`);
      checkInt(where, `${at}.weights.${t}`, phase.weights[t]!, 0, 100);
    }
    const sum = targets.reduce((s, t) => s + phase.weights[t]!, 0);
    check(sum === 100, where, `${at}.weights`, phase.weights, `must sum to 100 (got ${sum})`);
  });
  const active = shift.phases.find((p) => p.name === shift.phase);
  check(active !== undefined, where, `${prop}.phase`, shift.phase, `must be one of the phases (${shift.phases.map((p) => p.name).join(", ")})`);
  return { legacy: active.weights.legacy ?? 0, eks: active.weights.eks ?? 0 };
}
