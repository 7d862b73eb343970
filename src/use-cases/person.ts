/**
 * The person's own view (`hubday me`) and the export of everything held about one person
 * (`hubday export-person`). The export reads every table that carries `employee_id` (found in the
 * catalog), so a new workflow's records show up there without a change; `me` shows the workflow
 * tables listed in WORKFLOW_TABLES (add a new workflow's table there).
 */
import type { Deps } from './deps.js';
import { notAPartition, type Db } from '../store/db.js';
import { addDays, type LocalDate } from '../engine/dates.js';
import { hasRole, type Actor } from '../engine/org.js';
import type { Standing, WeeklyRecord } from '../engine/types.js';
import { HubdayError } from '../errors.js';
import { audited, chainOf } from './actor.js';
import { getStanding } from './get-standing.js';
import { getCompliance } from './get-compliance.js';
import { findAuditEntries } from '../store/audit.repository.js';
import { getEmployee } from '../store/employee.repository.js';
import type { AuditEntry } from '../audit/chain.js';

/** Workflow tables shown in `me`, with their labels. */
const WORKFLOW_TABLES: readonly { table: string; label: string }[] = [
  { table: 'exception_grant', label: 'exceptions' },
  { table: 'relocation', label: 'relocation' },
  { table: 'dispute', label: 'disputes' },
  { table: 'promotion', label: 'promotions' },
  { table: 'discipline_case', label: 'discipline cases' },
  { table: 'discipline_step', label: 'discipline steps' },
  { table: 'attestation', label: 'attested days' },
];

export interface AccessRecord {
  at: string;
  actor: string;
  action: string;
  what: string | null;
}

export interface MyView {
  employeeId: string;
  name: string;
  asOf: LocalDate;
  managerId: string | null;
  standing: Standing;
  weeks: WeeklyRecord[];
  /** Workflow records about the person, by table label (rows as stored, oldest first). */
  records: Record<string, Record<string, unknown>[]>;
  /** Who read or exported the person's data (other than themself), newest last. */
  accessedBy: AccessRecord[];
}

async function rowsOf(db: Db, table: string, employeeId: string): Promise<Record<string, unknown>[]> {
  const rows = await db.query<{ j: Record<string, unknown> | string }>(`SELECT to_jsonb(t) AS j FROM ${table} t WHERE employee_id = $1`, [employeeId]);
  return rows.map((r) => (typeof r.j === 'string' ? JSON.parse(r.j) : r.j) as Record<string, unknown>);
}

function accessOf(entries: readonly AuditEntry[], employeeId: string): AccessRecord[] {
  return entries
    .filter((e) => e.actor !== employeeId && (e.action === 'attendance.viewed' || e.action === 'person.exported'))
    .map((e) => ({ at: e.at, actor: e.actor, action: e.action, what: e.after ? ((JSON.parse(e.after) as { view?: string }).view ?? null) : null }));
}

/** `hubday me --as E100`: only the person themself. */
export async function getMyView(deps: Deps, actor: Actor, opts: { weeks?: number } = {}): Promise<MyView> {
  if (actor.kind !== 'person') throw new HubdayError('forbidden', '"me" needs to know who you are: --as EMPLOYEE_ID (or set HUBDAY_ACTOR)', [], 'actor_required');
  const employee = await getEmployee(deps.db, actor.id);
  if (!employee) throw new HubdayError('not_found', `no employee ${actor.id}`);
  const asOf = deps.clock.today();
  const standing = await getStanding(deps, { employeeId: actor.id, asOf });
  const weeksBack = opts.weeks ?? standing.windowWeeks;
  const compliance = await getCompliance(deps, { employeeId: actor.id, from: addDays(standing.to, -7 * weeksBack + 1), to: standing.to });
  const records: Record<string, Record<string, unknown>[]> = {};
  for (const t of WORKFLOW_TABLES) {
    records[t.label] = await rowsOf(deps.db, t.table, actor.id);
  }
  const entries = await findAuditEntries(deps.db, { subject: actor.id, limit: 100_000 });
  return {
    employeeId: employee.employeeId, name: employee.name, asOf, managerId: employee.managerId,
    standing, weeks: compliance.weeks, records, accessedBy: accessOf(entries, actor.id),
  };
}

export interface PersonExport {
  format: 'hubday.person-export/1';
  exportedAt: string;
  employeeId: string;
  /** Every row of every table that carries employee_id, by table. */
  tables: Record<string, Record<string, unknown>[]>;
  /** Messages addressed to the person. */
  outbox: Record<string, unknown>[];
  /** Audit entries about the person or made by them. */
  audit: AuditEntry[];
}

/**
 * Everything hubday holds about one person, as JSON (for a subject access request). The person
 * themself, HR and the operator may export; the export itself is audited.
 */
export async function exportPerson(deps: Deps, actor: Actor, opts: { employeeId: string }): Promise<PersonExport> {
  const id = opts.employeeId;
  await chainOf(deps.db, id);
  if (actor.kind === 'person' && actor.id !== id && !hasRole(actor, 'hr')) {
    throw new HubdayError('forbidden', `${actor.id} may not export ${id}'s data: only the person themself and HR may`, [], 'not_person_or_hr');
  }
  const tables: Record<string, Record<string, unknown>[]> = {};
  const names = await deps.db.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = 'public' AND c.column_name = 'employee_id'
       -- badge_week holds the raw events in compact form: the badge_event view shows them one per row,
       -- as weekly_compliance shows the weekly records packed in weekly_record, and presence_day
       -- the present days packed in them.
       AND (t.table_type = 'BASE TABLE' AND c.table_name NOT IN ('badge_week', 'weekly_record')
            OR c.table_name IN ('badge_event', 'weekly_compliance', 'presence_day'))
       AND ${notAPartition('c.table_name')}
     ORDER BY c.table_name`,
  );
  for (const { table_name } of names) tables[table_name] = await rowsOf(deps.db, table_name, id);
  const messages = await deps.db.query<{ j: Record<string, unknown> | string }>('SELECT to_jsonb(o) AS j FROM outbox o WHERE recipient_id = $1', [id]);
  const outbox = messages.map((r) => (typeof r.j === 'string' ? JSON.parse(r.j) : r.j) as Record<string, unknown>);
  const about = await findAuditEntries(deps.db, { subject: id, limit: 1_000_000 });
  const by = await findAuditEntries(deps.db, { actor: id, limit: 1_000_000 });
  const audit = [...new Map([...about, ...by].map((e) => [e.seq, e])).values()].sort((a, b) => a.seq - b.seq);
  const exportedAt = deps.clock.now().toISOString();
  await audited(deps, async (_tx, log) => {
    log({ actor: actor.id, action: 'person.exported', subject: id, after: { tables: Object.keys(tables).length } });
  });
  return { format: 'hubday.person-export/1', exportedAt, employeeId: id, tables, outbox, audit };
}
