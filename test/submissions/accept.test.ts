// acceptSubmission's optimistic lock on real databases: a second accept of the same version is
// refused, also when two transactions race (PostgreSQL waits on the row, then re-checks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { acceptSubmission, writeWithdrawal } from '../../src/usecases/submissions/submit.ts';

const theme = (title: string) => ({ title, month: 6, forms: ['forum' as const], intro: '组织群众代表座谈交流，听取对政策落实情况的意见建议。' });

describe.each(PROVIDERS_UNDER_TEST)('acceptSubmission (%s)', (provider) => {
  let db: TestDatabase;
  let submissionId: string;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
    const c = db.client;
    const unit = await c.unit.create({ data: { name: '星沙街道', kind: 'street' } });
    await c.liaison.create({ data: { unitId: unit.id, openId: 'ou_a', name: '甲', role: 'primary' } });
    const campaign = await c.campaign.create({ data: { year: 2023, title: 't', status: 'collecting', noticeDate: '2023-03-23', deadline: '2023-04-07', contactName: '李', contactPhone: '0731-84872387', contactEmail: 'a@b.cn' } });
    submissionId = (await c.submission.create({ data: { campaignId: campaign.id, unitId: unit.id } })).id;
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const load = (tx: TestDatabase['client']) => tx.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { campaign: true } });

  it('refuses a second accept of the same version', async () => {
    const c = db.client;
    const stale = await load(c);
    const first = await c.$transaction((tx) => acceptSubmission(tx, { submission: stale, contact: { name: '甲', phone: '13812345678' }, themes: [theme('一')], actor: 'ou_a', now: new Date('2023-04-01T02:00:00Z') }));
    expect(first).toMatchObject({ action: 'submit', version: 1, late: false });
    const second = await c.$transaction((tx) => acceptSubmission(tx, { submission: stale, contact: { name: '甲', phone: '13812345678' }, themes: [theme('二')], actor: 'ou_a', now: new Date('2023-04-01T03:00:00Z') }));
    expect(second).toBeNull();
    const s = await c.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { themes: true } });
    expect(s.version).toBe(1);
    expect(s.themes.map((t) => t.title)).toEqual(['一']);
    expect((await c.liaison.findFirstOrThrow({ where: { openId: 'ou_a' } })).phone).toBe('13812345678');
  });

  it('lets exactly one of two racing edits through', async () => {
    const c = db.client;
    const base = await load(c);
    const race = (title: string) =>
      c.$transaction(
        async (tx) => {
          const r = await acceptSubmission(tx, { submission: base, contact: { name: '甲', phone: '13812345678' }, themes: [theme(title)], actor: 'ou_a', now: new Date('2023-04-02T02:00:00Z') });
          await new Promise((res) => setTimeout(res, 50));
          return r;
        },
        { timeout: 20_000 },
      );
    const results = await Promise.allSettled([race('甲版'), race('乙版')]);
    const accepted = results.filter((r) => r.status === 'fulfilled' && r.value !== null);
    expect(accepted.length).toBe(1);
    const s = await c.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { themes: { where: { state: 'active' } }, revisions: true } });
    expect(s.version).toBe(2);
    expect(s.themes.length).toBe(1);
    expect(s.revisions.map((r) => r.version).sort()).toEqual([1, 2]);
  });

  it('withdrawal uses the same lock', async () => {
    const c = db.client;
    const stale = { id: submissionId, version: 1 };
    expect(await c.$transaction((tx) => writeWithdrawal(tx, stale, 'ou_a', new Date('2023-04-03T02:00:00Z')))).toBeNull();
    const ok = await c.$transaction((tx) => writeWithdrawal(tx, { id: submissionId, version: 2 }, 'ou_a', new Date('2023-04-03T02:00:00Z')));
    expect(ok?.version).toBe(3);
    const s = await c.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { themes: true } });
    expect(s.status).toBe('withdrawn');
    expect(s.themes.every((t) => t.state === 'removed')).toBe(true);
  });
});
