// Requests as Feishu pushes them (encrypted body, signature headers), shared by the benches that
// post events or card callbacks at the app: webhook, cards and start (memory under a burst).
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { DEMO_UNITS } from '../src/domain/demo-directory.ts';

export interface FeishuKeys {
  encryptKey: string;
  verificationToken: string;
  appId: string;
}

export interface SignedRequest {
  raw: string;
  headers: Record<string, string>;
}

function encrypt(plain: string, key: string): string {
  const k = createHash('sha256').update(key).digest();
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', k, iv);
  return Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64');
}

/** Encrypted body and signature headers (each push its own nonce). */
export function signed(k: { encryptKey: string }, body: unknown): SignedRequest {
  const raw = JSON.stringify({ encrypt: encrypt(JSON.stringify(body), k.encryptKey) });
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const signature = createHash('sha256')
    .update(ts + nonce + k.encryptKey + raw)
    .digest('hex');
  return { raw, headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature } };
}

/** "@主题日助手 帮助" from demo unit `i`'s liaison in its group, its own event and message id unless given. */
export function messageEvent(k: FeishuKeys & { botOpenId: string }, i: number, tag: string, ids?: { eventId: string; messageId: string }) {
  const unit = DEMO_UNITS[i % DEMO_UNITS.length]!;
  const sender = unit.liaisons.find((l) => l.openId)!.openId!;
  const eventId = ids?.eventId ?? `ev_bench_${tag}_${i}_${randomBytes(4).toString('hex')}`;
  const messageId = ids?.messageId ?? `om_bench_${tag}_${i}_${randomBytes(4).toString('hex')}`;
  const now = String(Date.now());
  return {
    eventId,
    messageId,
    body: {
      schema: '2.0',
      header: { event_id: eventId, event_type: 'im.message.receive_v1', token: k.verificationToken, create_time: now, app_id: k.appId, tenant_key: 'bench' },
      event: {
        sender: { sender_id: { open_id: sender }, sender_type: 'user', tenant_key: 'bench' },
        message: {
          message_id: messageId,
          create_time: now,
          chat_id: unit.chatId,
          chat_type: 'group',
          message_type: 'text',
          content: JSON.stringify({ text: '@_user_1 帮助' }),
          mentions: [{ key: '@_user_1', id: { open_id: k.botOpenId }, name: '主题日助手', tenant_key: 'bench' }],
        },
      },
    },
  };
}

/** A card.action.trigger callback (a button press, with form values when given). */
export function cardCallback(k: FeishuKeys, o: { operator: string; chatId: string; messageId: string; value: Record<string, unknown>; name?: string; formValue?: Record<string, unknown> }) {
  const eventId = `ev_card_${randomBytes(8).toString('hex')}`;
  return {
    schema: '2.0',
    header: { event_id: eventId, event_type: 'card.action.trigger', token: k.verificationToken, create_time: String(Date.now() * 1000), app_id: k.appId, tenant_key: 'bench' },
    event: {
      operator: { open_id: o.operator, tenant_key: 'bench' },
      token: `c-${randomBytes(12).toString('hex')}`,
      action: { tag: 'button', value: o.value, ...(o.name ? { name: o.name } : {}), ...(o.formValue ? { form_value: o.formValue } : {}) },
      host: 'im_message',
      context: { open_message_id: o.messageId, open_chat_id: o.chatId },
    },
  };
}

/** POSTs a signed request; status 0 when no answer came. */
export async function postSigned(url: string, req: SignedRequest): Promise<{ status: number; ms: number; body: Record<string, unknown> }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.raw });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
    return { status: res.status, ms: performance.now() - started, body };
  } catch {
    return { status: 0, ms: performance.now() - started, body: {} };
  }
}
