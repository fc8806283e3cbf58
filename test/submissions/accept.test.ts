// acceptSubmission's optimistic lock on real databases: a second accept of the same version is
// refused, also when two transactions race (PostgreSQL waits on the row, then re-checks). Its
// revision snapshots, made from what it read and wrote, are what the database holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { acceptSubmission, writeWithdrawal } from '../../src/usecases/submissions/submit.ts';
import { activeThemes, type RevisionSnapshot } from '../../src/usecases/submissions/shared.ts';

const theme = (title: string) => ({ title, month: 6, forms: ['forum' as const], intro: '组织群众代表座谈交流，听取对政策落实情况的意见建议。' });

describe.each(PROVIDERS_UNDER_TEST)('acceptSubmission (%s)', (provider) => {
  let db: TestDatabase;
  let campaignId: string;
  let units = 0;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
    const c = db.client;
    const campaign = await c.campaign.create({ data: { year: 2023, title: 't', status: 'collecting', noticeDate: '2023-03-23', deadline: '2023-04-07', contactName: '李', contactPhone: '0731-84872387', contactEmail: 'a@b.cn' } });
    campaignId = campaign.id;
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const load = (tx: TestDatabase['client'], submissionId: string) => tx.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { campaign: true } });
  /** A unit of its own (liaison ou_a) with a pending submission, accepted `accepts` times (one version each). */
  async function submission(accepts = 0): Promise<string> {
    const c = db.client;
    const unit = await c.unit.create({ data: { name: `星沙街道${++units}`, kind: 'street' } });
    await c.liaison.create({ data: { unitId: unit.id, openId: 'ou_a', name: '甲', role: 'primary' } });
    const id = (await c.submission.create({ data: { campaignId, unitId: unit.id } })).id;
    for (let i = 0; i < accepts; i++) {
      const s = await load(c, id);
      const r = await c.$transaction((tx) => acceptSubmission(tx, { submission: s, contact: { name: '甲', phone: '13812345678' }, themes: [theme(`第${i + 1}版`)], actor: 'ou_a', now: new Date('2023-04-01T02:00:00Z') }));
      if (r === null) throw new Error('setup accept refused');
    }
    return id;
  }

  it('refuses a second accept of the same version', async () => {
    const c = db.client;
    const submissionId = await submission();
    const stale = await load(c, submissionId);
    const first = await c.$transaction((tx) => acceptSubmission(tx, { submission: stale, contact: { name: '甲', phone: '13812345678' }, themes: [theme('一')], actor: 'ou_a', now: new Date('2023-04-01T02:00:00Z') }));
    expect(first).toMatchObject({ action: 'submit', version: 1, late: false });
    const second = await c.$transaction((tx) => acceptSubmission(tx, { submission: stale, contact: { name: '甲', phone: '13812345678' }, themes: [theme('二')], actor: 'ou_a', now: new Date('2023-04-01T03:00:00Z') }));
    expect(second).toBeNull();
    const s = await c.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { themes: true } });
    expect(s.version).toBe(1);
    expect(s.themes.map((t) => t.title)).toEqual(['一']);
    expect((await c.liaison.findFirstOrThrow({ where: { openId: 'ou_a', unit: { submissions: { some: { id: submissionId } } } } })).phone).toBe('13812345678');
  });

  it('lets exactly one of two racing edits through', async () => {
    const c = db.client;
    const submissionId = await submission(1); // at version 1, as a unit that has submitted once
    const base = await load(c, submissionId);
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

  it('snapshots before and after as the database holds them: kept, changed, reordered, dropped and new themes', async () => {
    const c = db.client;
    const submissionId = await submission();
    /** The submission as read back from the database, in the snapshot's form. */
    const stored = async (): Promise<RevisionSnapshot> => {
      const s = await c.submission.findUniqueOrThrow({ where: { id: submissionId } });
      const themes = await activeThemes(c as never, submissionId);
      return { status: s.status, contactName: s.contactName, contactPhone: s.contactPhone, late: s.late, themes: themes.map((t, i) => ({ ...t, seq: i + 1 })) };
    };
    const accept = async (themes: Parameters<typeof acceptSubmission>[1]['themes'], phone: string, at: string) => {
      const before = await stored();
      const s = await load(c, submissionId);
      const r = await c.$transaction((tx) => acceptSubmission(tx, { submission: s, contact: { name: '甲', phone }, themes, actor: 'ou_a', now: new Date(at) }));
      expect(r).not.toBeNull();
      expect(r!.before).toEqual(before);
      expect(r!.after).toEqual(await stored());
      const revision = await c.submissionRevision.findFirstOrThrow({ where: { submissionId, version: r!.version } });
      expect(JSON.parse(revision.snapshot)).toEqual(r!.after);
      return r!;
    };
    // late (after the deadline), three themes; forms given out of their list order, domains set
    const first = await accept(
      [
        { ...theme('一'), forms: ['survey', 'forum'], domains: ['教育'] },
        { ...theme('二'), month: 7 },
        { ...theme('三'), month: 9 },
      ],
      '13812345678',
      '2023-04-10T02:00:00Z',
    );
    expect(first.late).toBe(true);
    const ids = first.after.themes.map((t) => t.themeId!);
    // edit: the third first and changed, the first kept as it was, the second dropped, a new one
    const kept = first.after.themes[0]!;
    await accept(
      [{ themeId: ids[2], ...theme('三（改）'), month: 10 }, { themeId: ids[0], title: kept.title, month: kept.month, forms: ['survey', 'forum'], intro: kept.intro, domains: ['教育'] }, theme('四')],
      '0731-84875001',
      '2023-04-11T02:00:00Z',
    );
  });

  it('withdrawal uses the same lock', async () => {
    const c = db.client;
    const submissionId = await submission(2); // at version 2: submitted, then edited once
    const stale = { id: submissionId, version: 1 };
    expect(await c.$transaction((tx) => writeWithdrawal(tx, stale, 'ou_a', new Date('2023-04-03T02:00:00Z')))).toBeNull();
    const ok = await c.$transaction((tx) => writeWithdrawal(tx, { id: submissionId, version: 2 }, 'ou_a', new Date('2023-04-03T02:00:00Z')));
    expect(ok?.version).toBe(3);
    const s = await c.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { themes: true } });
    expect(s.status).toBe('withdrawn');
    expect(s.themes.every((t) => t.state === 'removed')).toBe(true);
  });
});
