import { describe, expect, it } from 'vitest';
import {
  buildAction,
  callbackValue,
  chartBoxSize,
  chartSpecFor,
  collectFormValue,
  columnFlex,
  formActionType,
  formatNumber,
  formatPickerValue,
  formatTableDate,
  formNameProblems,
  headerTemplate,
  initialOption,
  isRequired,
  missingRequired,
  openUrlOf,
  spacingPx,
  tableCellLines,
  tablePage,
  textOf,
} from '../../src/emulator/workspace/public/card-logic.js';

describe('form_value collection (as Feishu sends it)', () => {
  const fields = [
    { tag: 'input', name: 'theme', required: true, value: '优化营商环境政策解读会' },
    { tag: 'input', name: 'intro', value: '' },
    { tag: 'select_static', name: 'form_type', required: true, value: 'forum' },
    { tag: 'select_static', name: 'unset_select', value: '' },
    { tag: 'multi_select_static', name: 'audience', value: ['npc', 'media'] },
    { tag: 'multi_select_person', name: 'helpers', value: [] },
    { tag: 'date_picker', name: 'day', required: true, value: '2024-05-20' },
    { tag: 'picker_time', name: 'at', value: '09:30' },
    { tag: 'picker_datetime', name: 'start', value: '2024-05-20T09:30' },
    { tag: 'select_person', name: 'owner', value: 'ou_abc' },
    { tag: 'checker', name: 'logo', value: true },
    { tag: 'checker', name: 'other', value: false },
  ];

  it('maps each component to its value shape', () => {
    expect(collectFormValue(fields)).toEqual({
      theme: '优化营商环境政策解读会',
      intro: '',
      form_type: 'forum',
      audience: ['npc', 'media'],
      helpers: [],
      day: '2024-05-20 +0800',
      at: '09:30 +0800',
      start: '2024-05-20 09:30 +0800',
      owner: 'ou_abc',
      logo: true,
      other: false,
    });
  });

  it('blocks required fields that are empty (whitespace counts as empty)', () => {
    expect(missingRequired(fields)).toEqual([]);
    expect(
      missingRequired([
        { tag: 'input', name: 'a', required: true, value: '   ' },
        { tag: 'select_static', name: 'b', required: true, value: '' },
        { tag: 'multi_select_static', name: 'c', required: true, value: [] },
        { tag: 'date_picker', name: 'd', required: true, value: '' },
        { tag: 'checker', name: 'e', required: true, value: false },
        { tag: 'input', name: 'f', required: false, value: '' },
      ]),
    ).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('knows Feishu required defaults: multi-selects are required unless they say otherwise', () => {
    expect(isRequired({ tag: 'multi_select_static' })).toBe(true);
    expect(isRequired({ tag: 'multi_select_person', required: false })).toBe(false);
    expect(isRequired({ tag: 'input' })).toBe(false);
    expect(isRequired({ tag: 'select_static', required: true })).toBe(true);
  });

  it('rejects bad picker values and reports empty or duplicate names', () => {
    expect(formatPickerValue('date_picker', '2024/05/20')).toBeNull();
    expect(formatPickerValue('date_picker', '')).toBeNull();
    expect(formNameProblems([{ name: 'a' }, { name: '' }, { name: 'a' }])).toEqual(['', 'a']);
  });
});

describe('actions', () => {
  const submit = {
    tag: 'button',
    name: 'submit_btn',
    form_action_type: 'submit',
    behaviors: [
      { type: 'callback', value: { action: 'submit_theme', unit: 'xingsha' } },
      { type: 'open_url', default_url: 'javascript:alert(1)' },
    ],
  };

  it('a submit button sends its callback value, name, tag and the form_value', () => {
    expect(buildAction(submit, { formValue: { theme: 'x' } })).toEqual({ tag: 'button', name: 'submit_btn', value: { action: 'submit_theme', unit: 'xingsha' }, formValue: { theme: 'x' } });
    expect(formActionType(submit)).toBe('submit');
    expect(formActionType({ action_type: 'form_reset' })).toBe('reset');
  });

  it('a standalone button sends just its value; selects send option; checkers send checked', () => {
    expect(buildAction({ tag: 'button', behaviors: [{ type: 'callback', value: { action: 'remind' } }] })).toEqual({ tag: 'button', value: { action: 'remind' } });
    expect(buildAction({ tag: 'select_static', name: 's', behaviors: [{ type: 'callback', value: { a: 1 } }] }, { option: 'v2' })).toEqual({ tag: 'select_static', name: 's', value: { a: 1 }, option: 'v2' });
    expect(buildAction({ tag: 'checker', name: 'c', value: { k: 1 } }, { checked: true })).toEqual({ tag: 'checker', name: 'c', value: { k: 1 }, checked: true });
    expect(callbackValue({ tag: 'button' })).toBeUndefined();
  });

  it('opens only http(s) URLs', () => {
    expect(openUrlOf(submit)).toBeNull();
    expect(openUrlOf({ behaviors: [{ type: 'open_url', default_url: 'https://www.csx.gov.cn' }] })).toBe('https://www.csx.gov.cn/');
  });
});

describe('display helpers', () => {
  it('header templates fall back to default', () => {
    expect(headerTemplate('carmine')).toBe('carmine');
    expect(headerTemplate('hotpink')).toBe('default');
  });

  it('text objects prefer zh_cn i18n content', () => {
    expect(textOf({ tag: 'plain_text', content: 'x', i18n_content: { zh_cn: '中文', en_us: 'en' } })).toBe('中文');
    expect(textOf({ tag: 'plain_text', content: 'x' })).toBe('x');
    expect(textOf(undefined)).toBe('');
  });

  it('select initial option by value or 1-based index', () => {
    const options = [{ value: 'a' }, { value: 'b' }];
    expect(initialOption({ options, initial_option: 'b' })).toBe('b');
    expect(initialOption({ options, initial_index: 1 })).toBe('a');
    expect(initialOption({ options, initial_option: 'zzz' })).toBe('');
  });

  it('paginates tables with page_size 1..10 (default 5)', () => {
    const rows = Array.from({ length: 12 }, (_, i) => i);
    expect(tablePage(rows, undefined, 0)).toMatchObject({ rows: [0, 1, 2, 3, 4], pages: 3, size: 5 });
    expect(tablePage(rows, 10, 1)).toMatchObject({ rows: [10, 11], page: 1, pages: 2 });
    expect(tablePage(rows, 50, 99)).toMatchObject({ page: 2, size: 5 });
    expect(tablePage([], 5, 0)).toMatchObject({ rows: [], pages: 1 });
  });

  it('formats numbers and dates of table cells (dates in Asia/Shanghai)', () => {
    expect(formatNumber(1234567.891, { precision: 2, separator: true, symbol: '¥' })).toBe('¥1,234,567.89');
    expect(formatNumber('x', {})).toBe('x');
    expect(formatTableDate(Date.UTC(2024, 3, 6, 17, 30), 'YYYY/MM/DD HH:mm')).toBe('2024/04/07 01:30');
  });

  it('column widths and spacings', () => {
    expect(columnFlex({ width: 'weighted', weight: 3 })).toEqual({ kind: 'weighted', weight: 3 });
    expect(columnFlex({ width: 'weighted', weight: 9 })).toEqual({ kind: 'weighted', weight: 1 });
    expect(columnFlex({ width: '120px' })).toEqual({ kind: 'fixed', px: 120 });
    expect(columnFlex({})).toEqual({ kind: 'auto' });
    expect(spacingPx('large')).toBe(12);
    expect(spacingPx('6px')).toBe(6);
    expect(spacingPx(undefined)).toBe(8);
  });
});

describe('chart and table sizing (chart and table pages)', () => {
  it('sizes a chart: a fixed height wins, else aspect_ratio, else 16:9 on desktop and 1:1 on phones', () => {
    expect(chartBoxSize({ height: '240px', aspect_ratio: '1:1' }, false)).toEqual({ height: 240 });
    expect(chartBoxSize({ aspect_ratio: '4:3' }, true)).toEqual({ aspectRatio: '4 / 3' });
    expect(chartBoxSize({ height: 'auto' }, false)).toEqual({ aspectRatio: '16 / 9' });
    expect(chartBoxSize({}, true)).toEqual({ aspectRatio: '1 / 1' });
  });

  it('applies the colour theme only when chart_spec declares no colours, without touching the card', () => {
    const component = { tag: 'chart', color_theme: 'rainbow', chart_spec: { type: 'bar', data: [] } };
    const spec = chartSpecFor(component);
    expect(Array.isArray(spec.color)).toBe(true);
    expect(spec.color).not.toEqual(chartSpecFor({ chart_spec: { type: 'bar' } }).color);
    expect(component.chart_spec).toEqual({ type: 'bar', data: [] });
    const own = { type: 'ordinal', domain: ['a'], range: ['#000000'] };
    expect(chartSpecFor({ color_theme: 'rainbow', chart_spec: { type: 'bar', color: own } }).color).toEqual(own);
  });

  it('clips table cells by row_height: low/middle/high lines, px or auto up to row_max_height', () => {
    expect(tableCellLines(undefined)).toEqual({ lines: 1 });
    expect(tableCellLines('middle')).toEqual({ lines: 2 });
    expect(tableCellLines('high')).toEqual({ lines: 3 });
    expect(tableCellLines('60px')).toEqual({ maxHeight: 60 });
    expect(tableCellLines('auto')).toEqual({ maxHeight: 124 });
    expect(tableCellLines('auto', '300px')).toEqual({ maxHeight: 300 });
  });
});
