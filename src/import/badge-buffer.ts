/**
 * Groups the badge rows of an import by employee and UTC week while the file
 * streams, so that each (employee, week) is written once as one compact row.
 * Memory stays bounded: past `limit` buffered events, the employees not seen
 * recently are handed out to be written (an export sorted by employee or by
 * time writes each pair once; any other order stays correct, only with more
 * merging). Pure: no I/O.
 */
import { utcWeekOf, type StoredEvent } from '../store/badge-week-codec.js';

export interface PendingWeek {
  employeeId: string;
  /** Day number of the UTC Monday. */
  week: number;
  /** In file order; not yet deduplicated. */
  events: StoredEvent[];
}

interface EmployeeWeeks {
  employeeId: string;
  weeks: Map<number, StoredEvent[]>;
  lastSeen: number;
}

export class BadgeWeekBuffer {
  private readonly employees = new Map<string, EmployeeWeeks>();
  private last: EmployeeWeeks | null = null;
  private seq = 0;
  /** Events buffered. */
  size = 0;

  constructor(readonly limit: number) {}

  add(employeeId: string, e: StoredEvent): void {
    let emp = this.last;
    if (emp === null || emp.employeeId !== employeeId) {
      emp = this.employees.get(employeeId) ?? null;
      if (emp === null) this.employees.set(employeeId, (emp = { employeeId, weeks: new Map(), lastSeen: 0 }));
      this.last = emp;
    }
    emp.lastSeen = ++this.seq;
    const week = utcWeekOf(e.at);
    const list = emp.weeks.get(week);
    if (list) list.push(e);
    else emp.weeks.set(week, [e]);
    this.size++;
  }

  get full(): boolean {
    return this.size >= this.limit;
  }

  /**
   * Takes the weeks to write now: with `all`, everything; otherwise the employees
   * not seen in the last quarter of the buffer, or everything when that frees less
   * than half of it (an unsorted file).
   */
  take(all = false): PendingWeek[] {
    let chosen: EmployeeWeeks[] = [...this.employees.values()];
    if (!all) {
      const cutoff = this.seq - Math.floor(this.limit / 4);
      const old = chosen.filter((e) => e.lastSeen <= cutoff);
      let n = 0;
      for (const e of old) for (const l of e.weeks.values()) n += l.length;
      if (n >= this.size / 2) chosen = old;
    }
    const out: PendingWeek[] = [];
    for (const emp of chosen) {
      for (const [week, events] of emp.weeks) {
        out.push({ employeeId: emp.employeeId, week, events });
        this.size -= events.length;
      }
      this.employees.delete(emp.employeeId);
      if (this.last === emp) this.last = null;
    }
    return out;
  }
}
