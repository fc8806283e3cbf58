// Which scopes each emulated API needs ("权限要求 … 开启其中任意一项权限即可调用" on each API page), and
// Feishu's answer when the app has none of them: 99991672 naming the scopes and the console link.
// Sources: docs/feishu-fidelity.md ("Scopes" rows), which cites each API page on open.feishu.cn.

export interface ScopeRule {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** express route pattern as registered in openapi/*.ts */
  pattern: string;
  /** any one of these is enough */
  anyOf: string[];
}

const SEND = ['im:message', 'im:message:send_as_bot', 'im:message:send'];
const CHAT_READ = ['im:chat', 'im:chat:readonly', 'im:chat.members:read', 'im:chat.group_info:readonly'];

export const SCOPE_RULES: ScopeRule[] = [
  // bot/v3/info: "权限要求 无" (needs the bot ability only).
  { method: 'POST', pattern: '/open-apis/im/v1/messages', anyOf: SEND },
  { method: 'POST', pattern: '/open-apis/im/v1/messages/:message_id/reply', anyOf: SEND },
  { method: 'PATCH', pattern: '/open-apis/im/v1/messages/:message_id', anyOf: ['im:message', 'im:message:send_as_bot', 'im:message:update'] },
  { method: 'PATCH', pattern: '/open-apis/im/v1/messages/:message_id/urgent_app', anyOf: ['im:message.urgent'] },
  { method: 'GET', pattern: '/open-apis/im/v1/messages', anyOf: ['im:message', 'im:message:readonly', 'im:message.group_msg'] },
  { method: 'GET', pattern: '/open-apis/im/v1/messages/:message_id/resources/:file_key', anyOf: ['im:message', 'im:message:readonly', 'im:resource'] },
  { method: 'POST', pattern: '/open-apis/im/v1/images', anyOf: ['im:resource', 'im:resource:upload'] },
  { method: 'POST', pattern: '/open-apis/im/v1/files', anyOf: ['im:resource', 'im:resource:upload'] },
  { method: 'GET', pattern: '/open-apis/im/v1/chats/:chat_id', anyOf: ['im:chat', 'im:chat:readonly', 'im:chat.group_info:readonly'] },
  { method: 'GET', pattern: '/open-apis/im/v1/chats/:chat_id/members/is_in_chat', anyOf: CHAT_READ },
  { method: 'GET', pattern: '/open-apis/im/v1/chats/:chat_id/members', anyOf: CHAT_READ },
  { method: 'POST', pattern: '/open-apis/calendar/v4/calendars', anyOf: ['calendar:calendar'] },
  { method: 'POST', pattern: '/open-apis/calendar/v4/calendars/:calendar_id/events', anyOf: ['calendar:calendar'] },
  { method: 'PATCH', pattern: '/open-apis/calendar/v4/calendars/:calendar_id/events/:event_id', anyOf: ['calendar:calendar'] },
  { method: 'DELETE', pattern: '/open-apis/calendar/v4/calendars/:calendar_id/events/:event_id', anyOf: ['calendar:calendar'] },
];

/** The scopes a route needs when the app has none of them, else undefined. */
export function missingScopesFor(method: string, pattern: string, revoked: ReadonlySet<string>): string[] | undefined {
  if (revoked.size === 0) return undefined;
  const rule = SCOPE_RULES.find((r) => r.method === method.toUpperCase() && r.pattern === pattern);
  if (!rule) return undefined;
  return rule.anyOf.every((s) => revoked.has(s)) ? rule.anyOf : undefined;
}

/** Feishu's 99991672 message (English half, Chinese half, and the console link that grants the scopes). */
export function scopeDeniedMessage(appId: string, scopes: string[]): string {
  const list = scopes.join(',');
  return `Access denied. One of the following scopes is required: [${list}]. 应用尚未开通所需的应用身份权限：[${list}]，点击链接申请并开通任一权限即可：https://open.feishu.cn/app/${appId}/auth?q=${encodeURIComponent(list)}&op_from=openapi&token_type=tenant`;
}
