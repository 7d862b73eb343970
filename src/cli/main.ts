/**
 * The `hubday` command line: parse, call a use case, present. Exit codes:
 * 0 ok, 1 failure, 2 bad usage or bad input.
 */
import { Command, CommanderError } from 'commander';
import { resolveStoreConfig, openDb } from '../store/open-db.js';
import { migrate } from '../store/migrate.js';
import type { Db } from '../store/db.js';
import { systemClock, type Deps } from '../use-cases/deps.js';
import { HubdayError, EXIT_CODES, formatProblem } from '../errors.js';
import { parseIsoWeek, addDays } from '../engine/dates.js';
import { importFile, IMPORT_KINDS, type ImportKind } from '../use-cases/import-file.js';
import { applyPolicyAs, listPolicyVersions } from '../use-cases/apply-policy.js';
import { evaluateWeeks } from '../use-cases/evaluate-weeks.js';
import { evaluateChanged } from '../use-cases/evaluate-changed.js';
import { viewCompliance, viewStanding, viewTeam } from '../use-cases/view-attendance.js';
import { runDemo } from '../use-cases/run-demo.js';
import { policyToDocument } from '../engine/policy.js';
import { presentCompliance, presentStanding, presentTeam } from '../presenters/records.js';
import { table, int, pct, seconds } from './format.js';
import { terminalProgress } from './progress.js';
import { type Io, type CliContext, dateArg, intArg, AS_FLAGS, AS_HELP } from './context.js';
import { resolveActor } from '../use-cases/actor.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerPeopleCommands } from './commands/people.js';
import { registerOutboxCommands } from './commands/outbox.js';
import { registerPromotionCommands } from './commands/promotion.js';
import { registerDisciplineCommands } from './commands/discipline.js';
import { registerExceptionCommands } from './commands/exception.js';
import { registerRelocationCommands } from './commands/relocation.js';
import { registerDisputeCommands } from './commands/dispute.js';

function json(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  let db: Db | null = null;
  const program = new Command();
  const withDeps = async <T>(fn: (deps: Deps) => Promise<T>): Promise<T> => {
    const config = resolveStoreConfig({ dataFlag: program.opts().data as string | undefined, env: io.env, cwd: io.cwd });
    try {
      db = await openDb(config);
    } catch (e) {
      throw new HubdayError('store_unavailable', `cannot open the store (${config.kind === 'postgres' ? 'DATABASE_URL' : config.dataDir}): ${(e as Error).message}`);
    }
    await migrate(db);
    return fn({ db, clock: systemClock, log: (l) => io.err(l), progress: terminalProgress() });
  };

  const ctx: CliContext = {
    io,
    withDeps,
    withActor: (as, fn) => withDeps(async (deps) => fn(deps, await resolveActor(deps, as ?? io.env.HUBDAY_ACTOR))),
    json: (value) => json(io, value),
  };

  program
    .name('hubday')
    .description('Return-to-office policy engine: badge and HR data in, exact and explainable weekly compliance out.')
    .option('--data <dir>', 'embedded store folder (default: $HUBDAY_DATA or ./hubday-data; DATABASE_URL selects PostgreSQL)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Exit codes: 0 ok, 1 failure, 2 bad usage or bad input (file:line:column: reason).

Examples:
  hubday demo                                   a synthetic company in ./hubday-data
  hubday import badges badges.csv --skip-invalid rejects.csv
  hubday evaluate --from 2026-08-24 --to 2026-11-22
  hubday compliance E100 --from 2026-11-01 --to 2026-11-30 --json
  hubday team M1 --week 2026-W47 --indirect`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const imp = program.command('import').description('import a CSV file (offices, employees, badges, leave, holidays)');
  for (const kind of IMPORT_KINDS) {
    imp
      .command(`${kind} <file>`)
      .description(`import ${kind} from a CSV file with a header row${kind === 'badges' ? ' ("-" reads standard input); deduplicated by event_id' : ''}`)
      .option('--skip-invalid <file>', 'write rejected rows with their reasons to this file and import the rest')
      .option('--json', 'print the summary as JSON')
      .action(async (file: string, o: { skipInvalid?: string; json?: boolean }) => {
        const s = await withDeps((deps) => importFile(deps, { kind: kind as ImportKind, file, skipInvalid: o.skipInvalid }));
        if (o.json) json(io, s);
        else {
          const parts = kind === 'badges' ? [`${int(s.new)} new`, `${int(s.duplicate)} duplicate`] : [`${int(s.new)} new`, `${int(s.updated)} updated`];
          io.out(`imported ${kind} from ${s.file}: ${parts.join(', ')}, ${int(s.rejected)} rejected (${int(s.rows)} rows)`);
          if (s.rejectsFile && s.rejected > 0) io.out(`rejected rows and their reasons: ${s.rejectsFile}`);
          if (s.rows === 0) io.out('the file has a header but no data rows: nothing to import');
        }
      });
  }

  const pol = program.command('policy').description('policies: versioned, effective-dated, scoped');
  pol
    .command('apply <file>')
    .description('add a policy version from a JSON file (an existing id gets a new version); audited')
    .option(AS_FLAGS, AS_HELP)
    .option('--json', 'print the stored policy as JSON')
    .action(async (file: string, o: { as?: string; json?: boolean }) => {
      const r = await ctx.withActor(o.as, (deps, actor) => applyPolicyAs(deps, actor, { file }));
      if (o.json) json(io, r.document);
      else io.out(`applied policy ${r.policy.id} version ${r.policy.version} (effective from ${r.policy.effectiveFrom})${r.supersedes ? `; supersedes version ${r.supersedes} from that date` : ''}${
        r.laterVersions.map((v) => `; version ${v.version} still governs from ${v.effectiveFrom} (its effectiveFrom is later)`).join('')}`);
    });
  pol
    .command('list')
    .description('list every policy version')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await withDeps((deps) => listPolicyVersions(deps));
      if (o.json) json(io, list.map(policyToDocument));
      else io.out(table(['id', 'version', 'effective from', 'days/week', 'rule', 'scope'], list.map((p) => [
        p.id, p.version, p.effectiveFrom, p.daysPerWeek, p.holidayRule,
        Object.entries(p.scope).filter(([, v]) => v.length > 0).map(([k, v]) => `${k}=${v.join('|')}`).join(' ') || 'everyone',
      ])));
    });

  program
    .command('evaluate')
    .description('(re)compute presence days and weekly compliance for every ISO week overlapping the range, or with --changed only the weeks that late badge events touched')
    .option('--from <date>', 'first date (YYYY-MM-DD)')
    .option('--to <date>', 'last date (YYYY-MM-DD)')
    .option('--changed', 're-evaluate only the (employee, week) pairs whose badge data changed since they were evaluated')
    .option('--json', 'print the summary as JSON')
    .action(async (o: { from?: string; to?: string; changed?: boolean; json?: boolean }) => {
      const started = Date.now();
      let s: Awaited<ReturnType<typeof evaluateWeeks>> & { pairs?: number };
      if (o.changed) {
        if (o.from || o.to) throw new HubdayError('invalid_usage', '--changed takes no --from or --to');
        s = await withDeps((deps) => evaluateChanged(deps));
      } else {
        const from = dateArg('--from', o.from);
        const to = dateArg('--to', o.to);
        s = await withDeps((deps) => evaluateWeeks(deps, { from, to }));
      }
      if (o.json) return json(io, { ...s, seconds: (Date.now() - started) / 1000 });
      if (o.changed && s.pairs === 0) return io.out('nothing changed since the last evaluation');
      io.out(o.changed
        ? `re-evaluated ${int(s.pairs ?? 0)} changed employee-weeks (${int(s.employees)} employees, ${s.from} to ${s.to}) in ${seconds(Date.now() - started)}`
        : `evaluated ${s.weeks} week${s.weeks === 1 ? '' : 's'} (${s.from} to ${s.to}) for ${int(s.employees)} employees: ${int(s.records)} weekly records, ${int(s.presenceDays)} presence days from ${int(s.events)} badge events in ${seconds(Date.now() - started)}`);
      io.out(Object.entries(s.byStatus).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${int(n)}`).join(', '));
    });

  program
    .command('compliance <employee>')
    .description("an employee's weekly records, with explanations (a read of someone else's records is audited)")
    .requiredOption('--from <date>', 'first date (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last date (YYYY-MM-DD)')
    .option(AS_FLAGS, AS_HELP)
    .option('--json', 'print as JSON')
    .action(async (employeeId: string, o: { from: string; to: string; as?: string; json?: boolean }) => {
      const from = dateArg('--from', o.from);
      const to = dateArg('--to', o.to);
      const r = await ctx.withActor(o.as, (deps, actor) => viewCompliance(deps, actor, { employeeId, from, to }));
      if (o.json) return json(io, presentCompliance(r));
      io.out(`${r.employeeId} ${r.name}, ${r.from} to ${r.to}`);
      io.out(table(['week', 'status', 'required', 'present', 'available', 'policy'], r.weeks.map((w) => [
        w.week, w.status, w.required, w.present, w.available, w.policy ? `${w.policy.id} v${w.policy.version}` : null,
      ]), new Set([2, 3, 4])));
      io.out('');
      for (const w of r.weeks) {
        io.out(`${w.week}: ${w.explanation}`);
        for (const d of w.presentDays) io.out(`  present ${d.date} at ${d.officeId} (${d.source}${d.reference ? ` ${d.reference}` : ''}${d.dwellMinutes !== null ? `, ${d.dwellMinutes} min` : ''})`);
        for (const d of w.excusedDays) io.out(`  excused ${d.date}: ${d.reason}${d.name ? ` (${d.name})` : d.kind ? ` (${d.kind})` : ''}`);
      }
    });

  program
    .command('standing <employee>')
    .description('standing and tier over the policy window of complete weeks')
    .option('--as-of <date>', 'the date to look back from (default: today)')
    .option(AS_FLAGS, AS_HELP)
    .option('--json', 'print as JSON')
    .action(async (employeeId: string, o: { asOf?: string; as?: string; json?: boolean }) => {
      const asOf = o.asOf === undefined ? undefined : dateArg('--as-of', o.asOf);
      const s = await ctx.withActor(o.as, (deps, actor) => viewStanding(deps, actor, { employeeId, asOf }));
      if (o.json) return json(io, presentStanding(s));
      const measure = s.measure === 'weeks' ? `${s.compliant} of ${s.counted} counted weeks compliant` : `${s.presentDays} present of ${s.requiredDays} required days`;
      io.out(`${s.employeeId} ${s.name}: ${s.goodStanding ? 'in good standing' : 'NOT in good standing'}${s.tier ? `, tier ${s.tier}` : ''}`);
      io.out(s.counted === 0
        ? `no week was counted in the ${s.windowWeeks} weeks ${s.from} to ${s.to} (nothing counted is good standing)`
        : `${measure}: ratio ${s.ratio!.toFixed(3)} ${s.goodStanding ? '≥' : '<'} ${s.minRatio}, over the ${s.windowWeeks} weeks ${s.from} to ${s.to}${s.policy ? ` (policy ${s.policy.id} v${s.policy.version})` : ''}`);
    });

  program
    .command('team <manager>')
    .description("the manager's reports and their status in a week")
    .requiredOption('--week <week>', 'ISO week, e.g. 2026-W47')
    .option('--indirect', 'include indirect reports (the whole subtree)')
    .option(AS_FLAGS, AS_HELP)
    .option('--json', 'print as JSON')
    .action(async (managerId: string, o: { week: string; indirect?: boolean; as?: string; json?: boolean }) => {
      const w = parseIsoWeek(o.week);
      if (!w) throw new HubdayError('invalid_usage', `--week must be an ISO week like 2026-W47, got "${o.week}"`);
      const t = await ctx.withActor(o.as, (deps, actor) => viewTeam(deps, actor, { managerId, week: w.week, monday: w.monday, indirect: !!o.indirect }));
      if (o.json) return json(io, presentTeam(t));
      io.out(`${t.managerId} ${t.managerName}: ${t.indirect ? 'all' : 'direct'} reports, ${t.week} (${t.weekStart} to ${addDays(t.weekStart, 6)})`);
      if (t.members.length === 0) return io.out('no reports');
      io.out(table(['employee', 'name', 'status', 'required', 'present'], t.members.map((m) => [m.employeeId, m.name, m.status, m.required, m.present]), new Set([3, 4])));
      const non = t.members.filter((m) => m.status === 'non_compliant').length;
      io.out(`${non} of ${t.members.length} non-compliant`);
    });

  program
    .command('demo')
    .description('generate a realistic synthetic company into the store, evaluate it and print an overview')
    .option('--employees <n>', 'number of employees', '3000')
    .option('--weeks <n>', 'weeks of badge history', '13')
    .option('--seed <n>', 'random seed', '42')
    .option('--reset', 'empty the store first if it already holds data')
    .option('--keep-files <dir>', 'keep the generated CSV and policy files in this folder')
    .option('--json', 'print the overview as JSON')
    .action(async (o: { employees: string; weeks: string; seed: string; reset?: boolean; keepFiles?: string; json?: boolean }) => {
      const opts = {
        employees: intArg('--employees', o.employees, 20, 2_000_000),
        weeks: intArg('--weeks', o.weeks, 1, 104),
        seed: intArg('--seed', o.seed, 0, 2 ** 31),
        reset: !!o.reset,
        keepFiles: o.keepFiles,
      };
      const r = await withDeps((deps) => runDemo(deps, opts));
      if (o.json) return json(io, { ...r, example: { ...r.example, weeks: presentCompliance({ employeeId: r.example.employeeId, name: r.example.name, from: r.from, to: r.to, weeks: r.example.weeks }).weeks } });
      printDemo(io, r);
    });

  registerPeopleCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerOutboxCommands(program, ctx);
  registerPromotionCommands(program, ctx);
  registerDisciplineCommands(program, ctx);
  registerExceptionCommands(program, ctx);
  registerRelocationCommands(program, ctx);
  registerDisputeCommands(program, ctx);

  program
    .command('serve')
    .description('the HTTP API and web UI (not built yet)')
    .option('--port <port>', 'port', '8080')
    .action(async () => {
      throw new HubdayError('internal', 'the HTTP API and web UI are not part of this version yet; use the command line');
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    const importing = commandWord(argv) === 'import';
    return reportError(io, e, argv.includes('--json'), importing && !argv.includes('--skip-invalid'), importing ? 'import it again' : 'run the command again');
  } finally {
    if (db) await (db as Db).close().catch(() => undefined);
  }
}

/** The command word of an argument list (after global options such as `--data DIR`). */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data') i++;
    else if (!argv[i]!.startsWith('-')) return argv[i];
  }
  return undefined;
}

function reportError(io: Io, e: unknown, asJson: boolean, suggestSkip: boolean, retry: string): number {
  const err = e instanceof HubdayError ? e : new HubdayError('internal', (e as Error)?.stack ?? String(e));
  if (asJson) io.err(JSON.stringify({ error: { code: err.code, ...(err.reason ? { reason: err.reason } : {}), message: err.message, problems: err.problems } }));
  else if (err.reason) io.err(`hubday: refused (${err.reason}): ${err.message}`);
  else if (err.problems.length > 1) {
    io.err(`hubday: ${err.problems.length} problems:`);
    for (const p of err.problems) io.err(`  ${formatProblem(p)}`);
  } else io.err(`hubday: ${err.message}`);
  if (err.code === 'invalid_input' && err.problems.length > 0 && !asJson) {
    const skippable = suggestSkip && err.problems.every((p) => !p.wholeFile);
    io.err(`nothing from this file was written${skippable ? '; fix it, or import the valid rows with --skip-invalid REJECTS.csv' : `; fix the file and ${retry}`}`);
  }
  return EXIT_CODES[err.code];
}

function printDemo(io: Io, r: Awaited<ReturnType<typeof runDemo>>): void {
  const groupTable = (title: string, rows: typeof r.byOrg) => {
    io.out(title);
    io.out(table(['', 'judged', 'compliant', 'non-compliant', 'compliant %'], rows.map((g) =>
      g.judged < 5 ? [g.group, '<5', null, null, null] : [g.group, g.judged, g.compliant, g.nonCompliant, pct(g.compliant, g.judged)],
    ), new Set([1, 2, 3, 4])));
    io.out('');
  };
  io.out(`hubday demo: ${int(r.employees)} employees, ${r.offices} offices, ${int(r.events)} badge events, ${r.from} to ${r.to}`);
  io.out(`generated in ${seconds(r.timings.generateMs)}, imported in ${seconds(r.timings.importMs)}, evaluated in ${seconds(r.timings.evaluateMs)} (${int(r.evaluation.records)} weekly records); total ${seconds(r.timings.totalMs)}`);
  io.out('');
  const week = r.example.weeks[r.example.weeks.length - 1]?.week ?? r.lastWeek;
  const counts = r.lastWeekStatus;
  io.out(`week ${week}: ${int(counts.non_compliant ?? 0)} non-compliant, ${int(counts.compliant ?? 0)} compliant, ${int((counts.excused ?? 0) + (counts.exempt ?? 0) + (counts.grace ?? 0))} excused, exempt or in grace, ${int(counts.no_policy ?? 0)} without a policy`);
  io.out('');
  groupTable(`compliance by organisation, week ${week} (groups under 5 suppressed)`, r.byOrg);
  groupTable(`compliance by home office, week ${week}`, r.byOffice);
  io.out(`example: ${r.example.employeeId} ${r.example.name}`);
  for (const w of r.example.weeks) io.out(`  ${w.week} ${w.status.padEnd(13)} ${w.explanation}`);
  io.out('');
  if (r.workflows.length > 0 || r.hr.length > 0) {
    io.out(`workflows (HR people, role hr: ${r.hr.join(', ') || 'none'}; act as someone with --as ID or HUBDAY_ACTOR=ID)`);
    for (const w of r.workflows) {
      io.out(`  ${w.name}:`);
      for (const l of w.lines) io.out(`    ${l}`);
    }
    io.out('  audit: npx hubday audit verify; npx hubday audit show --subject ' + r.example.employeeId);
    io.out('');
  }
  io.out('try next:');
  io.out(`  npx hubday compliance ${r.example.employeeId} --from ${r.from} --to ${r.to}`);
  io.out(`  npx hubday standing ${r.example.employeeId} --as-of ${r.to}`);
  io.out(`  npx hubday team ${r.exampleManagerId} --week ${week} --indirect`);
}

function defaultIo(): Io {
  return {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
    env: process.env,
    cwd: process.cwd(),
  };
}
