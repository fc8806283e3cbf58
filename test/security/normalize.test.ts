// The edge makes every inbound string well-formed and bounded before the app sees it.
import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS, normalizeEnvelope } from '../../src/adapters/feishu/normalize.ts';
import { escapeTextMarkup, fitTextReply, quoteInput, wellFormed, TEXT_REPLY_MAX_BYTES } from '../../src/domain/user-text.ts';

const header = (type: string) => ({ event_id: 'ev_1', event_type: type, create_time: '1', token: 't' });
const cardEnvelope = (action: Record<string, unknown>) => ({
  schema: '2.0',
  header: header('card.action.trigger'),
  event: { operator: { open_id: 'ou_\uDC00x' }, token: 'c-1', action, context: { open_message_id: 'om_1', open_chat_id: 'oc_1' } },
});

describe('edge normalisation', () => {
  it('lone surrogates become U+FFFD everywhere, JSON-in-JSON message content included', () => {
    const n = normalizeEnvelope(
      {
        schema: '2.0',
        header: header('im.message.receive_v1'),
        event: { sender: { sender_id: { open_id: 'ou_a' } }, message: { message_id: 'om_1', chat_id: 'oc_1', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text: '审核 \uD800' }) } },
      },
      undefined,
    );
    expect(n.ok && n.event.kind === 'message' && n.event.text).toBe('审核 \uFFFD');
    const c = normalizeEnvelope(cardEnvelope({ value: { a: 'x\uD83D' }, form_value: { note: ['\uDE00'], k: 'ok' }, input_value: '\uD800\uD800' }), undefined);
    expect(c.ok).toBe(true);
    if (c.ok && c.event.kind === 'card_action') {
      expect(c.event.operatorOpenId).toBe('ou_\uFFFDx');
      expect(c.event.value.a).toBe('x\uFFFD');
      expect(c.event.formValue).toEqual({ note: ['\uFFFD'], k: 'ok' });
      expect(c.event.inputValue).toBe('\uFFFD\uFFFD');
      expect(c.event.oversized).toBeUndefined();
    }
  });

  it('oversized text, form fields and values are cut and flagged; oversized ids are refused', () => {
    const long = normalizeEnvelope(
      {
        schema: '2.0',
        header: header('im.message.receive_v1'),
        event: { sender: { sender_id: { open_id: 'ou_a' } }, message: { message_id: 'om_1', chat_id: 'oc_1', chat_type: 'group', message_type: 'text', content: JSON.stringify({ text: '催办 ' + '甲'.repeat(10_000) }) } },
      },
      undefined,
    );
    expect(long.ok && long.event.kind === 'message' && [...long.event.text].length).toBe(INPUT_LIMITS.text);
    expect(long.ok && long.event.kind === 'message' && long.event.oversized).toEqual({ field: '消息', limit: INPUT_LIMITS.text });
    const form = normalizeEnvelope(cardEnvelope({ value: { a: 'x' }, form_value: { intro: '字'.repeat(INPUT_LIMITS.field + 1) } }), undefined);
    expect(form.ok && form.event.kind === 'card_action' && form.event.oversized?.field).toBe('填写的内容');
    const value = normalizeEnvelope(cardEnvelope({ value: { a: 'x', id: 'i'.repeat(INPUT_LIMITS.value + 1) } }), undefined);
    expect(value.ok && value.event.kind === 'card_action' && value.event.oversized?.field).toBe('按钮');
    const id = normalizeEnvelope({ ...cardEnvelope({ value: {} }), header: { ...header('card.action.trigger'), event_id: 'e'.repeat(1000) } }, undefined);
    expect(id.ok).toBe(false);
  });

  it('excerpts of user input are short and inert', () => {
    expect(quoteInput('<at user_id="all">所有人</at>')).toBe('＜at user_id="all"＞所有人＜/at＞');
    expect(quoteInput('[点我](http://evil)')).toBe('［点我］(http://evil)');
    expect(quoteInput('甲'.repeat(100))).toBe(`${'甲'.repeat(30)}…（共 100 字）`);
    expect(quoteInput('a\u0000\u202e\n\n b')).toBe('a b');
    expect(escapeTextMarkup('<b>x</b>')).toBe('＜b＞x＜/b＞');
    expect(wellFormed('\uD800a\uDC00')).toBe('\uFFFDa\uFFFD');
    expect(wellFormed('😀')).toBe('😀');
  });

  it('a text reply is cut to fit Feishu', () => {
    const out = fitTextReply('字'.repeat(300_000));
    expect(Buffer.byteLength(out)).toBeLessThan(TEXT_REPLY_MAX_BYTES);
    expect(out).toContain('已截断');
    expect(fitTextReply('短')).toBe('短');
  });
});
