/** The hash chain: canonical JSON, sealing, and every kind of tampering found at the right entry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, sealEntries, verifyChain, GENESIS_HASH, type AuditDraft, type AuditEntry } from './chain.js';

const AT = new Date('2026-11-24T10:00:00.000Z');

function chainOf(n: number): AuditEntry[] {
  const drafts: AuditDraft[] = Array.from({ length: n }, (_, i) => ({
    actor: `M${i % 3}`, action: i % 2 ? 'promotion.approved' : 'discipline.verbal_warning', subject: `E${100 + i}`,
    entity: `case:C${i}`, before: { state: 'none' }, after: { state: 'verbal_warning', weeks: [i, i + 1], ratio: 0.5 }, reason: `reason ${i}`,
  }));
  return sealEntries(drafts, 0, GENESIS_HASH, AT);
}

test('canonical JSON sorts keys at every level and drops undefined fields', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ a: -0, s: 'é"' }), '{"a":0,"s":"é\\""}');
  assert.throws(() => canonicalJson({ a: Number.NaN }), /finite/);
});

test('sealed entries continue a chain: sequence from 1, each linked to the previous hash', () => {
  const chain = chainOf(5);
  assert.deepEqual(chain.map((e) => e.seq), [1, 2, 3, 4, 5]);
  assert.equal(chain[0]!.prevHash, GENESIS_HASH);
  for (let i = 1; i < chain.length; i++) assert.equal(chain[i]!.prevHash, chain[i - 1]!.hash);
  const more = sealEntries([{ actor: 'HR1', action: 'role.granted', subject: 'E1' }], 5, chain[4]!.hash, AT);
  assert.equal(more[0]!.seq, 6);
  assert.deepEqual(verifyChain([...chain, ...more]), { ok: true, checked: 6, lastSeq: 6, lastHash: more[0]!.hash, firstBroken: null });
});

test('an empty log verifies', () => {
  assert.equal(verifyChain([]).ok, true);
});

test('an edited field is found at that entry', () => {
  for (const field of ['actor', 'action', 'subject', 'entity', 'before', 'after', 'reason', 'at'] as const) {
    const chain = chainOf(6);
    (chain[3] as unknown as Record<string, string>)[field] = field === 'at' ? '2026-11-24T10:00:00.001Z' : field === 'after' ? '{"state":"none"}' : 'X';
    const r = verifyChain(chain);
    assert.equal(r.ok, false, field);
    assert.equal(r.firstBroken!.seq, 4, field);
    assert.equal(r.firstBroken!.kind, 'hash_mismatch', field);
  }
});

test('a deleted entry is found at its sequence number', () => {
  const chain = chainOf(6);
  chain.splice(2, 1);
  const r = verifyChain(chain);
  assert.deepEqual([r.firstBroken!.seq, r.firstBroken!.kind], [3, 'sequence_gap']);
});

test('a deleted entry renumbered to close the gap breaks the link at that position', () => {
  const chain = chainOf(6);
  chain.splice(2, 1);
  for (let i = 2; i < chain.length; i++) chain[i] = { ...chain[i]!, seq: i + 1 };
  const r = verifyChain(chain);
  assert.equal(r.firstBroken!.seq, 3);
});

test('two entries swapped (sequence numbers swapped with them) are found at the first', () => {
  const chain = chainOf(6);
  const a = chain[1]!;
  const b = chain[2]!;
  chain[1] = { ...b, seq: 2 };
  chain[2] = { ...a, seq: 3 };
  const r = verifyChain(chain);
  assert.equal(r.firstBroken!.seq, 2);
});

test('an inserted entry, even one correctly hashed onto its predecessor, is found at the entry after it', () => {
  const chain = chainOf(6);
  const forged = sealEntries([{ actor: 'X', action: 'promotion.approved', subject: 'E999' }], 3, chain[2]!.hash, AT)[0]!;
  const tampered = [...chain.slice(0, 3), forged, ...chain.slice(3).map((e) => ({ ...e, seq: e.seq + 1 }))];
  const r = verifyChain(tampered);
  assert.equal(r.firstBroken!.seq, 5);
  assert.equal(r.firstBroken!.kind, 'prev_hash_mismatch');
});

test('property: any single edit of any entry is found at exactly that entry', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.nat(), fc.string({ minLength: 1, maxLength: 5 }), (n, pick, junk) => {
    const chain = chainOf(n);
    const i = pick % n;
    const original = chain[i]!.reason;
    if (original === junk) return;
    chain[i] = { ...chain[i]!, reason: junk };
    const r = verifyChain(chain);
    assert.equal(r.ok, false);
    assert.equal(r.firstBroken!.seq, i + 1);
  }));
});
