// The campaign resolver's one rule per intent, on both databases, across the year's turning points:
// a single campaign, December with next year's 申报 launched, and January with last year's
// evaluation still open. Plus the year typed with a command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { resolveCampaign, splitYearArg, type CampaignIntent } from '../../src/usecases/campaign/resolve.ts';

const INTENTS: CampaignIntent[] = ['collecting', 'reviewing', 'summaries', 'evaluation'];

describe('splitYearArg', () => {
  it('takes a standalone year (with or without 年) and leaves dates and names alone', () => {
    expect(splitYearArg('2026')).toEqual({ year: 2026, rest: '' });
    expect(splitYearArg(' 2026年 强制')).toEqual({ year: 2026, rest: '强制' });
    expect(splitYearArg('星沙街道 2027-01-08')).toEqual({ rest: '星沙街道 2027-01-08' });
    expect(splitYearArg('2027 星沙街道 2027-01-08')).toEqual({ year: 2027, rest: '星沙街道 2027-01-08' });
    expect(splitYearArg('20')).toEqual({ rest: '20' });
  });
});

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('resolveCampaign (%s)', STORY, (provider) => {
  let db: TestDatabase;
  const create = (year: number, status: string) =>
    db.client.campaign.create({
      data: {
        year,
        title: `长沙县${year}年“政务公开主题日”活动`,
        status,
        noticeDate: `${year}-03-23`,
        deadline: `${year}-04-07`,
        contactName: '李成英',
        contactPhone: '0731-84872387',
        contactEmail: 'a@b.cn',
        ...(status === 'draft' ? {} : { launchedAt: atShanghai(`${year}-03-23`, '10:00') }),
      },
    });
  const years = async (now: string) => Object.fromEntries(await Promise.all(INTENTS.map(async (i) => [i, (await resolveCampaign(db.client, i, { now: atShanghai(now, '10:00') }))?.year ?? null])));

  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('follows one rule per intent through the turn of the year', async () => {
    expect(await years('2026-06-01')).toEqual({ collecting: null, reviewing: null, summaries: null, evaluation: null });
    const c2026 = await create(2026, 'scheduled');
    expect(await years('2026-06-01')).toEqual({ collecting: 2026, reviewing: 2026, summaries: 2026, evaluation: 2026 });

    // A 2027 draft in November changes nothing that has been launched.
    const c2027 = await create(2027, 'draft');
    expect(await years('2026-11-20')).toEqual({ collecting: 2026, reviewing: 2026, summaries: 2026, evaluation: 2026 });

    // December: 2027 launched, 2026 evaluation open.
    await db.client.campaign.update({ where: { id: c2027.id }, data: { status: 'collecting', launchedAt: atShanghai('2026-12-01', '10:00') } });
    await db.client.campaign.update({ where: { id: c2026.id }, data: { status: 'evaluating' } });
    expect(await years('2026-12-07')).toEqual({ collecting: 2027, reviewing: 2027, summaries: 2026, evaluation: 2026 });

    // January: 2027's activities have begun, 2026's evaluation is still being finished.
    expect(await years('2027-01-10')).toEqual({ collecting: 2027, reviewing: 2027, summaries: 2027, evaluation: 2026 });

    // 2026 closed, 2027 scheduled in May: everything is 2027.
    await db.client.campaign.update({ where: { id: c2026.id }, data: { status: 'closed' } });
    await db.client.campaign.update({ where: { id: c2027.id }, data: { status: 'scheduled' } });
    expect(await years('2027-05-10')).toEqual({ collecting: 2027, reviewing: 2027, summaries: 2027, evaluation: 2027 });
  });

  it('a year typed with the command wins over every rule', async () => {
    for (const intent of INTENTS) {
      expect((await resolveCampaign(db.client, intent, { now: atShanghai('2027-05-10', '10:00'), year: 2026 }))?.year).toBe(2026);
      expect(await resolveCampaign(db.client, intent, { now: atShanghai('2027-05-10', '10:00'), year: 2031 })).toBeNull();
    }
  });
});
