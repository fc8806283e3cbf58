// The emulator's card validator against Feishu's documentation, one test per rule; each names the
// open.feishu.cn page it follows (docs/feishu-fidelity.md has the table). The byte limit is tested
// over HTTP with the real SDK, because it is a property of the request body.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { card as feishuCard, measureCard } from '../../cards/kit.ts';
import { GROUP, card, rejection, startEmulator, type Started } from './support.ts';

const V2 = 'https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards';
const PAGES = {
  structure: `${V2}/card-json-v2-structure`,
  breaking: `${V2}/card-json-v2-breaking-changes-release-notes`,
  table: `${V2}/card-json-v2-components/content-components/table`,
  chart: `${V2}/card-json-v2-components/content-components/chart`,
  richText: `${V2}/card-json-v2-components/content-components/rich-text`,
  form: `${V2}/card-json-v2-components/containers/form-container`,
  input: `${V2}/card-json-v2-components/interactive-components/input`,
  button: `${V2}/card-json-v2-components/interactive-components/button`,
  overflow: `${V2}/card-json-v2-components/interactive-components/overflow`,
  selectImg: `${V2}/card-json-v2-components/interactive-components/select_img`,
  create: 'https://open.feishu.cn/document/server-docs/im-v1/message/create',
} as const;

const text = (content: string) => ({ tag: 'plain_text', content });
const submit = { tag: 'button', name: 'submit', form_action_type: 'submit', text: text('提交'), behaviors: [{ type: 'callback', value: { a: 'x' } }] };
const table = (columns: unknown[], rows: unknown[]) => ({ tag: 'table', columns, rows });

function refused(c: unknown): { subCode: number; message: string } {
  const r = validateCard(c);
  if (r.ok) throw new Error('expected the card to be refused');
  return r;
}

describe('components JSON 2.0 documents are accepted', () => {
  it(`overflow (${PAGES.overflow})`, () => {
    const c = card([
      {
        tag: 'overflow',
        width: 'fill',
        options: [
          { text: text('标为 LOGO'), value: 'logo' },
          { text: text('删除'), value: 'del' },
        ],
        behaviors: [{ type: 'callback', value: { a: 'photo' } }],
        confirm: { title: text('确认'), text: text('确定吗？') },
      },
    ]);
    expect(validateCard(c)).toEqual({ ok: true });
  });

  it(`select_img, inside and outside a form (${PAGES.selectImg})`, () => {
    const pick = (name: string) => ({
      tag: 'select_img',
      name,
      multi_select: true,
      layout: 'bisect',
      options: [
        { img_key: 'img_v3_a', value: 'a' },
        { img_key: 'img_v3_b', value: 'b' },
      ],
    });
    expect(validateCard(card([pick('photos')]))).toEqual({ ok: true });
    expect(validateCard(card([{ tag: 'form', name: 'f', elements: [pick('p2'), submit] }]))).toEqual({ ok: true });
    expect(validateCard(card([pick('p3')]), { knownImageKeys: new Set(['img_v3_a']) })).toMatchObject({ ok: false, subCode: 200570 });
  });

  it(`chart with a VChart spec (${PAGES.chart})`, () => {
    const spec = { type: 'bar', data: [{ id: 'd', values: [{ m: '5月', n: 3 }] }], xField: 'm', yField: 'n' };
    expect(validateCard(card([{ tag: 'chart', aspect_ratio: '16:9', color_theme: 'brand', chart_spec: spec }]))).toEqual({ ok: true });
  });
});

describe('what Feishu refuses, with its code', () => {
  it(`more than 200 elements, text elements counted: 230099/11310 (${PAGES.structure})`, () => {
    // 66 buttons = 132 elements, each confirm adds 2 more: 264 + the header title. Only 66 components.
    const buttons = Array.from({ length: 66 }, (_, i) => ({ tag: 'button', text: text(`按钮${i}`), confirm: { title: text('确认'), text: text('确定吗？') }, behaviors: [{ type: 'callback', value: { i } }] }));
    const r = refused(card(buttons));
    expect(r.subCode).toBe(11310);
    expect(r.message).toMatch(/element exceeds the limit/);
    // The same measure as cards/kit's budget: 200 exactly is accepted.
    const ok = card(Array.from({ length: 199 }, () => ({ tag: 'hr' })));
    expect(validateCard(ok)).toEqual({ ok: true });
    expect(validateCard(card(Array.from({ length: 200 }, () => ({ tag: 'hr' }))))).toMatchObject({ ok: false, subCode: 11310 });
  });

  it(`the elements counted agree with cards/kit measureCard (${PAGES.structure})`, () => {
    const built = feishuCard({ title: 't', elements: Array.from({ length: 99 }, (_, i) => ({ tag: 'button', text: text(String(i)), behaviors: [{ type: 'callback', value: { i } }] })) });
    expect(measureCard(built).elements).toBe(199);
    expect(validateCard(built)).toEqual({ ok: true });
  });

  it(`more than 5 tables, markdown tables included: 11310 "card table number over limit" (${PAGES.table})`, () => {
    const t = table([{ name: 'a', display_name: 'A', data_type: 'text' }], [{ a: 'x' }]);
    const mdTable = { tag: 'markdown', content: '| 单位 | 进度 |\n|---|---|\n| 星沙街道 | 3 |' };
    expect(validateCard(card([t, t, t, t, mdTable]))).toEqual({ ok: true });
    const r = refused(card([t, t, t, t, mdTable, mdTable]));
    expect(r.subCode).toBe(11310);
    expect(r.message).toMatch(/table number over limit/);
  });

  it(`table column width below 80px, above 600px or undocumented: 200621 (${PAGES.table})`, () => {
    for (const width of ['50px', '79px', '601px', 'wide', '120%']) {
      expect(refused(card([table([{ name: 'a', display_name: 'A', data_type: 'text', width }], [])])).message, width).toMatch(/width/);
    }
    for (const width of ['auto', '80px', '600px', '30%']) {
      expect(validateCard(card([table([{ name: 'a', display_name: 'A', data_type: 'text', width }], [])])), width).toEqual({ ok: true });
    }
  });

  it(`a row key that is not a declared column: 200915 (${PAGES.table})`, () => {
    const r = refused(card([table([{ name: 'unit', display_name: '单位', data_type: 'text' }], [{ unit: '星沙街道', extra: 1 }])]));
    expect(r.subCode).toBe(200915);
    expect(r.message).toMatch(/extra: not a declared column/);
  });

  it(`button and input widths other than default, fill or ≥100px: 200621 (${PAGES.button}, ${PAGES.input})`, () => {
    for (const width of ['auto', '50px', 'half']) {
      expect(refused(card([{ tag: 'button', text: text('b'), width }])).message, width).toMatch(/width/);
      expect(refused(card([{ tag: 'input', name: 'i', width }])).message, width).toMatch(/width/);
    }
    expect(
      validateCard(
        card([
          { tag: 'button', text: text('b'), width: 'fill' },
          { tag: 'input', name: 'i', width: '120px' },
        ]),
      ),
    ).toEqual({ ok: true });
  });

  it(`an input whose default_value is longer than max_length: 200621 (${PAGES.input})`, () => {
    expect(refused(card([{ tag: 'input', name: 'i', max_length: 5, default_value: '超过五个字的默认值' }])).message).toMatch(/default_value is longer than max_length/);
    expect(refused(card([{ tag: 'input', name: 'i', default_value: '字'.repeat(1001) }])).message).toMatch(/max_length \(1000\)/);
    expect(validateCard(card([{ tag: 'input', name: 'i', max_length: 5, default_value: '五个字正好' }]))).toEqual({ ok: true });
  });

  it(`placeholders, button and option texts over 100 characters: 200621 (${PAGES.input}, ${PAGES.button})`, () => {
    expect(refused(card([{ tag: 'button', text: text('长'.repeat(101)) }])).message).toMatch(/100 characters/);
    expect(refused(card([{ tag: 'select_static', placeholder: text('长'.repeat(101)), options: [] }])).message).toMatch(/100 characters/);
    expect(refused(card([{ tag: 'select_static', options: [{ text: text('长'.repeat(101)), value: 'v' }] }])).message).toMatch(/100 characters/);
  });

  it(`a form component without a name: 200530 (${PAGES.form})`, () => {
    expect(refused(card([{ tag: 'form', name: 'f', elements: [{ tag: 'input' }, submit] }])).subCode).toBe(200530);
  });

  it(`more than 5 charts: 200621 (${PAGES.chart})`, () => {
    const chart = { tag: 'chart', chart_spec: { type: 'bar' } };
    expect(validateCard(card(Array.from({ length: 5 }, () => chart)))).toEqual({ ok: true });
    expect(refused(card(Array.from({ length: 6 }, () => chart))).message).toMatch(/at most 5 charts/);
  });

  it(`a chart inside a form: 200621 (${PAGES.form})`, () => {
    expect(refused(card([{ tag: 'form', name: 'f', elements: [{ tag: 'chart', chart_spec: { type: 'bar' } }, submit] }])).message).toMatch(/chart is not allowed inside a form/);
  });

  it(`1.0-only modules in a 2.0 card: 200861 (${PAGES.breaking})`, () => {
    expect(refused(card([{ tag: 'action', actions: [] }])).subCode).toBe(200861);
    expect(refused(card([{ tag: 'note', elements: [] }])).subCode).toBe(200861);
  });
});

describe(`the 30 KB limit is on the im/v1/messages request body: 230025 (${PAGES.create})`, () => {
  let s: Started;
  beforeEach(async () => {
    s = await startEmulator();
  });
  afterEach(async () => {
    await s.close();
  });

  it('a card under 30 KB whose request body is over 30 KB (quotes escaped twice) is refused', async () => {
    // A quote is 2 bytes in the card JSON and 4 in the body: ~18 KB of card, ~36 KB of body.
    const c = card([{ tag: 'markdown', content: '"'.repeat(9_000) }]);
    expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(30 * 1024);
    expect(measureCard(c).bodyBytes).toBeGreaterThan(30 * 1024);
    const send = s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'interactive', content: JSON.stringify(c) } });
    const r = await rejection(send);
    expect(r.code).toBe(230025);
    expect(s.emu.messages(GROUP)).toHaveLength(0);
    // The same card with plain characters fits and is delivered.
    const fits = card([{ tag: 'markdown', content: 'x'.repeat(17_000) }]);
    await s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'interactive', content: JSON.stringify(fits) } });
    expect(s.emu.messages(GROUP)).toHaveLength(1);
  });
});
