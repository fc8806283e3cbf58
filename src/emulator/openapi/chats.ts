// im/v1/chats: chat info, membership of the bot, member list.
import type { EmulatorCore } from '../core.ts';
import { ApiError, clamp, decodePageToken, encodePageToken, fieldValidation, ok, str, type RegisterApi } from './kit.ts';

export function registerChatApi(api: RegisterApi, core: EmulatorCore): void {
  api('get', '/open-apis/im/v1/chats/:chat_id', (req, res) => {
    const chat = core.chatsById.get(String(req.params.chat_id));
    if (!chat) throw new ApiError(400, 232006, 'Your request specifies a chat_id which is invalid.');
    if (!chat.botMember) throw new ApiError(400, 232011, 'Operator can NOT be out of the chat.');
    ok(res, {
      avatar: '',
      name: chat.name,
      description: '',
      i18n_names: { zh_cn: chat.name },
      add_member_permission: 'all_members',
      share_card_permission: 'allowed',
      at_all_permission: 'all_members',
      edit_permission: 'all_members',
      owner_id_type: 'open_id',
      owner_id: chat.memberOpenIds[0] ?? '',
      chat_mode: chat.chatType === 'p2p' ? 'p2p' : 'group',
      chat_type: 'private',
      chat_tag: 'inner',
      join_message_visibility: 'all_members',
      leave_message_visibility: 'all_members',
      membership_approval: 'no_approval_required',
      moderation_permission: 'all_members',
      external: false,
      tenant_key: core.tenantKey,
      user_count: String(chat.memberOpenIds.length),
      bot_count: String(chat.botMember ? 1 : 0),
      urgent_setting: 'all_members',
      chat_status: 'normal',
    });
  });

  api('get', '/open-apis/im/v1/chats/:chat_id/members/is_in_chat', (req, res) => {
    const chat = core.chatsById.get(String(req.params.chat_id));
    if (!chat) throw new ApiError(400, 232006, 'Your request specifies a chat_id which is invalid.');
    ok(res, { is_in_chat: chat.botMember });
  });

  api('get', '/open-apis/im/v1/chats/:chat_id/members', (req, res) => {
    const chat = core.chatsById.get(String(req.params.chat_id));
    if (!chat) throw new ApiError(400, 232006, 'Your request specifies a chat_id which is invalid.');
    if (!chat.botMember) throw new ApiError(400, 232011, 'Operator can NOT be out of the chat.');
    const idType = str(req.query.member_id_type) ?? 'open_id';
    if (idType !== 'open_id') throw fieldValidation('member_id_type', 'the emulator supports open_id only');
    const pageSize = clamp(Number(str(req.query.page_size) ?? '20'), 1, 100);
    const offset = decodePageToken(str(req.query.page_token));
    const members = chat.memberOpenIds;
    const page = members.slice(offset, offset + pageSize);
    const hasMore = offset + pageSize < members.length;
    ok(res, {
      items: page.map((id) => ({ member_id_type: 'open_id', member_id: id, name: core.usersById.get(id)?.name ?? '', tenant_key: core.tenantKey })),
      page_token: hasMore ? encodePageToken(offset + pageSize) : '',
      has_more: hasMore,
      member_total: members.length,
    });
  });
}
