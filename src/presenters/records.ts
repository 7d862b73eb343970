/** JSON shapes of the public interface (DESIGN "The command line and its files"). Shared by the CLI and the API. */
import type { Standing, WeeklyRecord } from '../engine/types.js';
import type { ComplianceReport } from '../use-cases/get-compliance.js';
import type { TeamReport } from '../use-cases/get-team.js';

export function presentWeeklyRecord(r: WeeklyRecord): Record<string, unknown> {
  return {
    employeeId: r.employeeId,
    week: r.week,
    policy: r.policy,
    status: r.status,
    required: r.required,
    present: r.present,
    available: r.available,
    presentDays: r.presentDays.map((d) => ({
      date: d.date,
      officeId: d.officeId,
      source: d.source,
      dwellMinutes: d.dwellMinutes,
      ...(d.firstAt !== null ? { firstAt: new Date(d.firstAt).toISOString() } : {}),
      ...(d.lastAt !== null ? { lastAt: new Date(d.lastAt).toISOString() } : {}),
      ...(d.reference ? { reference: d.reference } : {}),
    })),
    excusedDays: r.excusedDays,
    explanation: r.explanation,
    // Extensions beyond DESIGN's example:
    weekStart: r.weekStart,
    reason: r.reason,
    weekLength: r.weekLength,
    daysPerWeek: r.daysPerWeek,
    rule: r.rule,
    homeOfficeId: r.homeOfficeId,
    ...(r.anchors.length > 0 ? { anchorDays: r.anchors } : {}),
    ...(r.exception ? { exception: { kind: r.exception.kind, effect: r.exception.effect, startDate: r.exception.startDate, endDate: r.exception.endDate, daysPerWeek: r.exception.daysPerWeek } } : {}),
  };
}

export function presentCompliance(c: ComplianceReport): Record<string, unknown> {
  return { employeeId: c.employeeId, from: c.from, to: c.to, weeks: c.weeks.map(presentWeeklyRecord) };
}

export function presentStanding(s: Standing): Record<string, unknown> {
  return {
    employeeId: s.employeeId,
    asOf: s.asOf,
    windowWeeks: s.windowWeeks,
    counted: s.counted,
    compliant: s.compliant,
    ratio: s.ratio,
    goodStanding: s.goodStanding,
    tier: s.tier,
    measure: s.measure,
    minRatio: s.minRatio,
    from: s.from,
    to: s.to,
    presentDays: s.presentDays,
    requiredDays: s.requiredDays,
    policy: s.policy,
  };
}

export function presentTeam(t: TeamReport): Record<string, unknown> {
  return {
    managerId: t.managerId,
    week: t.week,
    indirect: t.indirect,
    members: t.members.map((m) => ({
      employeeId: m.employeeId, name: m.name, status: m.status, required: m.required, present: m.present,
      available: m.available, managerId: m.managerId,
    })),
  };
}
