// December, next year launched early and nothing to evaluate this year (found trying local mode in
// December 2026 with only 2027 launched): `开启评选` said "还没有发起主题日活动", and the way round
// the early refusal it suggested ("开启评选 强制", no year) led back to that same answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCampaign } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { lastBot } from '../summaries/support.ts';

describe.each(PROVIDERS_UNDER_TEST)('开启评选 in December with only next year launched (%s)', (provider) => {
  let h: Harness;
  const ask = async (text: string) => {
    await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, text);
    await h.drainOutbox();
    return lastBot(h, h.demo.officeChatId).text ?? '';
  };

  beforeAll(async () => {
    h = await startHarness({ provider, clock: new FakeClock(atShanghai('2026-12-06', '10:00')) });
    await h.db.campaign.create({ data: buildCampaign({ year: 2027, noticeDate: '2026-12-06' }) });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('says there is nothing to evaluate this year and how to reach next year', async () => {
    const plain = await ask('开启评选');
    expect(plain).not.toContain('还没有发起');
    expect(plain).toContain('2026 年没有主题日活动可评选');
    expect(plain).toContain('“开启评选 2027”');
  });

  it('never opens a year whose 申报 is still open, 强制 or not (it would end 申报)', async () => {
    for (const text of ['开启评选 2027', '开启评选 2027 强制']) {
      const refused = await ask(text);
      expect(refused).toContain('2027年：当前阶段为“申报中”，“开启评选”在');
      expect(refused).not.toContain('强制”');
    }
    expect((await h.db.campaign.findUniqueOrThrow({ where: { year: 2027 } })).status).toBe('collecting');
    expect(await h.db.evaluation.count()).toBe(0);
  });

  it('once the plan is out, the early refusal suggests 强制 with the year, and that command works', async () => {
    await h.db.campaign.update({ where: { year: 2027 }, data: { status: 'scheduled' } });
    const early = await ask('开启评选 2027');
    expect(early).toContain('2027 年 12 月开展');
    const suggested = /“(开启评选[^”]*强制)”/.exec(early)?.[1];
    expect(suggested).toBe('开启评选 2027 强制');

    await ask(suggested!);
    const campaign = await h.db.campaign.findUniqueOrThrow({ where: { year: 2027 }, include: { evaluation: true } });
    expect(campaign.evaluation?.status).toBe('open');
    expect(await h.db.auditLog.count({ where: { action: 'evaluation.open_forced' } })).toBe(1);
  });

  it('other evaluation commands without a year answer the same way', async () => {
    expect(await ask('评分标准')).toContain('“评分标准 2027”');
  });
});
