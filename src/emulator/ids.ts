// Feishu-looking identifiers. Random enough to never collide inside one process.
import { randomBytes } from 'node:crypto';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

export const newMessageId = (): string => `om_${hex(16)}`;
export const newChatId = (): string => `oc_${hex(16)}`;
export const newOpenId = (): string => `ou_${hex(16)}`;
export const newEventId = (): string => hex(16);
export const newImageKey = (): string => `img_v3_${hex(4)}_${hex(12)}`;
export const newFileKey = (): string => `file_v3_${hex(4)}_${hex(12)}`;
export const newTenantToken = (): string => `t-g${hex(20)}`;
export const newCardToken = (): string => `c-${hex(20)}`;
export const newCalendarId = (): string => `feishu.cn_${hex(12)}@group.calendar.feishu.cn`;
export const newCalendarEventId = (): string => `${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}_0`;
export const newLogId = (): string => `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${hex(10).toUpperCase()}`;
export const newNonce = (): string => hex(8);
