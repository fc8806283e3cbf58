import { describe, expect, it } from 'vitest';
import { atLabel, decodeEntities, formatLocalDatetime, markdownToPlainText, parseInline, parseMarkdown, safeUrl, type InlineNode } from '../../src/emulator/workspace/public/markdown.js';

const text = (nodes: InlineNode[]): string =>
  nodes
    .map((n) => {
      if (n.type === 'text' || n.type === 'code') return n.text;
      if (n.type === 'br') return '\n';
      if ('children' in n) return text(n.children);
      return '';
    })
    .join('');

describe('markdown inline', () => {
  it('parses bold, italic, strike and code', () => {
    expect(parseInline('a **b** *c* ~~d~~ `e*f`')).toEqual([
      { type: 'text', text: 'a ' },
      { type: 'strong', children: [{ type: 'text', text: 'b' }] },
      { type: 'text', text: ' ' },
      { type: 'em', children: [{ type: 'text', text: 'c' }] },
      { type: 'text', text: ' ' },
      { type: 'del', children: [{ type: 'text', text: 'd' }] },
      { type: 'text', text: ' ' },
      { type: 'code', text: 'e*f' },
    ]);
  });

  it('nests emphasis inside bold and keeps snake_case words intact', () => {
    expect(parseInline('**x *y* z**')[0]).toEqual({
      type: 'strong',
      children: [
        { type: 'text', text: 'x ' },
        { type: 'em', children: [{ type: 'text', text: 'y' }] },
        { type: 'text', text: ' z' },
      ],
    });
    expect(text(parseInline('open_message_id'))).toBe('open_message_id');
    expect(parseInline('open_message_id').every((n) => n.type === 'text')).toBe(true);
  });

  it('keeps only http(s) links and treats everything else as text', () => {
    expect(parseInline('[官网](https://www.csx.gov.cn/a?b=1)')).toEqual([{ type: 'link', href: 'https://www.csx.gov.cn/a?b=1', children: [{ type: 'text', text: '官网' }] }]);
    const js = parseInline('[点我](javascript:alert(1))');
    expect(JSON.stringify(js)).not.toContain('"link"');
    expect(parseInline('[x](data:text/html,hi)').some((n) => n.type === 'link')).toBe(false);
    expect(safeUrl('JAVASCRIPT:alert(1)')).toBeNull();
    expect(safeUrl('https://a.b/"onmouseover=x')).toBeNull();
    expect(safeUrl('http://example.com/path')).toBe('http://example.com/path');
  });

  it('autolinks bare URLs but stops at Chinese punctuation', () => {
    const nodes = parseInline('见 https://example.com/x，谢谢');
    expect(nodes[1]).toEqual({ type: 'link', href: 'https://example.com/x', children: [{ type: 'text', text: 'https://example.com/x' }] });
    expect(nodes[2]).toEqual({ type: 'text', text: '，谢谢' });
  });

  it('parses Feishu tags: font, at, text_tag, link, br', () => {
    const nodes = parseInline("<font color='red'>逾期</font><at id=ou_1></at><at id=all></at><text_tag color='blue'>标签</text_tag><br><link url='https://a.cn'>链接</link>");
    expect(nodes).toEqual([
      { type: 'font', color: 'red', children: [{ type: 'text', text: '逾期' }] },
      { type: 'at', ids: ['ou_1'], email: '' },
      { type: 'at', ids: ['all'], email: '' },
      { type: 'text_tag', color: 'blue', children: [{ type: 'text', text: '标签' }] },
      { type: 'br' },
      { type: 'link', href: 'https://a.cn/', children: [{ type: 'text', text: '链接' }] },
    ]);
    expect(parseInline('<at ids=ou_a,ou_b></at>')).toEqual([{ type: 'at', ids: ['ou_a', 'ou_b'], email: '' }]);
    expect(parseInline('<font color="green">**12**</font>')[0]).toEqual({ type: 'font', color: 'green', children: [{ type: 'strong', children: [{ type: 'text', text: '12' }] }] });
  });

  it('leaves unknown or malformed HTML as literal text', () => {
    const nodes = parseInline('<img src=x onerror=alert(1)><script>alert(1)</script><font color=red>unclosed');
    expect(nodes).toEqual([{ type: 'text', text: '<img src=x onerror=alert(1)><script>alert(1)</script><font color=red>unclosed' }]);
  });

  it('decodes entities and backslash escapes into plain text', () => {
    expect(decodeEntities('&lt;b&gt; &amp; &#42; &#x41;')).toBe('<b> & * A');
    expect(parseInline('\\*不是斜体\\* &lt;at id=x&gt;')).toEqual([{ type: 'text', text: '*不是斜体* <at id=x>' }]);
  });

  it('labels mentions with names and 所有人', () => {
    const names: Record<string, string> = { ou_1: '王星沙' };
    const resolve = (id: string): string | null => names[id] ?? null;
    expect(atLabel({ ids: ['ou_1'], email: '' }, resolve)).toBe('@王星沙');
    expect(atLabel({ ids: ['all'], email: '' }, resolve)).toBe('@所有人');
    expect(atLabel({ ids: ['ou_unknown'], email: '' }, resolve)).toBe('@ou_unknown');
  });
});

describe('markdown blocks', () => {
  it('parses headings, lists (nested, ordered), quotes, hr, code fences and paragraphs with line breaks', () => {
    const blocks = parseMarkdown('# 标题\n第一行\n第二行\n\n- a\n  - a1\n- b\n\n3. 三\n4. 四\n\n> 引用\n\n---\n```\n<b>x</b>\n```');
    expect(blocks.map((b) => b.type)).toEqual(['heading', 'paragraph', 'list', 'list', 'quote', 'hr', 'codeblock']);
    const para = blocks[1];
    expect(para?.type === 'paragraph' && para.children.some((n) => n.type === 'br')).toBe(true);
    const list = blocks[2];
    expect(list?.type === 'list' && list.items.length === 2 && list.items[0]?.sublists.length === 1).toBe(true);
    const ordered = blocks[3];
    expect(ordered?.type === 'list' && ordered.ordered && ordered.start === 3).toBe(true);
    const code = blocks[6];
    expect(code?.type === 'codeblock' && code.text === '<b>x</b>').toBe(true);
  });

  it('parses pipe tables', () => {
    const [table] = parseMarkdown('| 单位 | 数量 |\n| --- | ---: |\n| 星沙街道 | 2 |');
    expect(table?.type).toBe('table');
    if (table?.type === 'table') {
      expect(table.aligns).toEqual(['left', 'right']);
      expect(table.rows).toHaveLength(1);
    }
  });

  it('flattens to plain text for previews', () => {
    expect(markdownToPlainText('**截止** <at id=ou_1></at>\n- a', (id) => (id === 'ou_1' ? '王星沙' : null))).toBe('截止 @王星沙 a');
  });
});

// The same module the browser loads, parsed by markdown-it (CommonMark) with the Feishu tag plugin.
describe('CommonMark emphasis as Feishu renders it', () => {
  const strongs = (md: string): string[] => {
    const out: string[] = [];
    const walk = (nodes: InlineNode[]): void => {
      for (const n of nodes) {
        if (n.type === 'strong') out.push(text(n.children));
        if ('children' in n) walk(n.children);
      }
    };
    walk(parseInline(md));
    return out;
  };

  it('keeps literal asterisks when the closing ** follows full-width punctuation and precedes a letter', () => {
    for (const md of ['**填报单位：**星沙街道', '**截止（4月7日）**前提交', '**已提交。**共3项', '**「政务公开」**主题日']) {
      expect(strongs(md), md).toEqual([]);
      expect(text(parseInline(md)), md).toBe(md);
    }
  });

  it('renders bold when the punctuation sits outside or a space follows', () => {
    expect(strongs('**填报单位**：星沙街道')).toEqual(['填报单位']);
    expect(strongs('**填报单位：** 星沙街道')).toEqual(['填报单位：']);
    expect(strongs('**填报单位：**')).toEqual(['填报单位：']);
    expect(strongs('状态：**已提交**，共 3 项')).toEqual(['已提交']);
  });

  it('escapes with the HTML entities Feishu documents', () => {
    expect(parseInline('&#42;&#42;不是粗体&#42;&#42; &#91;x&#93;&#40;y&#41; &lt;at id=all&gt;')).toEqual([{ type: 'text', text: '**不是粗体** [x](y) <at id=all>' }]);
  });

  it('does not let emphasis cross a Feishu tag', () => {
    expect(parseInline("**a <font color='red'>b** c</font>").some((n) => n.type === 'strong')).toBe(false);
  });
});

describe('Feishu tags', () => {
  it('parses <a href>, <person>, <number_tag> and <local_datetime>, and an <at> without its closing tag', () => {
    expect(parseInline("<a href='https://www.csx.gov.cn'>官网</a>")).toEqual([{ type: 'link', href: 'https://www.csx.gov.cn/', children: [{ type: 'text', text: '官网' }] }]);
    expect(parseInline("<person id='ou_1' show_name=true></person>")).toEqual([{ type: 'person', id: 'ou_1' }]);
    expect(parseInline("<number_tag background_color='red'>3</number_tag>")).toEqual([{ type: 'number_tag', color: 'red', children: [{ type: 'text', text: '3' }] }]);
    expect(parseInline("<local_datetime millisecond='1775527200000' format_type='date'></local_datetime>")).toEqual([{ type: 'datetime', millisecond: 1775527200000, format: 'date' }]);
    expect(parseInline('<at id=ou_1> 好')).toEqual([
      { type: 'at', ids: ['ou_1'], email: '' },
      { type: 'text', text: ' 好' },
    ]);
    expect(parseInline("<at email='a@b.cn'></at>")).toEqual([{ type: 'at', ids: [], email: 'a@b.cn' }]);
  });

  it('links bare URLs only with their scheme', () => {
    expect(parseInline('见 www.csx.gov.cn 或 CSX84872387@163.com')).toEqual([{ type: 'text', text: '见 www.csx.gov.cn 或 CSX84872387@163.com' }]);
  });

  it('keeps undocumented HTML as text and links only to http(s)', () => {
    expect(text(parseInline('<b>x</b><u>y</u>'))).toBe('<b>x</b><u>y</u>');
    expect(parseInline("<link url='javascript:alert(1)'>x</link>")).toEqual([{ type: 'span', children: [{ type: 'text', text: 'x' }] }]);
  });

  it('formats <local_datetime> in the reader’s time zone', () => {
    const ms = Date.UTC(2026, 3, 7, 1, 30, 5); // 2026-04-07 09:30:05 in Shanghai, a Tuesday
    expect(formatLocalDatetime(ms, 'date_num', 'Asia/Shanghai')).toBe('2026-04-07');
    expect(formatLocalDatetime(ms, 'date', 'Asia/Shanghai')).toBe('2026年4月7日');
    expect(formatLocalDatetime(ms, 'date_short', 'Asia/Shanghai')).toBe('4月7日');
    expect(formatLocalDatetime(ms, 'week', 'Asia/Shanghai')).toBe('星期二');
    expect(formatLocalDatetime(ms, 'time_sec', 'Asia/Shanghai')).toBe('09:30:05');
    expect(formatLocalDatetime(ms, 'time', 'UTC')).toBe('01:30');
    expect(formatLocalDatetime(0, 'date', 'UTC')).toBe('');
  });
});

describe('markdown blocks through CommonMark', () => {
  it('turns a paragraph that is only <hr> into a divider and keeps code and quotes in list items', () => {
    expect(parseMarkdown('上\n\n<hr>\n\n下').map((b) => b.type)).toEqual(['paragraph', 'hr', 'paragraph']);
    const [list] = parseMarkdown('- 一\n\n  > 引用\n- 二');
    expect(list?.type === 'list' && list.items[0]?.blocks?.[0]?.type).toBe('quote');
  });

  it('parses images (Feishu takes an img_key) without making them links', () => {
    expect(parseInline('![现场](img_v3_abc)')).toEqual([{ type: 'image', key: 'img_v3_abc', alt: '现场' }]);
  });
});
