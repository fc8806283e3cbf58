// Card JSON 2.0 validation table: what Feishu accepts and what it rejects (with the sub-code).
import { describe, expect, it } from 'vitest';
import { validateCard, validateCardContent } from '../../src/emulator/card-schema.ts';
import { card } from './support.ts';

const submit = (name = 'submit') => ({ tag: 'button', name, form_action_type: 'submit', text: { tag: 'plain_text', content: '提交' }, behaviors: [{ type: 'callback', value: { action: 'submit' } }] });
const form = (elements: unknown[], name = 'f') => ({ tag: 'form', name, elements });
const opt = (v: string) => ({ text: { tag: 'plain_text', content: v }, value: v });
const nest = (depth: number): Record<string, unknown> => (depth === 0 ? { tag: 'markdown', content: 'deep' } : { tag: 'collapsible_panel', header: { title: { tag: 'plain_text', content: 'p' } }, elements: [nest(depth - 1)] });

const full = card([
  { tag: 'markdown', content: '**提醒** <at id=all></at>', text_size: 'notation', text_align: 'left', element_id: 'intro', margin: '0px 0px 8px 0px' },
  { tag: 'div', text: { tag: 'lark_md', content: '说明', text_size: 'normal', text_color: 'grey' } },
  { tag: 'hr' },
  {
    tag: 'column_set',
    flex_mode: 'bisect',
    columns: [
      {
        tag: 'column',
        width: 'weighted',
        weight: 1,
        elements: [
          { tag: 'markdown', content: 'A' },
          { tag: 'button', text: { tag: 'plain_text', content: '查看' }, type: 'primary', behaviors: [{ type: 'open_url', default_url: 'https://example.com' }] },
        ],
      },
      { tag: 'column', width: 'auto', elements: [{ tag: 'select_static', placeholder: { tag: 'plain_text', content: '选' }, options: [opt('a'), opt('b')], behaviors: [{ type: 'callback', value: { action: 'pick' } }] }] },
    ],
  },
  {
    tag: 'table',
    page_size: 5,
    columns: [
      { name: 'unit', display_name: '单位', data_type: 'text' },
      { name: 'done', display_name: '完成', data_type: 'number' },
      { name: 'owner', display_name: '联系人', data_type: 'persons' },
      { name: 'due', display_name: '截止', data_type: 'date', date_format: 'YYYY/MM/DD' },
    ],
    rows: [{ unit: '星沙街道', done: 3, owner: 'ou_x', due: 1778803200000 }],
  },
  {
    tag: 'collapsible_panel',
    expanded: false,
    header: { title: { tag: 'markdown', content: '详情' } },
    elements: [
      { tag: 'markdown', content: '…' },
      { tag: 'checker', name: 'ck', checked: false, text: { tag: 'plain_text', content: '已读' }, behaviors: [{ type: 'callback', value: { action: 'check' } }] },
    ],
  },
  form([
    { tag: 'input', name: 'summary', required: true, max_length: 500, input_type: 'multiline_text', placeholder: { tag: 'plain_text', content: '填写' }, label: { tag: 'plain_text', content: '内容' } },
    { tag: 'multi_select_static', name: 'tags', required: false, options: [opt('x'), opt('y')], selected_values: ['x'] },
    { tag: 'date_picker', name: 'due', initial_date: '2026-05-15', placeholder: { tag: 'plain_text', content: '日期' } },
    { tag: 'select_person', name: 'who', options: [{ value: 'ou_a' }] },
    { tag: 'multi_select_person', name: 'whos' },
    submit(),
    { tag: 'button', name: 'reset', form_action_type: 'reset', text: { tag: 'plain_text', content: '重置' } },
  ]),
  { tag: 'img', img_key: 'img_v3_abc', alt: { tag: 'plain_text', content: '图' } },
]);

describe('validateCard', () => {
  it('accepts a card using every supported component', () => {
    expect(validateCard(full)).toEqual({ ok: true });
  });

  const rejects: [string, unknown, number, RegExp][] = [
    ['not an object', 'x', 200621, /JSON object/],
    ['missing schema (1.0 card)', { elements: [] }, 200861, /1\.0/],
    ['schema 1.0 string', { schema: '1.0', body: { elements: [] } }, 200621, /schema/],
    ['update_multi false', card([], { config: { update_multi: false } }), 200621, /update_multi/],
    ['unknown header template', card([], { header: { template: 'pink', title: { tag: 'plain_text', content: 't' } } }), 200621, /template/],
    ['header without title', card([], { header: { template: 'blue' } }), 200621, /title/],
    ['unknown top-level attribute', card([], { i18n_body: {} }), 200621, /i18n_body/],
    ['i18n_elements', card([], { i18n_elements: {} }), 200861, /i18n_elements/],
    ['unknown component attribute', card([{ tag: 'markdown', content: 'x', href: {} }]), 200621, /href/],
    ['unknown tag', card([{ tag: 'marquee' }]), 200621, /unknown tag/],
    ['1.0 action wrapper', card([{ tag: 'action', actions: [] }]), 200861, /action/],
    ['1.0 note', card([{ tag: 'note', elements: [] }]), 200861, /note/],
    ['bad element_id', card([{ tag: 'hr', element_id: '1abc' }]), 200621, /element_id/],
    ['long element_id', card([{ tag: 'hr', element_id: 'a'.repeat(21) }]), 200621, /element_id/],
    [
      'duplicate element_id',
      card([
        { tag: 'hr', element_id: 'a' },
        { tag: 'hr', element_id: 'a' },
      ]),
      200621,
      /duplicate element_id/,
    ],
    ['string callback value', card([{ tag: 'button', text: { tag: 'plain_text', content: 'b' }, behaviors: [{ type: 'callback', value: 'x' }] }]), 200621, /value/],
    ['form not at root', card([{ tag: 'column_set', columns: [{ tag: 'column', elements: [form([submit()])] }] }]), 200621, /form is only allowed at the root/],
    ['form inside form', card([form([form([submit('s2')], 'g'), submit()])]), 200621, /form is only allowed at the root/],
    ['table inside form', card([form([{ tag: 'table', columns: [], rows: [] }, submit()])]), 200621, /table/],
    ['table inside column', card([{ tag: 'column_set', columns: [{ tag: 'column', elements: [{ tag: 'table', columns: [], rows: [] }] }] }]), 200621, /table is only allowed at the root/],
    ['six tables', card(Array.from({ length: 6 }, () => ({ tag: 'table', columns: [], rows: [] }))), 11310, /table number over limit/],
    ['form without submit', card([form([{ tag: 'input', name: 'a' }])]), 200621, /submit button/],
    ['form field without name', card([form([{ tag: 'input' }, submit()])]), 200530, /non-empty name/],
    ['duplicate field names', card([form([{ tag: 'input', name: 'a' }, { tag: 'input', name: 'a' }, submit()])]), 200621, /duplicate component name/],
    ['duplicate form names', card([form([submit('s1')], 'f'), form([submit('s2')], 'f')]), 200621, /duplicate form name/],
    ['form without name', card([{ tag: 'form', elements: [submit()] }]), 200621, /name/],
    ['multi_select_static outside form', card([{ tag: 'multi_select_static', name: 'm', options: [] }]), 200621, /only allowed inside a form/],
    ['multi_select_person outside form', card([{ tag: 'multi_select_person', name: 'm' }]), 200621, /only allowed inside a form/],
    ['nesting deeper than 5', card([nest(6)]), 200621, /nested deeper/],
    ['too many components', card(Array.from({ length: 201 }, () => ({ tag: 'hr' }))), 11310, /exceeds the limit/],
    ['input max_length > 1000', card([{ tag: 'input', max_length: 2000 }]), 200621, /max_length/],
    ['bad button type', card([{ tag: 'button', type: 'huge' }]), 200621, /type/],
    ['bad date format', card([{ tag: 'date_picker', initial_date: '2026/05/15' }]), 200621, /initial_date/],
    ['table cell type mismatch', card([{ tag: 'table', columns: [{ name: 'n', data_type: 'number' }], rows: [{ n: 'three' }] }]), 200915, /data_type/],
    ['bad text_size', card([{ tag: 'markdown', content: 'x', text_size: 'gigantic' }]), 200621, /text_size/],
    ['column_set with non-column', card([{ tag: 'column_set', columns: [{ tag: 'markdown', content: 'x' }] }]), 200621, /column/],
  ];

  it.each(rejects)('rejects %s', (_name, input, subCode, pattern) => {
    const result = validateCard(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.subCode).toBe(subCode);
    expect(result.message).toMatch(pattern);
  });

  it('accepts nesting of exactly 5 levels and 200 elements (the header title is one of them)', () => {
    expect(validateCard(card([nest(5)])).ok).toBe(true);
    expect(validateCard(card(Array.from({ length: 199 }, () => ({ tag: 'hr' })))).ok).toBe(true);
  });

  it('checks img keys against the uploaded ones when asked', () => {
    const c = card([{ tag: 'img', img_key: 'img_v3_unknown' }]);
    expect(validateCard(c, { knownImageKeys: new Set(['img_v3_other']) })).toMatchObject({ ok: false, subCode: 200570 });
    expect(validateCard(c, { knownImageKeys: new Set(['img_v3_unknown']) }).ok).toBe(true);
  });

  it('validateCardContent reports JSON parse errors as 200621', () => {
    expect(validateCardContent('{not json')).toMatchObject({ ok: false, subCode: 200621 });
    expect(validateCardContent(JSON.stringify(full)).ok).toBe(true);
  });
});
