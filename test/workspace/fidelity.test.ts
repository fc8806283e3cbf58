// The workspace shows what Feishu shows, in Debian's Chromium: card markdown through CommonMark (a `**` that
// closes after full-width punctuation before a letter stays literal, as in Feishu), Feishu's tags, the card
// `chart` component drawn by VChart (served from node_modules), table cells cut with an ellipsis and a
// one-line subtitle, on desktop and phone widths. Screenshots go to test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { GROUP, PEOPLE, startFixture, type Fixture, type Json } from './fixture.ts';
import { countyProgress } from '../cards/county-progress.ts';
import { evaluationProgressCard, type RankingRow } from '../../cards/evaluation.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const skip = !hasChromium && process.env.CI !== 'true';
if (skip) console.warn(`\n[notice] ${CHROMIUM} not found: workspace fidelity tests are SKIPPED. Install it with: apt-get install -y chromium\n`);

const SHOTS = 'test-results';
// Long enough to overflow one line of a 1280px-wide card even where Chromium lacks CJK fonts (narrow boxes).
const LONG_CELL = '长沙县星沙街道“优化营商环境”政策解读暨政企恳谈会（邀请人大代表、政协委员、企业代表和群众代表参加，现场解读惠企政策并收集意见建议，会后形成问题清单逐项办理反馈）'.repeat(3);
const LONG_SUBTITLE = '县政务公开办 · 请各镇街、县直部门于 4 月 7 日前完成申报，逾期将影响年度政务公开绩效考核结果，联系人李成英，电话 0731-84872387，邮箱 CSX84872387@163.com';

function markdownCard(): Json {
  return {
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill' },
    header: { template: 'blue', title: { tag: 'plain_text', content: '渲染对照' }, subtitle: { tag: 'plain_text', content: LONG_SUBTITLE } },
    body: {
      elements: [
        { tag: 'markdown', element_id: 'literal', content: '**填报单位：**星沙街道' },
        { tag: 'markdown', element_id: 'bold', content: '**填报单位**：星沙街道' },
        { tag: 'markdown', element_id: 'spaced', content: '**填报单位：** 星沙街道' },
        {
          tag: 'markdown',
          element_id: 'tags',
          content: `<at id=${PEOPLE.xs.openId}></at> 请于 <font color='red'>**4 月 7 日**</font> 前提交，详见<link url='https://www.csx.gov.cn/'>通知原文</link> <text_tag color='orange'>待提交</text_tag> <a href='https://www.csx.gov.cn/a'>附件</a> &#42;不是斜体&#42;`,
        },
        { tag: 'markdown', element_id: 'mdtable', content: `| 单位 | 主题数 |\n| --- | ---: |\n${Array.from({ length: 7 }, (_, i) => `| 单位${i + 1} | ${i + 1} |`).join('\n')}` },
        {
          tag: 'table',
          element_id: 'tbl',
          columns: [
            { name: 'unit', display_name: '单位', data_type: 'text', width: '80px' },
            { name: 'theme', display_name: '活动主题', data_type: 'text' },
          ],
          rows: [{ unit: '星沙街道', theme: LONG_CELL }],
        },
      ],
    },
  };
}

function progressCard(): Json {
  return countyProgress().card as unknown as Json;
}

function evaluationCard(): Json {
  const ranking: RankingRow[] = Array.from({ length: 30 }, (_, i) => ({ themeId: `t${i}`, rankLabel: `第${i + 1}名`, unitName: `单位${i}`, title: `活动${i}`, judges: 5, trimmed: true, final: 95 - i * 1.5 }));
  return evaluationProgressCard({
    year: 2026,
    statusLabel: '评分中',
    criteria: [{ key: 'k', name: '创新性', weight: 100, maxScore: 10, description: '', sortOrder: 1 }],
    judges: [],
    ranking,
    defaultWinners: [],
    winners: [],
    canConfirm: false,
  }) as unknown as Json;
}

/** Pixels a canvas has drawn (not transparent), summed over all canvases in the element. */
async function drawnPixels(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((root) => {
    let n = 0;
    for (const canvas of Array.from(root.querySelectorAll('canvas'))) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n += 1;
    }
    return n;
  });
}

describe.skipIf(skip)('workspace renders what Feishu shows', () => {
  let fx: Fixture;
  let browser: Browser;
  const ids: Record<string, string> = {};
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fx = await startFixture();
    ids.markdown = await fx.sendCard(GROUP, markdownCard());
    ids.progress = await fx.sendCard(GROUP, progressCard());
    ids.evaluation = await fx.sendCard(GROUP, evaluationCard());
    // A texture: Feishu draws it on desktop, its phone clients fail the chart.
    ids.texture = await fx.sendCard(GROUP, {
      schema: '2.0',
      body: { elements: [{ tag: 'chart', chart_spec: { type: 'bar', data: [{ values: [{ x: 'a', y: 1 }] }], xField: 'x', yField: 'y', bar: { style: { texture: 'circle' } } } }] },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });

  const open = async (width: number, height: number, mobile: boolean): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height }, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${fx.url}/?as=${PEOPLE.xs.openId}&chat=${GROUP}`);
    await page.locator(`[data-message-id="${ids.markdown}"] .card`).waitFor();
    // Nothing is fetched from outside the workspace (air-gapped servers).
    expect(requests.filter((u) => !u.startsWith(fx.url) && !u.startsWith('data:'))).toEqual([]);
    return page;
  };

  it('keeps literal asterisks exactly where CommonMark (and Feishu) does, and renders the Feishu tags', async () => {
    const page = await open(1280, 900, false);
    const card = page.locator(`[data-message-id="${ids.markdown}"] .card`);
    const literal = card.locator('[data-element-id="literal"]');
    expect(await literal.textContent()).toBe('**填报单位：**星沙街道');
    expect(await literal.locator('strong').count()).toBe(0);
    const bold = card.locator('[data-element-id="bold"]');
    expect(await bold.locator('strong').textContent()).toBe('填报单位');
    expect(await bold.textContent()).toBe('填报单位：星沙街道');
    expect(await card.locator('[data-element-id="spaced"] strong').textContent()).toBe('填报单位：');

    const tags = card.locator('[data-element-id="tags"]');
    expect(await tags.locator('.md-at').textContent()).toBe('@王星沙');
    expect(await tags.locator('.md-at-me').count()).toBe(1);
    expect(await tags.locator('.md-font.fc-red strong').textContent()).toBe('4 月 7 日');
    expect(await tags.locator('a.md-link').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]))).toEqual([
      ['通知原文', 'https://www.csx.gov.cn/'],
      ['附件', 'https://www.csx.gov.cn/a'],
    ]);
    expect(await tags.locator('.text-tag.tt-orange').textContent()).toBe('待提交');
    expect(await tags.textContent()).toContain('*不是斜体*');
    expect(await tags.locator('em').count()).toBe(0);
    // A markdown table shows five data rows a page, like Feishu.
    const mdTable = card.locator('[data-element-id="mdtable"]');
    expect(await mdTable.locator('tbody tr').count()).toBe(5);
    expect(await mdTable.locator('.pager-info').textContent()).toBe('1 / 2');
    await mdTable.locator('.pager-btn[aria-label="下一页"]').click();
    expect(await mdTable.locator('tbody td').allTextContents()).toEqual(['单位6', '6', '单位7', '7']);
    await card.screenshot({ path: `${SHOTS}/fidelity-markdown-1280.png` });
    await page.context().close();
  });

  it('draws the chart components with VChart on desktop and phone widths', async () => {
    for (const [width, height, mobile] of [
      [1280, 900, false],
      [390, 844, true],
    ] as const) {
      const page = await open(width, height, mobile);
      for (const key of ['progress', 'evaluation']) {
        const chart = page.locator(`[data-message-id="${ids[key]}"] .card-chart`);
        await chart.scrollIntoViewIfNeeded();
        await page.locator(`[data-message-id="${ids[key]}"] .card-chart[data-rendered="true"] canvas`).first().waitFor({ timeout: 30_000 });
        expect(await drawnPixels(page, `[data-message-id="${ids[key]}"] .card-chart`)).toBeGreaterThan(1000);
        const box = await chart.boundingBox();
        expect(box!.width).toBeLessThanOrEqual(width);
        // The builders fix the height (the same on every device).
        expect(Math.round(box!.height)).toBe(key === 'progress' ? 240 : 220);
      }
      const texture = page.locator(`[data-message-id="${ids.texture}"] .card-chart`);
      await texture.scrollIntoViewIfNeeded();
      if (mobile) expect(await texture.locator('.chart-error').textContent()).toBe('图表加载失败');
      else await texture.locator('canvas').first().waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // preview (default true): a click opens the chart large (a window on desktop, full screen on a phone).
      const chart = page.locator(`[data-message-id="${ids.evaluation}"] .card-chart`);
      await (mobile ? chart.tap() : chart.click());
      await page.locator('.chart-preview .card-chart[data-rendered="true"] canvas').first().waitFor({ timeout: 30_000 });
      expect(await drawnPixels(page, '.chart-preview .card-chart')).toBeGreaterThan(1000);
      const preview = (await page.locator('.chart-preview-panel').boundingBox())!;
      if (mobile) expect(Math.round(preview.width)).toBe(width);
      else expect(preview.width).toBeGreaterThan(700);
      await page.screenshot({ path: `${SHOTS}/fidelity-chart-preview-${width}.png` });
      await page.locator('.chart-preview-close').click();
      expect(await page.locator('.chart-preview').count()).toBe(0);
      await page.locator(`[data-message-id="${ids.progress}"]`).scrollIntoViewIfNeeded();
      await page.waitForTimeout(200);
      await page.screenshot({ path: `${SHOTS}/fidelity-progress-chart-${width}.png` });
      await page.locator(`[data-message-id="${ids.evaluation}"] .card-chart`).scrollIntoViewIfNeeded();
      await page.waitForTimeout(200);
      await page.screenshot({ path: `${SHOTS}/fidelity-evaluation-chart-${width}.png` });
      await page.context().close();
    }
  });

  it('cuts a subtitle to one line and a table cell with an ellipsis (hover shows it, a tap opens it)', async () => {
    for (const [width, height, mobile] of [
      [1280, 900, false],
      [390, 844, true],
    ] as const) {
      const page = await open(width, height, mobile);
      const card = page.locator(`[data-message-id="${ids.markdown}"] .card`);
      const subtitle = card.locator('.card-subtitle');
      const sub = await subtitle.evaluate((e) => ({ lineHeight: parseFloat(getComputedStyle(e).lineHeight), height: e.getBoundingClientRect().height, overflow: getComputedStyle(e).textOverflow, cut: e.scrollWidth > e.clientWidth }));
      expect(sub.height).toBeLessThanOrEqual(sub.lineHeight + 1);
      expect(sub.overflow).toBe('ellipsis');
      // A phone cannot fit it on one line: it ends in an ellipsis instead of wrapping.
      if (mobile) expect(sub.cut).toBe(true);

      const cell = card.locator('[data-element-id="tbl"] tbody td .cell-clip').nth(1);
      await expect.poll(() => cell.getAttribute('class')).toContain('clipped');
      expect(await cell.getAttribute('title')).toBe(LONG_CELL);
      const lineHeight = await cell.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
      const before = (await cell.boundingBox())!.height;
      expect(before).toBeLessThanOrEqual(lineHeight + 1);
      await (mobile ? cell.tap() : cell.click());
      const after = (await cell.boundingBox())!.height;
      expect(after).toBeGreaterThan(before);
      await card.screenshot({ path: `${SHOTS}/fidelity-clip-${width}.png` });
      await page.context().close();
    }
    expect(pageErrors).toEqual([]);
  });
});
