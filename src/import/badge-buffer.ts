/**
 * Groups the badge rows of an import by employee and UTC week while the file
 * streams, so that each (employee, week) is written once as one compact row.
 * The events stay in columns (typed arrays, and the batches' texts of event ids),
 * as the parser hands them over: a large import makes no object per event, and
 * the garbage collector has nothing to promote. Memory stays bounded: past
 * `limit` buffered events, the employees not seen recently are handed out to be
 * written (an export sorted by employee or by time writes each pair once; any
 * other order stays correct, only with more merging). Pure: no I/O.
 */
import { utcWeekOf } from '../store/badge-week-codec.js';
import type { WeekGroups } from '../store/badge-week-groups.js';
import type { BadgeBatch } from './badge-batches.js';

export class BadgeWeekBuffer {
  /** Events buffered, in file order, in columns. */
  size = 0;
  private cap = 0;
  private employee = new Int32Array(0);
  private week = new Int32Array(0);
  private office = new Int32Array(0);
  private at = new Float64Array(0);
  private dir = new Uint8Array(0);
  private text = new Int32Array(0);
  private idFrom = new Int32Array(0);
  private idTo = new Int32Array(0);
  private texts: string[] = [];
  /** Per employee: the sequence number of its last event (0: none). */
  private readonly lastSeen: Float64Array;
  private seq = 0;

  constructor(
    readonly limit: number,
    private readonly employeeIds: readonly string[],
    private readonly officeIds: readonly string[],
  ) {
    this.lastSeen = new Float64Array(employeeIds.length);
  }

  private reserve(n: number): void {
    if (this.size + n <= this.cap) return;
    let cap = Math.max(1024, this.cap * 2);
    while (cap < this.size + n) cap *= 2;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.size) as never);
      return b;
    };
    this.employee = grow(this.employee, (k) => new Int32Array(k));
    this.week = grow(this.week, (k) => new Int32Array(k));
    this.office = grow(this.office, (k) => new Int32Array(k));
    this.at = grow(this.at, (k) => new Float64Array(k));
    this.dir = grow(this.dir, (k) => new Uint8Array(k));
    this.text = grow(this.text, (k) => new Int32Array(k));
    this.idFrom = grow(this.idFrom, (k) => new Int32Array(k));
    this.idTo = grow(this.idTo, (k) => new Int32Array(k));
    this.cap = cap;
  }

  /** Adds a batch's valid events (in file order). */
  addBatch(b: BadgeBatch): void {
    if (b.count === 0) return;
    this.reserve(b.count);
    const t = this.texts.push(b.eventIds) - 1;
    const ids = b.eventIds;
    let from = 0;
    for (let i = 0; i < b.count; i++) {
      let to = ids.indexOf('\n', from);
      if (to < 0) to = ids.length;
      const k = this.size++;
      const e = b.employee[i]!;
      this.employee[k] = e;
      this.office[k] = b.office[i]!;
      this.at[k] = b.at[i]!;
      this.week[k] = utcWeekOf(b.at[i]!);
      this.dir[k] = b.dir[i]!;
      this.text[k] = t;
      this.idFrom[k] = from;
      this.idTo[k] = to;
      this.lastSeen[e] = ++this.seq;
      from = to + 1;
    }
  }

  get full(): boolean {
    return this.size >= this.limit;
  }

  /**
   * Takes the weeks to write now: with `all`, everything; otherwise the employees
   * not seen in the last quarter of the buffer, or everything when that frees less
   * than half of it (an unsorted file). The events keep their file order within a week.
   */
  take(all = false): WeekGroups {
    const n = this.size;
    let takeAll = all;
    const cutoff = this.seq - Math.floor(this.limit / 4);
    if (!takeAll) {
      let old = 0;
      for (let i = 0; i < n; i++) if (this.lastSeen[this.employee[i]!]! <= cutoff) old++;
      takeAll = old < n / 2;
    }
    const taken = (i: number) => takeAll || this.lastSeen[this.employee[i]!]! <= cutoff;

    // Order the taken events by employee (counting sort, stable), then by week within each employee.
    const employees = this.employeeIds.length;
    const counts = new Int32Array(employees + 1);
    let m = 0;
    for (let i = 0; i < n; i++) if (taken(i)) { counts[this.employee[i]! + 1]!++; m++; }
    for (let e = 0; e < employees; e++) counts[e + 1]! += counts[e]!;
    const order = new Int32Array(m);
    for (let i = 0; i < n; i++) if (taken(i)) order[counts[this.employee[i]!]!++] = i;
    for (let a = 0; a < m;) {
      const e = this.employee[order[a]!]!;
      let b = a + 1;
      let sorted = true;
      while (b < m && this.employee[order[b]!]! === e) {
        if (this.week[order[b]!]! < this.week[order[b - 1]!]!) sorted = false;
        b++;
      }
      // Stable: equal weeks keep their file order (the slots increase with it).
      if (!sorted) order.subarray(a, b).sort((x, y) => this.week[x]! - this.week[y]! || x - y);
      a = b;
    }

    // The groups, and the taken events' columns in group order.
    const g: WeekGroups = {
      count: 0, employee: new Int32Array(m), week: new Int32Array(m), start: new Int32Array(m + 1),
      office: new Int32Array(m), at: new Float64Array(m), dir: new Uint8Array(m), text: new Int32Array(m),
      idFrom: new Int32Array(m), idTo: new Int32Array(m), texts: this.texts, employeeIds: this.employeeIds, officeIds: this.officeIds,
    };
    for (let j = 0; j < m; j++) {
      const i = order[j]!;
      const e = this.employee[i]!;
      const w = this.week[i]!;
      if (g.count === 0 || g.employee[g.count - 1] !== e || g.week[g.count - 1] !== w) {
        g.employee[g.count] = e;
        g.week[g.count] = w;
        g.start[g.count++] = j;
      }
      g.office[j] = this.office[i]!;
      g.at[j] = this.at[i]!;
      g.dir[j] = this.dir[i]!;
      g.text[j] = this.text[i]!;
      g.idFrom[j] = this.idFrom[i]!;
      g.idTo[j] = this.idTo[i]!;
    }
    g.start[g.count] = m;
    this.keep((i) => !taken(i));
    return g;
  }

  /** Keeps the events that `stays` accepts, in order, and only the texts they use. */
  private keep(stays: (i: number) => boolean): void {
    const remap = new Int32Array(this.texts.length).fill(-1);
    const texts: string[] = [];
    let k = 0;
    for (let i = 0; i < this.size; i++) {
      if (!stays(i)) continue;
      const t = this.text[i]!;
      if (remap[t] === -1) remap[t] = texts.push(this.texts[t]!) - 1;
      this.employee[k] = this.employee[i]!;
      this.week[k] = this.week[i]!;
      this.office[k] = this.office[i]!;
      this.at[k] = this.at[i]!;
      this.dir[k] = this.dir[i]!;
      this.text[k] = remap[t]!;
      this.idFrom[k] = this.idFrom[i]!;
      this.idTo[k] = this.idTo[i]!;
      k++;
    }
    this.size = k;
    this.texts = texts;
  }
}
