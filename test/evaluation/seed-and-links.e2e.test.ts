// The demo seed of the evaluated stage, and link checks after a submission (config on) against a
// local HTTP server: results stored on the summary and shown to the liaison and the coordinator.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { seedEvaluatedStage } from '../../src/usecases/demo/seed-evaluated.ts';
import { computeResults } from '../../src/usecases/evaluation/results.ts';
import { parseEvidenceCheck } from '../../src/domain/evidence.ts';
import { readJpegExif } from '../../src/adapters/files/exif.ts';
import { cardText, goodForm, lastBotCard, seedScheduled2023, waitFor, expectValidCard } from '../summaries/support.ts';
import { STORY } from '../support/kit.ts';

// A story: a summary is submitted and the rubric edited before any score; the last step seeds the scores
// (taking that summary as it is) and finds the rubric locked.
describe.each(PROVIDERS_UNDER_TEST)('demo seed and link checks (%s)', STORY, (provider) => {
  let h: Harness;
  let server: http.Server;
  let base = '';
  let themes: Awaited<ReturnType<typeof seedScheduled2023>>['themes'];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/news/ok.html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>ok</p>');
      res.writeHead(404).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await startHarness({ provider, clock: new FakeClock('2023-11-20T02:00:00Z'), env: { EVIDENCE_CHECK_LINKS: 'true', LINK_CHECK_ALLOW: '127.0.0.1' } });
    ({ themes } = await seedScheduled2023(h.db, 20));
  });
  afterAll(async () => {
    await h?.stop();
    await new Promise((r) => server.close(r));
  });

  it('links are fetched after commit; a 404 is reported, never blocking', async () => {
    const unit = h.demo.units[0]!;
    const liaison = unit.liaisons[0]!.openId;
    await h.say(liaison, unit.chatId, '总结');
    await h.drainOutbox();
    const list = lastBotCard(h, unit.chatId);
    await h.click(liaison, list.messageId, { a: 'summary.open', themeId: themes[0]!.id });
    const r = await h.click(liaison, list.messageId, { a: 'summary.submit', themeId: themes[0]!.id }, { ...goodForm(5), links_media: `${base}/news/ok.html`, links_website: `${base}/zt/missing` });
    expect(r.toast?.type).toBe('success');
    await waitFor(async () => parseEvidenceCheck((await h.db.summary.findUniqueOrThrow({ where: { themeId: themes[0]!.id } })).evidenceCheck)?.links.length === 2);
    const check = parseEvidenceCheck((await h.db.summary.findUniqueOrThrow({ where: { themeId: themes[0]!.id } })).evidenceCheck)!;
    expect(check.links.map((l) => [l.channel, l.ok, l.status])).toEqual([
      ['media', true, 200],
      ['website', false, 404],
    ]);
    await waitFor(async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'summary.evidence:' } } })) === 1);
    await h.drainOutbox();
    const evidence = lastBotCard(h, unit.chatId);
    expectValidCard(evidence.card);
    expect(cardText(evidence.card)).toContain('返回错误 404');
    expect(cardText(lastBotCard(h, h.demo.officeChatId).card)).toContain('活动总结已提交');
  });

  it('the coordinator edits the rubric before any score; refused once scored', async () => {
    const coord = h.demo.coordinatorOpenId;
    await h.say(coord, h.demo.officeChatId, '评分标准');
    await h.drainOutbox();
    const rubric = lastBotCard(h, h.demo.officeChatId);
    expectValidCard(rubric.card);
    const saved = await h.click(
      coord,
      rubric.messageId,
      { a: 'evaluation.criteria_save', rows: 5 },
      { name_0: '主题契合度', weight_0: '40', max_0: '10', name_1: '宣传推介实效', weight_1: '30', max_1: '10', name_2: '典型经验', weight_2: '30', max_2: '20' },
    );
    expect(saved.toast?.type).toBe('success');
    const criteria = await h.db.evaluationCriterion.findMany({ orderBy: { sortOrder: 'asc' } });
    expect(criteria.map((c) => [c.key, c.name, c.weight, c.maxScore])).toEqual([
      ['theme_fit', '主题契合度', 40, 10],
      ['publicity', '宣传推介实效', 30, 10],
      ['c1', '典型经验', 30, 20],
    ]);
    expect(await h.db.auditLog.count({ where: { action: 'evaluation.criteria_save' } })).toBe(1);
  });

  it('seedEvaluatedStage: summaries with photos, five judges, scores and a ranking; idempotent', async () => {
    const r = await seedEvaluatedStage(h.services);
    expect(r.skipped).toBe(false);
    expect(r.summaries).toBe(18); // every 7th activity is left without a summary
    expect(r.judges).toBe(5);
    const campaign = await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } });
    const results = await computeResults(h.db, campaign);
    expect(results.results).toHaveLength(18);
    expect(results.results.every((x) => x.aggregate.final !== undefined)).toBe(true);
    expect(results.results[0]!.ranked.rank).toBe(1);
    const fagai = results.results.find((x) => x.activity.unitName === '县发展和改革局')!;
    expect(fagai.conflicts.size).toBe(1);
    expect(fagai.aggregate.totals).toHaveLength(4);
    const photo = await h.db.attachment.findFirstOrThrow({ where: { kind: 'logo_photo' } });
    expect((await readJpegExif(await h.services.storage.get(photo.storagePath))).takenOn).toBe(photo.takenOn);
    expect((await seedEvaluatedStage(h.services)).skipped).toBe(true);
    // Scores exist now: the rubric can no longer change.
    await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, '评分标准');
    await h.drainOutbox();
    const rubric = lastBotCard(h, h.demo.officeChatId);
    expect(cardText(rubric.card)).toContain('评分标准不能再修改');
    const refused = await h.click(h.demo.coordinatorOpenId, rubric.messageId, { a: 'evaluation.criteria_save', rows: 1 }, { name_0: '全部', weight_0: '100', max_0: '10' });
    expect(refused.toast?.content).toContain('已有评委打分');
  });
});
