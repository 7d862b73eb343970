/** Promotion use cases on both stores: a small company with a chain up to a VP, real standing from badges. */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { refused as refusedWith, setUpChainCompany } from '../testing/workflows.js';
import type { Db } from '../store/db.js';
import type { Deps } from './deps.js';
import { resolveActor } from './actor.js';
import { findAuditEntries } from '../store/audit.repository.js';
import { verifyChain } from '../audit/chain.js';
import { readAuditPage } from '../store/audit.repository.js';
import { HubdayError } from '../errors.js';
import { approvePromotion, denyPromotion, listPromotions, nominatePromotion, showPromotion, withdrawPromotion } from './promotions.js';

/** M1's reports E1, E2, E8 (5) under the chain of CHAIN_CSV (C1 → V1 → D1 → M1; X1 beside M1; HR H1, H2), and M2 (7, no manager) → E9. */
const REPORTS_CSV = `E1,e1@example.com,Ada One,M1,5,software_engineering,Retail,SEA1,hybrid,2020-01-06,
E2,e2@example.com,Bo Two,M1,5,software_engineering,Retail,SEA1,hybrid,2020-01-06,
E8,e8@example.com,Cy Eight,M1,5,software_engineering,Retail,SEA1,hybrid,2020-01-06,
M2,m2@example.com,Moe Loose,,7,sales,Field,SEA1,hybrid,2018-03-01,
E9,e9@example.com,Di Nine,M2,5,sales,Field,SEA1,hybrid,2020-01-06,
`;

/** Weeks from Monday 2026-08-31 (13 weeks): C = present Tue–Thu, N = present Tue only. */
const PATTERNS: Record<string, string> = {
  E1: 'CCCCCCCCCCCCC',
  E2: 'NNNNNNNNNNNNN',
  E8: 'CCCCNNNNCCCCC',
  E9: 'NNNNNNNNNNNNN',
};

async function setUp(db: Db): Promise<Deps> {
  return (await setUpChainCompany(db, { reports: REPORTS_CSV, patterns: PATTERNS })).deps;
}

/** A refusal of a promotion step: always forbidden, a conflict or a usage error. */
async function refused(p: Promise<unknown>, reason: string): Promise<HubdayError> {
  const e = await refusedWith(p, reason);
  assert.ok(e.code === 'forbidden' || e.code === 'conflict' || e.code === 'invalid_usage', e.code);
  return e;
}

forEachStore('promotion: good standing is decided by the skip level or HR, never by the nominator; the record is final', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string) => resolveActor(deps, id);

  const p = await nominatePromotion(deps, await as('M1'), { employeeId: 'E1', toLevel: 6, reason: 'leads the checkout rewrite' });
  assert.equal(p.promotionId, 'P1');
  assert.equal(p.status, 'pending');
  assert.deepEqual([p.nominationEvidence.goodStanding, p.nominationEvidence.counted, p.nominationEvidence.compliant, p.nominationEvidence.tier], [true, 12, 12, 'consistent']);
  assert.equal(p.nominationEvidence.weeks.length, 12);
  assert.equal(p.ruleNow!.rule, 'skip_level_or_hr');
  assert.match(p.approvers!.text, /^D1 \(the manager's manager\) or someone above them, or HR \(never M1, who nominated\)/);

  // Who may not nominate, or not again.
  await refused(nominatePromotion(deps, await as('E1'), { employeeId: 'E1', toLevel: 6, reason: 'me' }), 'self_nomination');
  await refused(nominatePromotion(deps, await as('X1'), { employeeId: 'E1', toLevel: 6, reason: 'x' }), 'nominator_not_in_chain');
  await refused(nominatePromotion(deps, await as('D1'), { employeeId: 'E1', toLevel: 7, reason: 'x' }), 'nomination_pending');
  await refused(nominatePromotion(deps, await as('M1'), { employeeId: 'E2', toLevel: 5, reason: 'x' }), 'level_not_above');
  await refused(nominatePromotion(deps, await as('M1'), { employeeId: 'E2', toLevel: 6, reason: ' ' }), 'reason_required');

  // Who may not decide.
  await refused(approvePromotion(deps, await as('M1'), { promotionId: 'P1' }), 'nominator_cannot_decide');
  await refused(approvePromotion(deps, await as('E1'), { promotionId: 'P1' }), 'own_promotion');
  await refused(approvePromotion(deps, await as('X1'), { promotionId: 'P1' }), 'not_in_reporting_line');
  await refused(denyPromotion(deps, await as('D1'), { promotionId: 'P1', reason: '' }), 'reason_required');

  const approved = await approvePromotion(deps, await as('D1'), { promotionId: 'P1', reason: 'well deserved' });
  assert.deepEqual([approved.status, approved.decidedBy, approved.decisionRule, approved.ruleChanged], ['approved', 'D1', 'skip_level_or_hr', false]);
  assert.equal(approved.decisionEvidence!.ratio, 1);
  for (const [fn, who] of [[approvePromotion, 'V1'], [denyPromotion, 'H1'], [withdrawPromotion, 'M1']] as const) {
    await refused(fn(deps, await as(who), { promotionId: 'P1', reason: 'again' }), 'promotion_not_pending');
  }

  // HR may approve in good standing; the nominator or HR may withdraw.
  const p2 = await nominatePromotion(deps, await as('D1'), { employeeId: 'E1', toLevel: 7, reason: 'next step' });
  await refused(withdrawPromotion(deps, await as('V1'), { promotionId: p2.promotionId }), 'withdraw_not_nominator');
  const w = await withdrawPromotion(deps, await as('D1'), { promotionId: p2.promotionId, reason: 'too early' });
  assert.equal(w.status, 'withdrawn');

  const entries = await findAuditEntries(db, { action: 'promotion.' });
  assert.deepEqual(entries.map((e) => [e.action, e.actor, e.subject, e.entity]), [
    ['promotion.nominated', 'M1', 'E1', 'promotion:P1'],
    ['promotion.approved', 'D1', 'E1', 'promotion:P1'],
    ['promotion.nominated', 'D1', 'E1', 'promotion:P2'],
    ['promotion.withdrawn', 'D1', 'E1', 'promotion:P2'],
  ]);
  const after = JSON.parse(entries[1]!.after!);
  assert.deepEqual([after.status, after.rule, after.standing.ratio, after.standing.goodStanding, after.standing.tier], ['approved', 'skip_level_or_hr', 1, true, 'consistent']);
  assert.equal(entries[1]!.reason, 'well deserved');
  assert.doesNotMatch(entries.map((e) => `${e.after} ${e.before}`).join(' '), /Ada|example\.com/, 'no names or emails in the log');
  assert.equal(verifyChain(await readAuditPage(db, 0, 10_000)).ok, true);
});

forEachStore('promotion: not in good standing needs the VP or above; list --pending shows what each may decide; open disputes are not evidence', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string) => resolveActor(deps, id);

  const p = await nominatePromotion(deps, await as('M1'), { employeeId: 'E2', toLevel: 6, reason: 'strong delivery' });
  assert.deepEqual([p.nominationEvidence.goodStanding, p.nominationEvidence.ratio, p.nominationEvidence.tier], [false, 0, 'limited']);
  assert.equal(p.ruleNow!.rule, 'vp_or_above');
  assert.equal(p.approvers!.vp, 'V1');

  // What each may decide.
  const pendingFor = async (id: string) => (await listPromotions(deps, await as(id), { pending: true })).map((v) => v.promotionId);
  assert.deepEqual(await pendingFor('V1'), ['P1']);
  assert.deepEqual(await pendingFor('C1'), ['P1']);
  assert.deepEqual(await pendingFor('D1'), []);
  assert.deepEqual(await pendingFor('M1'), []);
  assert.deepEqual(await pendingFor('X1'), []);
  const hrList = await listPromotions(deps, await as('H1'), { pending: true });
  assert.deepEqual(hrList.map((v) => [v.promotionId, v.ruleNow!.rule, v.youMayDecide]), [['P1', 'vp_or_above', false]]);
  assert.deepEqual((await listPromotions(deps, await as('E2'))).map((v) => v.promotionId), ['P1'], 'the person sees their own nomination');
  assert.deepEqual((await listPromotions(deps, await as('X1'))).map((v) => v.promotionId), []);
  await refused(showPromotion(deps, await as('X1'), { promotionId: 'P1' }), 'not_in_reporting_line');

  await refused(approvePromotion(deps, await as('D1'), { promotionId: 'P1' }), 'approver_not_vp');
  const hr = await refused(approvePromotion(deps, await as('H1'), { promotionId: 'P1' }), 'approver_not_vp');
  assert.match(hr.message, /only V1 \(the VP\) or someone above them \(never M1, who nominated\) may decide/);
  await refused(denyPromotion(deps, await as('H1'), { promotionId: 'P1', reason: 'attendance' }), 'approver_not_vp');
  const ok = await approvePromotion(deps, await as('V1'), { promotionId: 'P1', reason: 'business critical role' });
  assert.deepEqual([ok.status, ok.decidedBy, ok.decisionRule], ['approved', 'V1', 'vp_or_above']);
  assert.deepEqual([ok.decisionEvidence!.ratio, ok.decisionEvidence!.counted, ok.decisionEvidence!.tier, ok.decisionEvidence!.weeks.length], [0, 12, 'limited', 12]);
  const [entry] = await findAuditEntries(db, { action: 'promotion.approved' });
  assert.deepEqual(JSON.parse(entry!.after!).standing, {
    goodStanding: false, ratio: 0, tier: 'limited', counted: 12, compliant: 0, measure: 'weeks', minRatio: 0.75, from: '2026-09-07', to: '2026-11-29',
    excludedWeeks: 0, policy: { id: 'rto-3', version: 1 },
  });
  const reads = await findAuditEntries(db, { action: 'attendance.viewed', subject: 'E2' });
  assert.ok(reads.some((e) => e.actor === 'H1'), 'reading standing in a list is audited');

  // E8: 8 of 12 weeks compliant (0.667, not good); an open dispute on two non-compliant weeks leaves them out (8 of 10).
  const e8 = await nominatePromotion(deps, await as('M1'), { employeeId: 'E8', toLevel: 6, reason: 'x' });
  assert.deepEqual([e8.nominationEvidence.goodStanding, e8.nominationEvidence.ratio], [false, 8 / 12]);
  await withdrawPromotion(deps, await as('M1'), { promotionId: e8.promotionId });
  await db.query(`INSERT INTO dispute (dispute_id, employee_id, day, office_id, reason, status, opened_by, opened_at)
                  VALUES ('T1', 'E8', '2026-09-30', 'SEA1', 'reader down', 'open', 'E8', now()), ('T2', 'E8', '2026-10-07', 'SEA1', 'reader down', 'open', 'E8', now())`);
  const again = await nominatePromotion(deps, await as('M1'), { employeeId: 'E8', toLevel: 6, reason: 'x' });
  assert.deepEqual([again.nominationEvidence.goodStanding, again.nominationEvidence.counted, again.nominationEvidence.ratio], [true, 10, 0.8]);
  assert.deepEqual(again.nominationEvidence.excludedWeeks, [{ weekStart: '2026-09-28', reason: 'open_dispute' }, { weekStart: '2026-10-05', reason: 'open_dispute' }]);
  assert.equal(again.ruleNow!.rule, 'skip_level_or_hr');
  // Once the disputes are rejected, the standing at decision is not good: the stricter rule applies, and the record says so.
  await db.query(`UPDATE dispute SET status = 'rejected' WHERE employee_id = 'E8'`);
  await refused(approvePromotion(deps, await as('D1'), { promotionId: again.promotionId }), 'approver_not_vp');
  const strict = await approvePromotion(deps, await as('V1'), { promotionId: again.promotionId });
  assert.deepEqual([strict.decisionRule, strict.ruleChanged], ['vp_or_above', true]);
  assert.match(strict.ruleNote!, /in good standing at nomination but not at decision/);

  // No VP in the chain: nobody may decide until HR fixes the org data.
  const e9 = await nominatePromotion(deps, await as('M2'), { employeeId: 'E9', toLevel: 6, reason: 'x' });
  assert.match(e9.approvers!.text, /^nobody/);
  const novp = await refused(approvePromotion(deps, await as('H1'), { promotionId: e9.promotionId }), 'no_vp_in_chain');
  assert.match(novp.message, /HR must correct the org data/);
});
