// What an audit row records (AuditLog), shared by the app's reader and the desk's JSON contract.

/** The facts of one audit row, apart from its time (a Date in the app, ISO text in the desk). */
export interface AuditFacts {
  id: string;
  actorOpenId: string;
  action: string;
  entity: string;
  entityId: string | null;
  decision: string;
  reason: string | null;
  before: string | null;
  after: string | null;
}
