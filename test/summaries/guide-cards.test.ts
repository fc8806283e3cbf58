// Evidence and scoring cards a person can use as-is (issue 13 item 12): a broken link is shown
// exactly as typed (no markdown escapes to copy), and each criterion's guidance is visible text
// above its field rather than a placeholder that disappears.
import { describe, expect, it } from 'vitest';
import { evidenceElements } from '../../cards/evidence.ts';
import { scoreCard } from '../../cards/evaluation.ts';
import { summaryFormCard } from '../../cards/summary.ts';
import { emptyRaw } from '../../src/domain/summary.ts';
import { evaluateEvidence } from '../../src/domain/evidence.ts';
import { DEFAULT_CRITERIA } from '../../src/domain/evaluation.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';

const URL = 'https://www.csx.gov.cn/zwgk/zfxxgk_123456.html';

describe('evidence links', () => {
  it('shows a broken link verbatim in plain text', () => {
    const check = evaluateEvidence(
      { year: 2023, month: 5, heldDates: ['2023-05-12'], links: { media: [], website: [URL], newMedia: [] }, logoShown: true, photos: [], linkResults: [{ url: URL, channel: 'website', ok: false, status: 404, error: 'http_error' }] },
      new Date('2023-06-01T00:00:00Z'),
    );
    const els = evidenceElements(check);
    const text = JSON.stringify(els);
    expect(text).toContain(`链接返回错误 404：${URL}`);
    expect(text).not.toContain('www\\\\.csx');
    expect(text).not.toContain('\\\\_123456');
    const plain = els.find((e) => (e as { tag?: string }).tag === 'div') as unknown as { text: { tag: string; content: string } };
    expect(plain.text).toMatchObject({ tag: 'plain_text' });
    expect(plain.text.content).toContain(URL);
  });
});

describe('score card', () => {
  it('shows each criterion’s guidance as text, not only as a placeholder', () => {
    const c = scoreCard({
      themeId: 't1',
      unitName: '星沙街道',
      title: '政策面对面',
      month: 5,
      values: {},
      photoCount: 0,
      imageKeys: [],
      photoNames: [],
      criteria: DEFAULT_CRITERIA.map((x) => ({ ...x })),
      typed: {},
      comment: '',
      errors: {},
      position: '已评 0/3',
    });
    expect(validateCard(c)).toEqual({ ok: true });
    const text = JSON.stringify(c);
    for (const cr of DEFAULT_CRITERIA.filter((x) => x.description)) {
      expect(text).toContain(`"content":"${cr.name}：`);
      expect(text).not.toContain(`"placeholder":{"tag":"plain_text","content":"${cr.description.slice(0, 20)}`);
    }
  });
});

describe('summary form', () => {
  it('tells where to mark the LOGO photo', () => {
    const c = summaryFormCard({ themeId: 't1', unitName: '星沙街道', title: '主题', year: 2023, month: 5, status: 'draft', raw: emptyRaw(), errors: {}, photoCount: 3, logoPhotoCount: 0 });
    expect(validateCard(c)).toEqual({ ok: true });
    const text = JSON.stringify(c);
    expect(text).toContain('把能看到现场 LOGO 的照片标为 LOGO 照片');
    expect(text).toContain('尚未标记 LOGO 照片');
    expect(text).toContain('照片 / 标记 LOGO 照片（3）');
  });
});
