import { z } from 'zod';
import {
  type ChangeRecord,
  changeSchema,
  type HealthCheck,
  type HostedZone,
  healthCheckSchema,
  hostedZoneSchema,
} from './model.ts';

const savedStateSchema = z.object({
  zones: z.array(hostedZoneSchema),
  changes: z.array(changeSchema),
  healthChecks: z.array(healthCheckSchema),
  zoneCallerReferences: z.array(z.string()),
  deletedHealthCheckCallerReferences: z.array(z.string()),
  changeSequence: z.number(),
});
type SavedState = z.infer<typeof savedStateSchema>;

/** Everything Route 53 remembers: hosted zones with their records, changes, health checks. */
export class Route53State {
  /** In creation order, which is the order ListHostedZones answers in. */
  readonly zones = new Map<string, HostedZone>();
  readonly changes = new Map<string, ChangeRecord>();
  /** In creation order, which is the order ListHealthChecks answers in. */
  readonly healthChecks = new Map<string, HealthCheck>();
  /** Every caller reference a hosted zone was ever created with: Route 53 refuses to reuse one. */
  readonly zoneCallerReferences = new Set<string>();
  /** Caller references of deleted health checks: reusing one is HealthCheckAlreadyExists. */
  readonly deletedHealthCheckCallerReferences = new Set<string>();
  changeSequence = 0;

  save(): SavedState {
    return {
      zones: [...this.zones.values()],
      changes: [...this.changes.values()],
      healthChecks: [...this.healthChecks.values()],
      zoneCallerReferences: [...this.zoneCallerReferences],
      deletedHealthCheckCallerReferences: [...this.deletedHealthCheckCallerReferences],
      changeSequence: this.changeSequence,
    };
  }

  restore(raw: unknown): void {
    const parsed = savedStateSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`route53 state: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    }
    const saved = parsed.data;
    this.zones.clear();
    this.changes.clear();
    this.healthChecks.clear();
    for (const z of saved.zones) this.zones.set(z.id, z);
    for (const c of saved.changes) this.changes.set(c.id, c);
    for (const h of saved.healthChecks) this.healthChecks.set(h.id, h);
    this.zoneCallerReferences.clear();
    for (const r of saved.zoneCallerReferences) this.zoneCallerReferences.add(r);
    this.deletedHealthCheckCallerReferences.clear();
    for (const r of saved.deletedHealthCheckCallerReferences) this.deletedHealthCheckCallerReferences.add(r);
    this.changeSequence = saved.changeSequence;
  }
}
