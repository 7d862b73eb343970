/** The text forms of weekly records: present days packed and unpacked. */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { decodePresentDays, encodePresentDays } from './compliance.repository.js';
import type { PresenceDay } from '../engine/types.js';
import type { LocalDate } from '../engine/dates.js';

test('property: the packed text writes instants and dwell as String does', () => {
  const n = fc.oneof(fc.integer({ min: -1e13, max: 1e13 }), fc.double({ noNaN: true }), fc.constantFrom(0, 1e6, 1e6 - 1, 1e6 + 1, 2 ** 52, 2 ** 53));
  fc.assert(fc.property(n, n, n, (first: number, last: number, dwell: number) => {
    const text = encodePresentDays([{ date: '2026-11-23' as LocalDate, officeId: 'NYC1', source: 'badge', dwellMinutes: dwell, firstAt: first, lastAt: last }]);
    assert.equal(text, ['2026-11-23', 'NYC1', 'badge', String(dwell), String(first), String(last)].join('\u001f'));
  }), { numRuns: 3000 });
  const nulls = encodePresentDays([{ date: '2026-11-23' as LocalDate, officeId: 'NYC1', source: 'attestation', dwellMinutes: null, firstAt: null, lastAt: null }]);
  assert.equal(nulls, '2026-11-23\u001fNYC1\u001fattestation\u001f\u001f\u001f');
  assert.equal(encodePresentDays([]), null);
});

const idArb = fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s));
const dayArb = fc.record({
  date: fc.integer({ min: 20000, max: 21000 }).map((n) => new Date(n * 86_400_000).toISOString().slice(0, 10) as LocalDate),
  officeId: idArb,
  source: fc.constantFrom('badge' as const, 'attestation' as const, 'travel' as const),
  dwellMinutes: fc.option(fc.integer({ min: 0, max: 2000 })),
  firstAt: fc.option(fc.integer({ min: 1e12, max: 2e12 })),
  lastAt: fc.option(fc.integer({ min: 1e12, max: 2e12 })),
  reference: fc.option(idArb, { nil: undefined }),
}).map((d): PresenceDay => {
  const { reference, ...rest } = d;
  return reference === undefined ? rest : { ...rest, reference };
});

test('property: present days survive their packed text', () => {
  fc.assert(fc.property(fc.array(dayArb, { maxLength: 7 }), (days: PresenceDay[]) => {
    assert.deepEqual(decodePresentDays(encodePresentDays(days)), days);
  }), { numRuns: 500 });
});
