// interactive/v1/card/update: the delayed update of a card with the token of its callback.
import { validateCard } from '../card-schema.ts';
import { CARD_TOKEN_MAX_USES, CARD_TOKEN_TTL_MS, type EmulatorCore } from '../core.ts';
import { CARD_MAX_BYTES, cardInvalid, fieldValidation, invalidParam, isRecord, str, tooLong, type RegisterApi } from './kit.ts';

export function registerCardApi(api: RegisterApi, core: EmulatorCore): void {
  api('post', '/open-apis/interactive/v1/card/update', (req, res) => {
    const body = isRecord(req.body) ? req.body : {};
    const token = str(body.token);
    if (!token) throw fieldValidation('token', 'is required');
    const state = core.cardTokens.get(token);
    if (!state) throw invalidParam('invalid token');
    if (core.nowMs() - state.issuedAt > CARD_TOKEN_TTL_MS) throw invalidParam('token expired (valid for 30 minutes)');
    if (!state.answered) throw invalidParam('the card callback has not been answered yet; update after answering it');
    if (state.uses >= CARD_TOKEN_MAX_USES) throw invalidParam(`token used up (at most ${CARD_TOKEN_MAX_USES} updates)`);
    if (!isRecord(body.card)) throw fieldValidation('card', 'is required and must be an object');
    if (Buffer.byteLength(JSON.stringify(body.card)) > CARD_MAX_BYTES) throw tooLong();
    const v = validateCard(body.card, { knownImageKeys: core.appImageKeys() });
    if (!v.ok) throw cardInvalid(v.subCode, v.message);
    const m = core.messagesById.get(state.messageId);
    if (!m?.card) throw invalidParam('the card message no longer exists');
    if (m.card.schema === '2.0' && body.card.schema !== '2.0') throw cardInvalid(200830, 'a card of schema 2.0 can only be updated to schema 2.0');
    state.uses += 1;
    core.replaceCard(m, body.card, 'delayed_update');
    res.json({ code: 0, msg: 'success', data: {} });
  });
}
