// The markdown helper (bold that renders under strict CommonMark, escaping) and the budget
// measure (Feishu's request-body bytes and element count) that every card builder relies on.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bold, boldLine, button, card, CARD_BODY_LIMIT_BYTES, escapeMarkdown, field, fitCard, input, markdown, measureCard, messageBody, table, wasTrimmed } from '../../cards/kit.ts';
import { strayAsterisks } from '../support/card-markdown.ts';

describe('bold and escaping', () => {
  it('the issue case: a label ending in full-width punctuation followed by a letter', () => {
    expect(strayAsterisks('**填报单位：**星沙街道')).not.toEqual([]);
    expect(field('填报单位', '星沙街道')).toBe('**填报单位**：星沙街道');
    expect(strayAsterisks(field('填报单位', '星沙街道'))).toEqual([]);
  });

  it('keeps punctuation and spaces outside the delimiters wherever the bold is placed', () => {
    const samples = ['〔LOGO〕', '「优化营商环境」政策面对面！', '（一）活动主题：', ' 星沙街道 ', '1. 主题', '**粗**', '<at id=all></at>'];
    for (const s of samples) {
      for (const [before, after] of [
        ['', ''],
        ['文', '字'],
        ['：', '。'],
        ['（', '）'],
        [' ', ' '],
      ]) {
        const md = `${before}${bold(s)}${after}`;
        expect(strayAsterisks(md), md).toEqual([]);
      }
    }
    expect(bold('〔LOGO〕')).toBe('〔**LOGO**〕');
    // At a line end the closing ** always closes, so trailing punctuation may stay inside.
    for (const s of ['已保存的主题（2）', '「主题」：', '退回修改（v1）']) {
      for (const before of ['', '文', '：', ' ']) expect(strayAsterisks(`${before}${boldLine(s)}\n下一行`), s).toEqual([]);
    }
    expect(boldLine('已保存的主题（2）')).toBe('**已保存的主题（2）**');
    expect(bold('？！')).toBe('？！');
  });

  it('user text is inert: asterisks, mentions, links and tags become character references', () => {
    const e = escapeMarkdown('**粗** <at id=all></at> [x](http://e) _y_ ~~z~~ # 1. \u202e');
    expect(e).not.toMatch(/[*<>[\]_~]|#(?!\d+;)/);
    expect(e).toContain('&#42;&#42;粗&#42;&#42;');
    expect(e).toContain('&lt;at id=all&gt;');
    expect(strayAsterisks(e)).toEqual([]);
    expect(e).not.toContain('\u202e');
  });
});

describe('no hand-written bold', () => {
  it('card builders and the code that builds cards use bold()/field()/boldLine(), never a literal **', () => {
    const files = [
      ...readdirSync('cards')
        .filter((f) => f.endsWith('.ts') && f !== 'markdown.ts')
        .map((f) => `cards/${f}`),
      ...['src/usecases', 'src/handlers'].flatMap((d) =>
        readdirSync(d, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.ts'))
          .map((f) => `${d}/${f}`),
      ),
    ];
    const offenders = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${f}:${i + 1}`, line: line.trim() }))
        .filter(({ line }) => !line.startsWith('//') && !line.startsWith('*') && !line.startsWith('/**') && /\*\*(?![\s/(])/.test(line.replace(/\/\*\*.*?\*\//g, ''))),
    );
    expect(offenders).toEqual([]);
  });
});

describe('measureCard: as Feishu measures', () => {
  it('counts text objects, not only components: a button is 2, its confirm adds 2', () => {
    const plainButton = card({ title: 't', elements: [button('删除', { a: 'x' })] });
    const confirmed = card({ title: 't', elements: [button('删除', { a: 'x' }, { confirm: { title: '删除？', text: '确定删除吗？' } })] });
    // header title (1) + button (1) + its text (1)
    expect(measureCard(plainButton).elements).toBe(3);
    expect(measureCard(confirmed).elements).toBe(5);
  });

  it('measures the im/v1/messages body, where the card is JSON inside JSON', () => {
    const c = card({ title: 't', elements: [markdown('"引号"'.repeat(100))] });
    const body = messageBody(c);
    expect(JSON.parse(JSON.parse(body).content)).toEqual(c);
    expect(measureCard(c).bodyBytes).toBe(Buffer.byteLength(body));
    expect(measureCard(c).bodyBytes).toBeGreaterThan(Buffer.byteLength(JSON.stringify(c)) + 200);
  });

  it('card() trims a card that would be refused, and says so; fitCard prefers a variant that fits', () => {
    const huge = card({ title: 't', elements: [...Array.from({ length: 300 }, (_, i) => markdown(`第 ${i} 行`)), button('返回', { a: 'back' })] });
    expect(wasTrimmed(huge)).toBe(true);
    expect(measureCard(huge).elements).toBeLessThanOrEqual(200);
    expect(JSON.stringify(huge.body.elements.at(-1))).toContain('返回');
    expect(JSON.stringify(huge)).toContain('已省略部分内容');
    const big = card({ title: 't', elements: [markdown('长'.repeat(12_000))] });
    expect(measureCard(big).bodyBytes).toBeLessThanOrEqual(CARD_BODY_LIMIT_BYTES);
    const fitted = fitCard([() => card({ title: 'full', elements: Array.from({ length: 250 }, () => markdown('x')) }), () => card({ title: 'summary', elements: [markdown('x')] })]);
    expect(fitted.header?.title.content).toBe('summary');
    expect(wasTrimmed(fitted)).toBe(false);
  });
});

describe('kit components follow the documented ranges', () => {
  it('an input never carries a default_value longer than its max_length', () => {
    const el = input('title', { label: '活动主题', value: '长'.repeat(60), maxLength: 40 });
    expect(el.max_length).toBe(60);
    const huge = input('intro', { label: '简介', value: '长'.repeat(1500), maxLength: 500 });
    expect(huge.max_length).toBe(1000);
    expect([...(huge.default_value as string)].length).toBe(1000);
  });

  it('table column widths are clamped to 80–600px and rows keep only declared columns', () => {
    const t = table(
      [
        { name: 'a', display_name: 'A', width: '50px' },
        { name: 'b', display_name: 'B', width: '900px' },
      ],
      [{ a: 1, b: 2, extra: 3 } as Record<string, number>],
    );
    expect((t.columns as { width: string }[]).map((c) => c.width)).toEqual(['80px', '600px']);
    expect(t.rows).toEqual([{ a: 1, b: 2 }]);
  });
});
