/**
 * The explanation of a weekly record (DESIGN rule 8): a pure function of the
 * record's facts, so a stored record explains itself the same way years later.
 */
import type { WeeklyFacts } from './types.js';

/** A ratio for humans: exact when it has at most two decimals, else "≈ x.xx". */
export function formatQuotient(numerator: number, denominator: number): string {
  const v = numerator / denominator;
  const r = Math.round(v * 100) / 100;
  const text = String(r);
  return Math.abs(r * denominator - numerator) < 1e-9 ? `= ${text}` : `≈ ${r.toFixed(2)}`;
}

/** The arithmetic of the requirement, e.g. "2 of 4 available days required (3 × 4/5 = 2.4, rounded half up)". */
export function requirementArithmetic(f: WeeklyFacts): string {
  const { daysPerWeek: d, available: a, weekLength: w, required: r } = f;
  let how: string;
  let raw: number;
  if (f.rule === 'cap') {
    raw = Math.min(d, a);
    how = `min(${d}, ${a})`;
  } else if (f.rule === 'subtract') {
    const u = w - a;
    raw = Math.max(0, d - u);
    how = d - u < 0 ? `max(0, ${d} − ${u} unavailable)` : `${d} − ${u} unavailable`;
  } else {
    raw = Math.floor((2 * d * a + w) / (2 * w));
    how = `${d} × ${a}/${w} ${formatQuotient(d * a, w)}, rounded half up`;
  }
  const capped = raw > r ? `, at most the ${a} available` : '';
  return `${r} of ${a} available ${a === 1 ? 'day' : 'days'} required (${how}${capped})`;
}

function exceptionText(f: WeeklyFacts): string {
  const x = f.exception;
  if (!x) return '';
  if (x.effect === 'exempt') return `exception ${x.kind} (${x.startDate} to ${x.endDate})`;
  return `exception ${x.kind} (${x.startDate} to ${x.endDate}) lowers daysPerWeek from ${f.policyDaysPerWeek} to ${x.daysPerWeek}; `;
}

/** Present days that rest on an approved claim, e.g. "; attested 2026-11-18 at SEA1 (dispute D4)". */
function attestationText(f: WeeklyFacts): string {
  const days = f.presentDays.filter((d) => d.source === 'attestation');
  if (days.length === 0) return '';
  return `; attested ${days.map((d) => `${d.date} at ${d.officeId}${d.reference ? ` (dispute ${d.reference})` : ''}`).join(', ')}`;
}

/** Days excused by a badge-reader outage, e.g. "; excused by badge-reader outage O2 at SEA1 (reader down): 2026-11-18". */
function outageText(f: WeeklyFacts): string {
  const byOutage = new Map<string, { name: string; dates: string[] }>();
  for (const d of f.excusedDays) {
    if (d.reason !== 'outage') continue;
    const key = d.reference ?? d.name ?? '';
    let o = byOutage.get(key);
    if (!o) byOutage.set(key, (o = { name: d.name ?? '', dates: [] }));
    o.dates.push(d.date);
  }
  let text = '';
  for (const [ref, o] of byOutage) {
    text += `; excused by badge-reader outage${ref && ref !== o.name ? ` ${ref}` : ''} at ${f.homeOfficeId}${o.name ? ` (${o.name})` : ''}: ${o.dates.join(', ')}`;
  }
  return text;
}

export function explainWeek(f: WeeklyFacts): string {
  return explainStatus(f) + attestationText(f) + outageText(f);
}

function explainStatus(f: WeeklyFacts): string {
  const present = `present ${f.present}`;
  switch (f.status) {
    case 'not_employed':
      if (f.hireDate && f.weekStart < f.hireDate) return `not employed this week (hired ${f.hireDate})`;
      return `not employed this week (employment ended ${f.terminationDate ?? 'before this week'})`;
    case 'no_policy':
      return `no policy covers this employee this week; ${present}`;
    case 'exempt':
      if (f.reason === 'exception_exempt') return `exempt: ${exceptionText(f)}; ${present}`;
      if (f.reason === 'remote_arrangement') return `exempt: remote arrangement; ${present}`;
      return `exempt: home office ${f.homeOfficeId} is ready for staff from ${f.readyFrom}; ${present}`;
    case 'grace':
      return `grace: hired ${f.hireDate}, weeks beginning before ${f.graceUntil} are not judged; ${present}`;
    default: {
      let text = `${exceptionText(f)}${requirementArithmetic(f)}; ${present}`;
      const missed = f.anchors.filter((a) => a.state === 'missed');
      if (missed.length > 0) text += `; anchor ${missed.length === 1 ? 'day' : 'days'} missed: ${missed.map((a) => `${a.day} ${a.date}`).join(', ')}`;
      else if (f.anchors.length > 0 && f.status !== 'excused') text += `; anchor days met: ${f.anchors.map((a) => `${a.day}${a.state === 'excused' ? ' (excused)' : ''}`).join(', ')}`;
      return text;
    }
  }
}

