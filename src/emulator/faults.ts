// Fault injection for the Open API side (per route) and the push side (duplicates, unreachable bot).
import type { FaultInjector, RouteFault } from './types.ts';
import { mulberry32 } from './rng.ts';

interface Rule {
  pattern: RegExp | string;
  method?: string;
  fault: RouteFault;
  remaining: number;
  /** with `fault.perTarget`: calls so far per target */
  calls: Map<string, number>;
  /** with `fault.perTarget` and no seed set: the seed its draws use */
  unseeded?: number;
}

/** FNV-1a: a 32-bit seed from a string (the per-target draws). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export type FaultDecision = { kind: 'none'; latencyMs: number } | { kind: '5xx'; latencyMs: number } | { kind: '429'; latencyMs: number; resetSeconds: number } | { kind: 'drop'; latencyMs: number; afterEffect: boolean };

export class Faults implements FaultInjector {
  private rules: Rule[] = [];
  private rng: () => number = Math.random;
  private seedValue: number | undefined;
  duplicates = 0;
  calendarGranted = true;
  unreachable = false;
  readonly revokedScopes = new Set<string>();

  route(pattern: RegExp | string, fault: RouteFault, method?: string): void {
    const rule: Rule = { pattern, fault, remaining: fault.times ?? Number.POSITIVE_INFINITY, calls: new Map() };
    if (method) rule.method = method.toUpperCase();
    this.rules.push(rule);
  }

  duplicateDeliveries(n: number): void {
    this.duplicates = Math.max(0, Math.floor(n));
  }

  calendarPermission(granted: boolean): void {
    this.calendarGranted = granted;
  }

  botUnreachable(unreachable: boolean): void {
    this.unreachable = unreachable;
  }

  scope(scope: string, granted: boolean): void {
    if (granted) this.revokedScopes.delete(scope);
    else this.revokedScopes.add(scope);
  }

  seed(seed: number): void {
    this.rng = mulberry32(seed);
    this.seedValue = seed;
  }

  reset(): void {
    this.rules = [];
    this.duplicates = 0;
    this.calendarGranted = true;
    this.unreachable = false;
    this.revokedScopes.clear();
    this.rng = Math.random;
    this.seedValue = undefined;
  }

  /**
   * Decide what happens to one Open API call. Consumes one use of each matching rule. `target`:
   * what a `perTarget` rule draws by (the message's receive_id; the path when absent).
   */
  decide(method: string, path: string, target?: string): FaultDecision {
    let latencyMs = 0;
    let outcome: FaultDecision = { kind: 'none', latencyMs: 0 };
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.method && rule.method !== method.toUpperCase()) continue;
      const hit = typeof rule.pattern === 'string' ? path.includes(rule.pattern) : rule.pattern.test(path);
      if (!hit) continue;
      rule.remaining -= 1;
      const f = rule.fault;
      latencyMs += f.latencyMs ?? 0;
      if (outcome.kind !== 'none') continue;
      const rng = f.perTarget ? this.targetRng(rule, target ?? path) : this.rng;
      if (f.drop !== undefined && rng() < f.drop) outcome = { kind: 'drop', latencyMs: 0, afterEffect: f.dropAfterEffect ?? false };
      else if (f.error5xx !== undefined && rng() < f.error5xx) outcome = { kind: '5xx', latencyMs: 0 };
      else if (f.rateLimit429 !== undefined && rng() < f.rateLimit429) outcome = { kind: '429', latencyMs: 0, resetSeconds: f.resetSeconds ?? 1 };
    }
    return { ...outcome, latencyMs };
  }

  /** The n-th call to `target` under `rule` draws from its own stream: seed, target, n (unseeded: a seed drawn once per rule). */
  private targetRng(rule: Rule, target: string): () => number {
    const n = rule.calls.get(target) ?? 0;
    rule.calls.set(target, n + 1);
    rule.unseeded ??= Math.floor(Math.random() * 2 ** 32);
    return mulberry32(hash32(`${this.seedValue ?? rule.unseeded}:${target}:${n}`));
  }
}
