/** `hubday role …`, `hubday me`, `hubday export-person`. */
import type { Command } from 'commander';
import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HubdayError } from '../../errors.js';
import { actorCommand, intArg, type CliContext } from '../context.js';
import { grantRole, listRoles, revokeRole } from '../../use-cases/roles.js';
import { exportPerson, getMyView } from '../../use-cases/person.js';
import { presentStanding, presentWeeklyRecord } from '../../presenters/records.js';
import { table } from '../format.js';

/** A compact one-line rendering of a stored workflow row (ids, state, dates; never free text). */
function rowLine(r: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (v === null || v === undefined || k === 'employee_id' || typeof v === 'object') continue;
    if (/reason|note|text|body/.test(k)) continue;
    parts.push(`${k}=${String(v)}`);
  }
  return parts.join(' ');
}

export function registerPeopleCommands(program: Command, ctx: CliContext): void {
  const role = program.command('role').description('company-wide roles: hr (runs cases, reads all), analyst (aggregates only), admin (grants roles)');
  for (const [verb, fn, done, noop] of [
    ['grant', grantRole, 'granted', 'already held'],
    ['revoke', revokeRole, 'revoked', 'was not held'],
  ] as const) {
    actorCommand(role.command(`${verb} <employee> <role>`).description(`${verb} a role (admins and the store operator only; audited)`))
      .action(async (employeeId: string, r: string, o: { as?: string; json?: boolean }) => {
        const res = await ctx.withActor(o.as, (deps, actor) => fn(deps, actor, { employeeId, role: r }));
        if (o.json) ctx.json({ employeeId, role: r, changed: res.changed });
        else ctx.io.out(res.changed ? `${r} ${done} ${verb === 'grant' ? 'to' : 'from'} ${employeeId}` : `${employeeId}: ${r} ${noop}; nothing changed`);
      });
  }
  role.command('list').description('who holds which role').option('--json', 'print as JSON').action(async (o: { json?: boolean }) => {
    const list = await ctx.withDeps((deps) => listRoles(deps));
    if (o.json) return ctx.json(list);
    if (list.length === 0) return ctx.io.out('no roles granted (grant one: hubday role grant EMPLOYEE hr)');
    ctx.io.out(table(['employee', 'role', 'granted by', 'granted at'], list.map((g) => [g.employeeId, g.role, g.grantedBy, g.grantedAt.slice(0, 19).replace('T', ' ')])));
  });

  actorCommand(
    program
      .command('me')
      .description('your own view: recent weeks, standing, exceptions, cases, disputes, and who has read your data (--as YOU)')
      .option('--weeks <n>', 'how many recent weeks to show (default: the standing window)'),
  ).action(async (o: { as?: string; json?: boolean; weeks?: string }) => {
    const weeks = o.weeks === undefined ? undefined : intArg('--weeks', o.weeks, 1, 260);
    const v = await ctx.withActor(o.as, (deps, actor) => getMyView(deps, actor, { weeks }));
    if (o.json) {
      return ctx.json({
        employeeId: v.employeeId, name: v.name, asOf: v.asOf, managerId: v.managerId, standing: presentStanding(v.standing),
        weeks: v.weeks.map(presentWeeklyRecord), records: v.records, accessedBy: v.accessedBy,
      });
    }
    const s = v.standing;
    ctx.io.out(`${v.employeeId} ${v.name}, as of ${v.asOf}`);
    ctx.io.out(s.counted === 0
      ? `standing: no week counted in the last ${s.windowWeeks} weeks (good standing)`
      : `standing: ${s.goodStanding ? 'good' : 'NOT good'} — ${s.measure === 'weeks' ? `${s.compliant} of ${s.counted} counted weeks compliant` : `${s.presentDays} of ${s.requiredDays} required days`}, ratio ${s.ratio!.toFixed(3)} (needs ${s.minRatio})${s.tier ? `, tier ${s.tier}` : ''}`);
    ctx.io.out('');
    ctx.io.out(table(['week', 'status', 'required', 'present', 'why'], v.weeks.map((w) => [w.week, w.status, w.required, w.present, w.explanation]), new Set([2, 3])));
    for (const [label, rows] of Object.entries(v.records)) {
      ctx.io.out('');
      ctx.io.out(`${label}: ${rows.length === 0 ? 'none' : rows.length}`);
      for (const r of rows) ctx.io.out(`  ${rowLine(r)}`);
    }
    ctx.io.out('');
    if (v.accessedBy.length === 0) ctx.io.out('nobody else has read your attendance');
    else {
      ctx.io.out(`who has read your data (${v.accessedBy.length}):`);
      ctx.io.out(table(['at (UTC)', 'who', 'what'], v.accessedBy.slice(-50).map((a) => [a.at.slice(0, 19).replace('T', ' '), a.actor, a.action === 'person.exported' ? 'exported everything' : a.what])));
    }
  });

  actorCommand(
    program
      .command('export-person <employee>')
      .description('everything hubday holds about one person, as JSON (the person themself or HR; audited)')
      .option('--out <file>', 'write to this file instead of standard output'),
  ).action(async (employeeId: string, o: { as?: string; out?: string }) => {
    // A path that cannot be written is refused before anything is read (and audited).
    if (o.out) checkWritable(o.out);
    const data = await ctx.withActor(o.as, (deps, actor) => exportPerson(deps, actor, { employeeId }));
    const text = JSON.stringify(data, null, 2);
    if (o.out) {
      const tmp = `${o.out}.partial`;
      try {
        writeFileSync(tmp, text + '\n');
        renameSync(tmp, o.out);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new HubdayError('invalid_usage', `--out ${o.out}: cannot write the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      ctx.io.err(`wrote ${Object.values(data.tables).reduce((n, rows) => n + rows.length, 0)} records from ${Object.keys(data.tables).length} tables and ${data.audit.length} audit entries to ${o.out}`);
    } else ctx.io.out(text);
  });
}

/** Refuses an --out path whose folder is missing or not writable, or which is a folder itself. */
function checkWritable(file: string): void {
  const dir = dirname(file);
  let problem: string | null = null;
  try {
    if (!statSync(dir).isDirectory()) problem = `${dir} is not a folder`;
    else accessSync(dir, constants.W_OK);
    if (problem === null && statSync(file, { throwIfNoEntry: false })?.isDirectory()) problem = 'it is a folder';
  } catch (e) {
    problem = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `the folder ${dir} does not exist` : `the folder ${dir} is not writable`;
  }
  if (problem !== null) throw new HubdayError('invalid_usage', `--out ${file}: ${problem}`);
}
