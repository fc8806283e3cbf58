// Every summary/evidence/evaluation card builder, fed worst-case data, passes the emulator's
// Card JSON 2.0 validator and stays under Feishu's 30 KB card limit.
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/emulator/card-schema.ts';
import type { CardJson } from '../../cards/kit.ts';
import { completenessCard, photoListCard, photoReceivedCard, photoTargetCard, photoTargetChosenCard, summaryFormCard, summaryReadCard, unitActivitiesCard, type CompletenessRow } from '../../cards/summary.ts';
import { evidenceElements, evidenceResultCard } from '../../cards/evidence.ts';
import { announcementCard, criteriaCard, evaluationProgressCard, judgeHomeCard, scoreCard } from '../../cards/evaluation.ts';
import { emptyRaw, parseSummary, type SummaryRaw } from '../../src/domain/summary.ts';
import { DEFAULT_CRITERIA } from '../../src/domain/evaluation.ts';
import { evaluateEvidence } from '../../src/domain/evidence.ts';

const long = (n: number) => '政务公开主题日活动<at id=all></at>**[x](http://evil)**'.repeat(Math.ceil(n / 40)).slice(0, n);
const N = 100;

function check(card: CardJson): void {
  const r = validateCard(card);
  if (!r.ok) throw new Error(r.message);
  expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThan(30 * 1024);
  // User text is inert inside markdown (plain_text fields are never parsed, so they may keep it).
  for (const md of markdownContents(card)) {
    expect(md).not.toContain('<at id=all>');
    expect(md).not.toContain('[x](http://evil)');
  }
}

function markdownContents(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(markdownContents);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = o.tag === 'markdown' && typeof o.content === 'string' ? [o.content] : [];
  return [...own, ...Object.values(o).flatMap(markdownContents)];
}

const raw: SummaryRaw = {
  ...emptyRaw(),
  dates: ['2023-05-12', '2023-05-13', '2023-05-14'],
  datesText: '5月20日、5月21日',
  forms: ['survey', 'observe', 'forum', 'policy', 'questionnaire'],
  participants: { npcDeputies: '999999', cppccMembers: '1', experts: '2', media: '3', citizens: '4' },
  logo: 'yes',
  links: { media: Array.from({ length: 8 }, (_, i) => `https://news.example.cn/a/very/long/path/${i}.html`).join('\n'), website: 'https://www.example.gov.cn/', newMedia: 'not a url' },
  policy: 'no',
  opinions: '12',
  surveyAnswers: '3',
  summary: long(1000),
  experience: long(1000),
};
const parsed = parseSummary({ ...raw, links: { media: 'https://a.cn', website: '', newMedia: '' } }, { year: 2023, today: '2023-12-01' });
const values = parsed.ok ? parsed.values : parsed.partial;
const evidence = evaluateEvidence(
  {
    year: 2023,
    month: 5,
    heldDates: ['2023-07-01'],
    links: { media: Array.from({ length: 20 }, (_, i) => `https://x.cn/${i}`), website: [], newMedia: [] },
    logoShown: true,
    photos: Array.from({ length: 30 }, (_, i) => ({ id: String(i), fileName: `照片${i}.jpg`, takenOn: '2021-01-01', kind: 'photo' })),
    linkResults: Array.from({ length: 20 }, (_, i) => ({ url: `https://x.cn/${i}`, channel: 'media' as const, ok: false, status: 500, error: 'http_error' })),
  },
  new Date('2023-12-01T00:00:00Z'),
);

describe('summary cards', () => {
  it('the form with every field filled, every error shown and evidence', () => {
    const errors = Object.fromEntries(
      ['held_date_1', 'held_dates_text', 'forms_used', 'p_npcDeputies', 'logo_shown', 'links_media', 'links_newMedia', 'policy_released', 'opinions_count', 'survey_answers', 'summary_text', 'experience'].map((k) => [k, long(120)]),
    );
    check(summaryFormCard({ themeId: 't1', unitName: long(40), title: long(40), year: 2023, month: 5, status: 'submitted', raw, errors, photoCount: 30, logoPhotoCount: 1, evidence, notice: long(80), pendingEdits: true }));
    check(summaryFormCard({ themeId: 't1', unitName: '星沙街道', title: '主题', year: 2023, month: 5, status: 'none', raw: emptyRaw(), errors: {}, photoCount: 0, logoPhotoCount: 0 }));
  });
  it('read view, activity list, photo list, target question, receipt, evidence', () => {
    check(summaryReadCard({ themeId: 't1', unitName: long(40), title: long(40), year: 2023, month: 5, status: 'submitted', values, photoCount: 3, logoPhotoCount: 1, evidence, submittedAt: '2023-06-01 10:00', editable: true, notice: 'x' }));
    check(unitActivitiesCard({ unitName: '星沙街道', year: 2023, items: Array.from({ length: 30 }, (_, i) => ({ themeId: `t${i}`, title: long(40), month: 5, status: 'draft' as const, photoCount: i })) }));
    check(unitActivitiesCard({ unitName: '星沙街道', year: 2023, items: [] }));
    // Buttons beside text sit in a column as wide as they are: a weighted share of a 390 px card cut
    // 填写总结 to "填写…" and 标为 LOGO 照片 to "标为 LOGO …".
    const columnOf = (c: CardJson, label: string) =>
      (c as { body: { elements: { columns?: { width: string; elements: { tag: string; text?: { content: string } }[] }[] }[] } }).body.elements
        .flatMap((e) => e.columns ?? [])
        .find((col) => col.elements.some((b) => b.tag === 'button' && b.text?.content === label))?.width;
    expect(columnOf(unitActivitiesCard({ unitName: '星沙街道', year: 2023, items: [{ themeId: 't1', title: '老旧小区改造政策面对面', month: 4, status: 'draft', photoCount: 0 }] }), '填写总结')).toBe('auto');
    // A photo's buttons go under its text, in a row that wraps: a column of buttons beside the text
    // left it 138 px on a 390 px phone, and the date broke at its hyphen (a Chromium pass).
    type Col = { tag: string; width?: string; weight?: number; elements: { tag: string; flex_mode?: string; content?: string; columns?: Col[]; text?: { content: string } }[] };
    const photoRow = (
      photoListCard({ themeId: 't1', unitName: '星沙街道', title: '政策面对面', photos: [{ id: 'p1', fileName: 'a.jpg', takenOn: '2023-05-10', sizeBytes: 12_288, isLogo: false, imageKey: 'img_v3_abc' }] }) as {
        body: { elements: { columns?: Col[] }[] };
      }
    ).body.elements.find((e) => e.columns)!;
    expect(photoRow.columns!.map((c) => [c.width, c.weight])).toEqual([
      ['weighted', 1],
      ['weighted', 3],
    ]);
    const [text, buttonsRow] = photoRow.columns![1]!.elements;
    expect(text!.content).toMatch(/^1）a.*jpg\n拍摄日期：2023-05-10\n12 KB$/);
    expect(buttonsRow!.flex_mode).toBe('flow');
    expect(buttonsRow!.columns!.map((c) => [c.width, c.elements[0]!.text?.content])).toEqual([
      ['auto', '标为 LOGO 照片'],
      ['auto', '删除'],
    ]);
    check(
      photoListCard({
        themeId: 't1',
        unitName: '星沙街道',
        title: long(40),
        photos: Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, fileName: `${long(30)}.jpg`, takenOn: i % 2 ? null : '2023-05-12', sizeBytes: 123456, isLogo: i === 0, ...(i % 2 ? { imageKey: `img_v3_${i}` } : {}) })),
        notice: long(50),
      }),
    );
    // Each photo that reached Feishu is shown as a thumbnail beside its buttons (liaisons had file names only).
    const listed = JSON.stringify(photoListCard({ themeId: 't1', unitName: '星沙街道', title: '政策面对面', photos: [{ id: 'p1', fileName: 'a.jpg', takenOn: null, sizeBytes: 1, isLogo: false, imageKey: 'img_v3_abc' }] }));
    expect(listed).toContain('"tag":"img","img_key":"img_v3_abc"');
    check(photoTargetCard({ ref: 'om_1', options: Array.from({ length: 10 }, (_, i) => ({ themeId: `t${i}`, label: long(60) })) }));
    check(photoTargetChosenCard(long(40)));
    check(photoReceivedCard({ themeId: 't1', title: long(40), count: 3, summaryStatus: 'submitted', duplicate: true, takenOn: '2023-05-12', warning: long(60) }));
    check(evidenceResultCard({ themeId: 't1', unitName: '星沙街道', title: long(40), check: evidence, mentionLine: '<at id=ou_abc></at> 已提交' }));
  });
  it('on a phone the date pickers stack and the counts go two a row (squeezed, a date read "04/18/")', () => {
    const sets: { flex_mode: string; columns: { elements: { tag: string }[] }[] }[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      if ((n as { tag?: string }).tag === 'column_set') sets.push(n as never);
      Object.values(n).forEach(walk);
    };
    walk(summaryFormCard({ themeId: 't', unitName: '星沙街道', title: '政策面对面', year: 2023, month: 5, status: 'draft', photoCount: 0, logoPhotoCount: 0, raw: emptyRaw(), errors: {} }));
    const holding = (tag: string) => sets.filter((s) => s.columns.some((c) => c.elements.some((e) => e.tag === tag)));
    expect(holding('date_picker').map((s) => s.flex_mode)).toEqual(['stretch']);
    expect(
      holding('input')
        .slice(0, 2)
        .map((s) => s.flex_mode),
    ).toEqual(['bisect', 'bisect']);
  });

  it('the evidence box counts what it lists, says nothing is wrong only when nothing is, and shows each broken link on its own', () => {
    const at = new Date('2023-06-01T02:00:00Z');
    const base = { year: 2023, month: 5, heldDates: ['2023-05-12'], logoShown: true };
    const photo = (kind: string, takenOn: string | null) => ({ id: kind, fileName: `${kind}.jpg`, takenOn, kind });
    const texts = (elements: unknown[]) => elements.map((e) => JSON.stringify(e));
    // A photo without a date and links not checked: notes, not problems.
    const notes = texts(evidenceElements(evaluateEvidence({ ...base, links: { media: ['https://a.cn/1'], website: [], newMedia: [] }, photos: [photo('logo_photo', null)] }, at)));
    expect(notes[0]).toContain('✔ 证据核验未发现问题</font>，另请留意 2 项');
    expect(notes[0]!.match(/\\n- /g)).toHaveLength(2);
    // Two problems (no photos, two broken links) and a note: three items listed under "3 + 1".
    const broken = (url: string) => ({ url, channel: 'media' as const, ok: false, status: 404, error: 'http_error' });
    const problems = evidenceElements(
      evaluateEvidence({ ...base, links: { media: ['https://a.cn/1', 'https://a.cn/2'], website: [], newMedia: [] }, photos: [], linkResults: [broken('https://a.cn/1'), broken('https://a.cn/2')], heldDates: ['2023-07-01'] }, at),
    );
    const [head, ...rest] = texts(problems);
    expect(head).toContain('证据核验提示 4 项（仅作提醒，不影响提交）');
    expect(head).not.toContain('未发现问题');
    expect(head!.match(/\\n- /g)).toHaveLength(2);
    expect(rest.filter((t) => t.includes('链接返回错误 404'))).toHaveLength(2);
    expect(rest.at(-1)).toContain('链接核验：0/2 个可访问');
    // The judge reads the same findings; the liaison's "does not block submitting" is not for them.
    const forJudge = JSON.stringify(evidenceElements(evaluateEvidence({ ...base, links: { media: [], website: [], newMedia: [] }, photos: [] }, at), { forJudge: true })[0]);
    expect(forJudge).toContain('证据核验提示 2 项：');
    expect(forJudge).not.toContain('不影响提交');
    // Nothing at all.
    const clean = texts(
      evidenceElements(
        evaluateEvidence({ ...base, links: { media: ['https://a.cn/1'], website: [], newMedia: [] }, photos: [photo('logo_photo', '2023-05-12')], linkResults: [{ url: 'https://a.cn/1', channel: 'media', ok: true, status: 200 }] }, at),
      ),
    );
    expect(clean[0]).toContain('✔ 证据核验未发现问题</font>"');
  });

  it('the photo answer offers the summary action that fits its state', () => {
    const texts = (summaryStatus: 'none' | 'draft' | 'submitted') =>
      JSON.stringify(photoReceivedCard({ themeId: 't1', title: '主题', count: 1, summaryStatus }))
        .match(/"content":"[^"]*"/g)!
        .filter((c) => /总结/.test(c));
    expect(texts('none')).toEqual(['"content":"填写总结"']);
    expect(texts('draft')).toEqual(['"content":"继续填写总结"']);
    expect(texts('submitted')).toEqual(expect.arrayContaining(['"content":"查看总结"', '"content":"修改总结"']));
    expect(texts('submitted')).not.toContain('"content":"填写总结"');
  });
  it('completeness for a county-sized campaign', () => {
    const rows: CompletenessRow[] = Array.from({ length: N }, (_, i) => ({
      themeId: `cm${i}xxxxxxxxxxxxxxxxxxxx`,
      unitId: `u${i}`,
      unitChatId: null,
      unitName: `县人力资源和社会保障局${i}`,
      title: long(40),
      month: 5 + (i % 7),
      held: i % 2 === 0,
      status: i % 3 === 0 ? 'none' : 'submitted',
      photos: i,
      logo: i % 2 === 0,
      links: 2,
      warnings: 1,
      missingKeys: ['photos', 'logo', 'links'],
      missing: ['照片', 'LOGO 照片', '宣传链接'],
    }));
    check(completenessCard({ year: 2023, rows, today: '2023-12-01' }));
  });
  it('completeness: activities whose month is not over are not missing anything yet; rows by month, overdue first', () => {
    const row = (i: number, month: number, missing: string[]): CompletenessRow => ({
      themeId: `t${i}`,
      unitId: `u${i}`,
      unitChatId: null,
      unitName: `单位${i}`,
      title: `活动${i}`,
      month,
      held: false,
      status: missing.length ? 'none' : 'submitted',
      photos: 0,
      logo: false,
      links: 0,
      warnings: 0,
      missingKeys: [],
      missing,
    });
    const all = ['总结', '照片'];
    // 7月15日: May is over (missing), July is running, September to come; June is complete.
    const c = completenessCard({ year: 2023, rows: [row(1, 9, all), row(2, 5, all), row(3, 6, []), row(4, 7, all)], today: '2023-07-15' });
    check(c);
    const tableRows = JSON.stringify(c).match(/"unit":"单位\d"[^}]*"missing":"[^"]*"/g)!;
    expect(tableRows.map((r) => /单位(\d)/.exec(r)![1])).toEqual(['2', '4', '1', '3']);
    expect(tableRows[0]).toContain('"missing":"总结、照片"');
    expect(tableRows[1]).toContain('"missing":"活动月后填写"');
    expect(tableRows[3]).toContain('"missing":"齐全"');
    expect(JSON.stringify(c)).toContain('2 项活动月份未过');
  });
});

describe('evaluation cards', () => {
  const ranking = Array.from({ length: N }, (_, i) => ({
    themeId: `cm${i}xxxxxxxxxxxxxxxxxxxx`,
    rankLabel: i < 2 ? '1（并列）' : String(i + 1),
    unitName: `县人力资源和社会保障局${i}`,
    title: long(40),
    final: 90 - i * 0.5,
    judges: 5,
    trimmed: true,
  }));
  it('rubric (editable, with errors), judge home, score card', () => {
    check(criteriaCard({ year: 2023, criteria: DEFAULT_CRITERIA, editable: true, errors: { weight_0: '各项权重之和应为 100（当前 105）' } }));
    check(criteriaCard({ year: 2023, criteria: DEFAULT_CRITERIA, editable: false }));
    check(
      judgeHomeCard({
        year: 2023,
        judgeName: '陈评审',
        items: ranking.map((r, i) => ({ themeId: r.themeId, label: `${r.unitName} · 5月 · ${r.title}`, state: i % 10 === 0 ? 'conflict' : i % 2 ? 'scored' : 'todo' })),
        closed: false,
        notice: 'x',
      }),
    );
    check(judgeHomeCard({ year: 2023, judgeName: '陈评审', items: [], closed: true }));
    // Nothing to score: the card says why (an invitation with nothing under it was a dead end).
    const none = judgeHomeCard({ year: 2023, judgeName: '陈评审', items: [], closed: false });
    check(none);
    expect(JSON.stringify(none)).toContain('目前还没有参加评选的活动');
    const ownOnly = judgeHomeCard({ year: 2023, judgeName: '周晓燕', items: [{ themeId: 't1', label: '星沙街道 · 5月 · 政策面对面', state: 'conflict' }], closed: false });
    check(ownOnly);
    expect(JSON.stringify(ownOnly)).toContain('参加评选的活动都是您本单位的，按规定回避，您无需评分');
    check(
      scoreCard({
        themeId: 't1',
        unitName: long(40),
        title: long(40),
        month: 5,
        values,
        photoCount: 30,
        imageKeys: ['img_v3_a', 'img_v3_b', 'img_v3_c', 'img_v3_d'],
        photoNames: [],
        evidence,
        criteria: DEFAULT_CRITERIA,
        typed: { theme_fit: '11' },
        comment: long(300),
        errors: { theme_fit: '“主题契合度”应在 0–10 之间' },
        position: '已评 3/19',
        notice: '上一项评分已保存。',
      }),
    );
  });
  it('progress with 100 ranked activities, 8 judges; the announcement', () => {
    check(
      evaluationProgressCard({
        year: 2023,
        statusLabel: '评分中',
        criteria: DEFAULT_CRITERIA,
        judges: Array.from({ length: 8 }, (_, i) => ({ name: `评委${i}`, unitName: i ? '' : '县发展和改革局', scored: i, eligible: N })),
        ranking,
        defaultWinners: ranking.slice(0, 3).map((r) => r.themeId),
        winners: [],
        canConfirm: true,
        notice: 'x',
      }),
    );
    check(announcementCard({ year: 2023, winners: ranking.slice(0, 10).map((r) => ({ unitName: r.unitName, title: r.title, rankLabel: r.rankLabel, final: r.final })) }));
  });
});
