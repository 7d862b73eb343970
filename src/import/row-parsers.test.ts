import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mapHeader, type ColumnSpec, type HeaderMap } from './columns.js';
import { CsvSyntaxError } from './csv-reader.js';
import {
  BADGE_COLUMNS,
  EMPLOYEE_COLUMNS,
  HOLIDAY_COLUMNS,
  LEAVE_COLUMNS,
  OFFICE_COLUMNS,
  parseBadgeRow,
  parseEmployeeRow,
  parseHolidayRow,
  parseLeaveRow,
  parseOfficeRow,
  parseTimestamp,
  quoteValue,
  type FieldError,
  type ParseResult,
} from './row-parsers.js';

/** Builds a header map and the fields of one row from a column -> value object (in its key order). */
function row(specs: readonly ColumnSpec[], values: Record<string, string>): [string[], HeaderMap] {
  const header = Object.keys(values);
  return [Object.values(values), mapHeader(header, specs)];
}

function ok<T>(result: ParseResult<T>): T {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.column}: ${result.error.reason}`);
  return result.value;
}

function err<T>(result: ParseResult<T>): FieldError {
  if (result.ok) assert.fail(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

function headerError(header: string[], specs: readonly ColumnSpec[]): CsvSyntaxError {
  try {
    mapHeader(header, specs);
  } catch (e) {
    assert.ok(e instanceof CsvSyntaxError);
    return e;
  }
  assert.fail('expected a CsvSyntaxError');
}

describe('mapHeader', () => {
  it('maps columns in any order, trimmed and case-insensitively, ignoring unknown ones', () => {
    const h = mapHeader([' Timestamp ', 'EXTRA', 'office_id', 'Employee_ID', 'event_id'], BADGE_COLUMNS);
    assert.deepEqual(h.indexOf, { event_id: 4, employee_id: 3, office_id: 2, timestamp: 0, direction: -1 });
    assert.deepEqual(h.columns, ['Timestamp', 'EXTRA', 'office_id', 'Employee_ID', 'event_id']);
  });

  it('rejects a duplicate known column at its second occurrence', () => {
    const e = headerError(['event_id', 'employee_id', 'office_id', 'timestamp', 'EVENT_ID'], BADGE_COLUMNS);
    assert.deepEqual([e.line, e.column], [1, 5]);
    assert.equal(e.reason, 'duplicate column "event_id" (also column 1)');
  });

  it('allows duplicate unknown columns', () => {
    assert.equal(mapHeader(['x', 'office_id', 'x', 'date', 'name', 'action'], HOLIDAY_COLUMNS).indexOf.office_id, 1);
  });

  it('names a missing required column, at column header length + 1', () => {
    const e = headerError(['event_id', 'employee_id', 'timestamp'], BADGE_COLUMNS);
    assert.deepEqual([e.line, e.column], [1, 4]);
    assert.equal(e.reason, 'missing required column "office_id" (found: event_id, employee_id, timestamp)');
    assert.equal(e.message, 'line 1, column 4: missing required column "office_id" (found: event_id, employee_id, timestamp)');
  });

  it('names every missing required column', () => {
    const e = headerError(['employee_id', 'kind'], LEAVE_COLUMNS);
    assert.equal(e.reason, 'missing required columns "start_date", "end_date" (found: employee_id, kind)');
  });
});

describe('parseOfficeRow', () => {
  const base = { office_id: 'SEA1', name: 'Seattle', timezone: 'America/Los_Angeles', country: 'us' };

  it('parses a full row and defaults the optional columns', () => {
    assert.deepEqual(ok(parseOfficeRow(...row(OFFICE_COLUMNS, { ...base }))), {
      officeId: 'SEA1',
      name: 'Seattle',
      timezone: 'America/Los_Angeles',
      country: 'US',
      subdivision: null,
      workWeek: [1, 2, 3, 4, 5],
      readyFrom: null,
    });
    const full = ok(
      parseOfficeRow(
        ...row(OFFICE_COLUMNS, {
          ready_from: ' 2026-01-05 ',
          work_week: 'Sun-Thu',
          subdivision: 'us-wa',
          ...base,
          name: '  Seattle HQ ',
        }),
      ),
    );
    assert.equal(full.name, 'Seattle HQ');
    assert.equal(full.subdivision, 'WA');
    assert.deepEqual(full.workWeek, [1, 2, 3, 4, 7]);
    assert.equal(full.readyFrom, '2026-01-05');
  });

  it('accepts subdivisions with or without the country prefix', () => {
    const sub = (country: string, subdivision: string) =>
      parseOfficeRow(...row(OFFICE_COLUMNS, { ...base, country, subdivision }));
    assert.equal(ok(sub('GB', 'eng')).subdivision, 'ENG');
    assert.equal(ok(sub('DE', 'DE-BE')).subdivision, 'BE');
    assert.deepEqual(err(sub('US', 'CA-ON')), { column: 'subdivision', reason: 'subdivision is not in country US: "CA-ON"' });
    assert.deepEqual(err(sub('US', 'Washington')), {
      column: 'subdivision',
      reason: 'not a subdivision code (expected e.g. WA or US-WA): "Washington"',
    });
  });

  it('explains bad values', () => {
    const bad = (values: Record<string, string>) => err(parseOfficeRow(...row(OFFICE_COLUMNS, { ...base, ...values })));
    assert.deepEqual(bad({ office_id: ' ' }), { column: 'office_id', reason: 'required value is empty' });
    assert.deepEqual(bad({ timezone: 'Mars/Olympus' }), {
      column: 'timezone',
      reason: 'not an IANA time zone (e.g. America/Los_Angeles): "Mars/Olympus"',
    });
    assert.deepEqual(bad({ country: 'USA' }), { column: 'country', reason: 'not a country code (expected 2 letters, e.g. US): "USA"' });
    assert.deepEqual(bad({ work_week: 'weekdays' }), {
      column: 'work_week',
      reason: 'not a work week (expected e.g. Mon-Fri, Sun-Thu or Mon,Tue,Thu): "weekdays"',
    });
    assert.deepEqual(bad({ work_week: ',' }).column, 'work_week');
    assert.deepEqual(bad({ ready_from: '2026-02-30' }), { column: 'ready_from', reason: 'not a date (expected YYYY-MM-DD): "2026-02-30"' });
  });
});

describe('parseEmployeeRow', () => {
  const base = {
    employee_id: 'E100',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    level: '7',
    home_office_id: 'SEA1',
    arrangement: 'Hybrid',
    hire_date: '2020-03-01',
  };

  it('parses a minimal and a full row', () => {
    assert.deepEqual(ok(parseEmployeeRow(...row(EMPLOYEE_COLUMNS, base))), {
      employeeId: 'E100',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      managerId: null,
      level: 7,
      jobFamily: null,
      org: null,
      homeOfficeId: 'SEA1',
      arrangement: 'hybrid',
      hireDate: '2020-03-01',
      terminationDate: null,
    });
    const full = ok(
      parseEmployeeRow(
        ...row(EMPLOYEE_COLUMNS, {
          termination_date: '2020-03-01',
          org: 'Devices',
          job_family: 'Engineering',
          manager_id: 'M1',
          ...base,
          level: '0',
        }),
      ),
    );
    assert.equal(full.managerId, 'M1');
    assert.equal(full.jobFamily, 'Engineering');
    assert.equal(full.org, 'Devices');
    assert.equal(full.level, 0);
    assert.equal(full.terminationDate, '2020-03-01');
  });

  it('explains bad values', () => {
    const bad = (values: Record<string, string>) => err(parseEmployeeRow(...row(EMPLOYEE_COLUMNS, { ...base, ...values })));
    assert.deepEqual(bad({ name: '' }), { column: 'name', reason: 'required value is empty' });
    for (const email of ['ada', 'ada@', '@example.com', 'a@b@c', 'ada lovelace@example.com']) {
      assert.deepEqual(bad({ email }), { column: 'email', reason: `not an email address: ${JSON.stringify(email)}` });
    }
    for (const level of ['100', '-1', '3.5', 'L7', '']) {
      const e = bad({ level });
      assert.equal(e.column, 'level');
      if (level !== '') assert.equal(e.reason, `not a level (expected a whole number 0-99): ${JSON.stringify(level)}`);
    }
    assert.deepEqual(bad({ arrangement: 'flex' }), {
      column: 'arrangement',
      reason: 'not an arrangement (expected office, hybrid or remote): "flex"',
    });
    assert.deepEqual(bad({ termination_date: '2020-02-29' }), {
      column: 'termination_date',
      reason: 'termination_date 2020-02-29 is before hire_date 2020-03-01',
    });
    assert.deepEqual(bad({ hire_date: '03/01/2020' }), { column: 'hire_date', reason: 'not a date (expected YYYY-MM-DD): "03/01/2020"' });
    assert.deepEqual(bad({ manager_id: 'M\u00071' }), { column: 'manager_id', reason: 'id contains a control character: "M\\u00071"' });
    assert.deepEqual(bad({ employee_id: 'E'.repeat(65) }), {
      column: 'employee_id',
      reason: `id is too long (max 64 characters): "${'E'.repeat(40)}…"`,
    });
    assert.equal(ok(parseEmployeeRow(...row(EMPLOYEE_COLUMNS, { ...base, employee_id: 'E'.repeat(64) }))).employeeId.length, 64);
  });
});

describe('parseBadgeRow', () => {
  const base = { event_id: 'ev1', employee_id: 'E100', office_id: 'SEA1', timestamp: '2026-11-24T16:30:00Z' };
  const badge = (values: Record<string, string>, specs = BADGE_COLUMNS) =>
    parseBadgeRow(...row(specs, { ...base, ...values }));

  it('parses a row, with and without a direction column', () => {
    assert.deepEqual(ok(badge({ direction: 'IN' })), {
      eventId: 'ev1',
      employeeId: 'E100',
      officeId: 'SEA1',
      at: Date.UTC(2026, 10, 24, 16, 30),
      direction: 'in',
    });
    assert.equal(ok(badge({ direction: ' out ' })).direction, 'out');
    assert.equal(ok(badge({ direction: '' })).direction, null);
    assert.equal(ok(badge({})).direction, null);
  });

  it('accepts the timestamp forms of ISO 8601', () => {
    const at = (timestamp: string) => ok(badge({ timestamp })).at;
    const expected = Date.UTC(2026, 10, 24, 16, 30);
    for (const t of [
      '2026-11-24T16:30Z',
      '2026-11-24T16:30:00Z',
      '2026-11-24 16:30:00Z',
      '2026-11-24t16:30:00z',
      '2026-11-24T08:30:00-08:00',
      '2026-11-24T08:30:00-0800',
      '2026-11-24T08:30:00-08',
      '2026-11-25T02:00:00+09:30',
      '2026-11-24T16:30:00.000Z',
      '2026-11-24T16:30:00+00:00',
    ]) {
      assert.equal(at(t), expected, t);
    }
    assert.equal(at('2026-11-24T16:30:00.5Z'), expected + 500);
    assert.equal(at('2026-11-24T16:30:00.123456Z'), expected + 123);
    assert.equal(at('2024-02-29T00:00:00+14:00'), Date.UTC(2024, 1, 28, 10));
    assert.equal(at('0001-01-01T00:00:00Z'), Date.parse('0001-01-01T00:00:00Z'));
  });

  it('explains bad timestamps', () => {
    const reason = (timestamp: string) => {
      const e = err(badge({ timestamp }));
      assert.equal(e.column, 'timestamp');
      return e.reason;
    };
    assert.equal(reason('2026-11-24T08:30:00'), 'timestamp needs a Z or a UTC offset: "2026-11-24T08:30:00"');
    assert.equal(reason('2026-11-24 08:30'), 'timestamp needs a Z or a UTC offset: "2026-11-24 08:30"');
    const notTimestamp = (t: string) => `not a timestamp (expected e.g. 2026-11-24T08:30:00Z): ${JSON.stringify(t)}`;
    for (const t of [
      '2026-11-24',
      '24/11/2026 08:30Z',
      '2026-11-24T8:30:00Z',
      '2026-11-24T08:30:00ZZ',
      '2026-11-24T08:30:00 Z',
      '2026-11-24T08:30:00+8',
      '2026-11-24T08:30:00+08:0',
      '2026-11-24T08:30:00.Z',
      '2026-11-24T08:30:00PST',
      '1732437000',
    ]) {
      assert.equal(reason(t), notTimestamp(t), t);
    }
    assert.equal(reason('2026-13-01T00:00:00Z'), 'timestamp out of range (month 13): "2026-13-01T00:00:00Z"');
    assert.equal(reason('2026-02-29T00:00:00Z'), 'timestamp out of range (day 29): "2026-02-29T00:00:00Z"');
    assert.equal(reason('2026-04-31T00:00:00Z'), 'timestamp out of range (day 31): "2026-04-31T00:00:00Z"');
    assert.equal(reason('2026-11-24T24:00:00Z'), 'timestamp out of range (hour 24): "2026-11-24T24:00:00Z"');
    assert.equal(reason('2026-11-24T23:60:00Z'), 'timestamp out of range (minute 60): "2026-11-24T23:60:00Z"');
    assert.equal(reason('2026-11-24T23:59:60Z'), 'timestamp out of range (second 60): "2026-11-24T23:59:60Z"');
    assert.equal(reason('2026-11-24T23:59:00+14:30'), 'timestamp out of range (offset +14:30): "2026-11-24T23:59:00+14:30"');
    assert.equal(reason('2026-11-24T23:59:00-1500'), 'timestamp out of range (offset -1500): "2026-11-24T23:59:00-1500"');
    assert.equal(reason('2026-11-24T23:59:00+05:60'), 'timestamp out of range (offset +05:60): "2026-11-24T23:59:00+05:60"');
    assert.equal(reason(''), 'required value is empty');
  });

  it('explains bad ids and directions', () => {
    assert.deepEqual(err(badge({ event_id: '' })), { column: 'event_id', reason: 'required value is empty' });
    assert.deepEqual(err(badge({ office_id: 'SEA\t1' })), { column: 'office_id', reason: 'id contains a control character: "SEA\\t1"' });
    assert.deepEqual(err(badge({ direction: 'entry' })), { column: 'direction', reason: 'not a direction (expected in or out): "entry"' });
  });

  it('agrees with Date.parse on every valid timestamp (property)', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.constantFrom('T', ' '),
        fc.constantFrom('colon', 'compact', 'hours'),
        fc.boolean(),
        (date, offset, sep, style, fraction) => {
          const off = style === 'hours' ? Math.trunc(offset / 60) * 60 : offset;
          const local = new Date(date.getTime() + off * 60_000);
          const abs = Math.abs(off);
          const zone =
            (off < 0 ? '-' : '+') +
            pad(Math.floor(abs / 60)) +
            (style === 'colon' ? `:${pad(abs % 60)}` : style === 'compact' ? pad(abs % 60) : '');
          const text =
            `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
            `${sep}${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
            (fraction ? `.${pad(local.getUTCMilliseconds(), 3)}` : '') +
            zone;
          if (local.getUTCFullYear() < 1 || local.getUTCFullYear() > 9999) return;
          const expected = Math.floor(date.getTime() / (fraction ? 1 : 1000)) * (fraction ? 1 : 1000);
          assert.equal(parseTimestamp(text), expected, text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseLeaveRow', () => {
  const base = { employee_id: 'E100', start_date: '2026-11-23', end_date: '2026-11-25', kind: 'PTO' };
  const leave = (values: Record<string, string>) => parseLeaveRow(...row(LEAVE_COLUMNS, { ...base, ...values }));

  it('parses a row; status defaults to approved', () => {
    assert.deepEqual(ok(leave({})), {
      employeeId: 'E100',
      startDate: '2026-11-23',
      endDate: '2026-11-25',
      kind: 'pto',
      status: 'approved',
    });
    assert.equal(ok(leave({ start_date: '2026-11-25' })).startDate, '2026-11-25');
    assert.equal(ok(leave({ kind: 'Business_Travel' })).kind, 'business_travel');
  });

  it('accepts statuses and their spellings', () => {
    const status = (s: string) => ok(leave({ status: s })).status;
    assert.equal(status(''), 'approved');
    assert.equal(status('Approved'), 'approved');
    assert.equal(status('PENDING'), 'pending');
    assert.equal(status('rejected'), 'rejected');
    assert.equal(status('denied'), 'rejected');
    assert.equal(status('cancelled'), 'cancelled');
    assert.equal(status('Canceled'), 'cancelled');
  });

  it('explains bad values', () => {
    assert.deepEqual(err(leave({ end_date: '2026-11-22' })), {
      column: 'end_date',
      reason: 'end_date 2026-11-22 is before start_date 2026-11-23',
    });
    assert.deepEqual(err(leave({ start_date: '2026-13-01' })), {
      column: 'start_date',
      reason: 'not a date (expected YYYY-MM-DD): "2026-13-01"',
    });
    for (const kind of ['business travel', '1pto', 'sick-leave', 'pto!']) {
      assert.deepEqual(err(leave({ kind })), {
        column: 'kind',
        reason: `not a leave kind (expected a lowercase word such as pto, sick or business_travel): ${JSON.stringify(kind)}`,
      });
    }
    assert.deepEqual(err(leave({ status: 'maybe' })), {
      column: 'status',
      reason: 'not a leave status (expected approved, pending, rejected or cancelled): "maybe"',
    });
    assert.deepEqual(err(leave({ status: 'constructor' })).column, 'status');
  });
});

describe('parseHolidayRow', () => {
  const base = { office_id: 'SEA1', date: '2026-11-27', name: 'Day after Thanksgiving', action: 'ADD' };
  const holiday = (values: Record<string, string>) => parseHolidayRow(...row(HOLIDAY_COLUMNS, { ...base, ...values }));

  it('parses a row', () => {
    assert.deepEqual(ok(holiday({})), { officeId: 'SEA1', date: '2026-11-27', name: 'Day after Thanksgiving', action: 'add' });
    assert.equal(ok(holiday({ action: ' remove ' })).action, 'remove');
  });

  it('explains bad values', () => {
    assert.deepEqual(err(holiday({ date: '2026-13-01' })), { column: 'date', reason: 'not a date (expected YYYY-MM-DD): "2026-13-01"' });
    assert.deepEqual(err(holiday({ action: 'delete' })), {
      column: 'action',
      reason: 'not a holiday action (expected add or remove): "delete"',
    });
    assert.deepEqual(err(holiday({ name: '' })), { column: 'name', reason: 'required value is empty' });
  });
});

describe('quoteValue', () => {
  it('quotes, escapes and truncates to 40 characters', () => {
    assert.equal(quoteValue('abc'), '"abc"');
    assert.equal(quoteValue('a"b'), '"a\\"b"');
    assert.equal(quoteValue('x'.repeat(40)), `"${'x'.repeat(40)}"`);
    assert.equal(quoteValue('x'.repeat(41)), `"${'x'.repeat(40)}…"`);
    assert.equal(quoteValue('x'.repeat(39) + '😀z'), `"${'x'.repeat(39)}…"`);
  });
});
