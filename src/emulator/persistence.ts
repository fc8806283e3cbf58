// Local mode keeps the emulated Feishu across restarts, as Feishu keeps its chats: people, chats,
// messages and their cards, uploaded images and files, calendars and the send dedupe (uuid) index.
// Without it a restart showed empty chats over a database that remembers the whole campaign, and a
// card showing a photo sent before the restart failed to render (200673: its image key unknown).
//
// The state is one JSON file, rewritten (to a temporary file, then renamed) a moment after a
// change. Uploaded images and files are written once each, beside it in files/: the bytes under
// their key, then <key>.json (what the file is); they come back even if the state file does not,
// so a photo the database still names keeps its image. Tokens, call and delivery logs and pending
// re-deliveries are not kept: a real restart of the bot loses those too.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmulatorCore } from './core.ts';
import type { EmuCalendar, EmuCalendarEvent, EmuChat, EmuMessage, EmuUser, UploadedFile } from './types.ts';

const STATE_FILE = 'state.json';
const FILES_DIR = 'files';
const VERSION = 1;
/** Writes gather changes for this long: a burst of sends is one write, and a crash loses at most this. */
const SAVE_DELAY_MS = 300;

interface Snapshot {
  version: number;
  users: EmuUser[];
  chats: EmuChat[];
  p2pByUser: [string, string][];
  /** in the order they were stored (a chat's order is chatMessageIds) */
  messages: EmuMessage[];
  chatMessageIds: [string, string[]][];
  uuidIndex: [string, { messageId: string; at: number }][];
  calendars: EmuCalendar[];
  calendarEvents: EmuCalendarEvent[];
  eventIdempotency: [string, string][];
  readCounts: [string, [string, number][]][];
}

/** A Date survives the round trip as { $date: iso } (JSON.stringify alone would leave a string). */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.toISOString() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const iso = (value as { $date?: unknown }).$date;
    if (typeof iso === 'string' && Object.keys(value).length === 1) return new Date(iso);
  }
  return value;
}

/** A key as a file name: keys are Feishu-looking ids (img_v3_…, file_v3_…); anything else is refused. */
function fileName(key: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(key)) throw new Error(`unexpected file key ${JSON.stringify(key)}`);
  return key;
}

function snapshot(core: EmulatorCore): Snapshot {
  return {
    version: VERSION,
    users: [...core.usersById.values()],
    chats: [...core.chatsById.values()],
    p2pByUser: [...core.p2pByUser],
    messages: [...core.messagesById.values()],
    chatMessageIds: [...core.chatMessageIds],
    uuidIndex: [...core.uuidIndex],
    calendars: [...core.calendarsById.values()],
    calendarEvents: [...core.eventsById.values()],
    eventIdempotency: [...core.eventIdempotency],
    readCounts: [...core.readCounts].map(([openId, chats]) => [openId, [...chats]]),
  };
}

export interface EmulatorStateStore {
  /** whether a saved state was loaded at start */
  readonly restored: boolean;
  /** a change happened: write soon */
  changed(): void;
  /** writes what is pending now (shutdown) */
  flush(): Promise<void>;
}

/**
 * Loads the state saved in `dir` into `core` (if any), then keeps `dir` up to date: call
 * `changed()` after anything that may have changed the state, `flush()` at shutdown.
 */
export function openEmulatorState(core: EmulatorCore, dir: string, onError: (error: unknown, during: 'load' | 'save') => void = () => undefined): EmulatorStateStore {
  const filesDir = path.join(dir, FILES_DIR);
  mkdirSync(filesDir, { recursive: true });
  const written = restoreFiles(core, filesDir);
  let restored = false;
  try {
    restored = restore(core, dir);
  } catch (error) {
    // Unreadable (edited by hand, a disk fault): kept aside for a look, and the emulator starts with
    // empty chats (its files kept) rather than refusing to start.
    const file = path.join(dir, STATE_FILE);
    const aside = `${file}.unreadable-${Date.now()}`;
    renameSync(file, aside);
    onError(new Error(`${(error as Error).message}; kept aside as ${aside}`, { cause: error }), 'load');
  }
  let timer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();

  const save = async (): Promise<void> => {
    // File contents first: a state that names a file always finds it.
    for (const f of core.files.values()) {
      if (written.has(f.key)) continue;
      const { bytes, ...meta } = f;
      await writeFile(path.join(filesDir, fileName(f.key)), bytes);
      await writeFile(path.join(filesDir, `${fileName(f.key)}.json`), JSON.stringify(meta));
      written.add(f.key);
    }
    const target = path.join(dir, STATE_FILE);
    await writeFile(`${target}.tmp`, JSON.stringify(snapshot(core), replacer));
    await rename(`${target}.tmp`, target);
  };
  const run = (): Promise<void> => {
    timer = undefined;
    saving = saving.then(save).catch((error: unknown) => onError(error, 'save'));
    return saving;
  };
  return {
    restored,
    changed() {
      timer ??= setTimeout(() => void run(), SAVE_DELAY_MS);
    },
    async flush() {
      // Always written: not every change announces itself (a read mark set while nothing else moved).
      clearTimeout(timer);
      await run();
    },
  };
}

function restore(core: EmulatorCore, dir: string): boolean {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) return false;
  const s = JSON.parse(readFileSync(file, 'utf8'), reviver) as Snapshot;
  // Checked before anything is loaded, so a bad file leaves the emulator empty, not half filled.
  if (typeof s !== 'object' || s === null) throw new Error(`${file}: not a saved state`);
  if (s.version !== VERSION) {
    // An older layout: keep it aside rather than guess, and start empty.
    renameSync(file, `${file}.v${String(s.version)}`);
    return false;
  }
  const lists = ['users', 'chats', 'p2pByUser', 'messages', 'chatMessageIds', 'uuidIndex', 'calendars', 'calendarEvents', 'eventIdempotency', 'readCounts'] as const;
  const missing = lists.filter((k) => !Array.isArray(s[k]));
  if (missing.length > 0) throw new Error(`${file}: no ${missing.join(', ')}`);
  for (const u of s.users) core.usersById.set(u.openId, u);
  for (const c of s.chats) core.chatsById.set(c.chatId, c);
  for (const [k, v] of s.p2pByUser) core.p2pByUser.set(k, v);
  for (const m of s.messages) core.messagesById.set(m.messageId, m);
  for (const [k, v] of s.chatMessageIds) core.chatMessageIds.set(k, v);
  for (const [k, v] of s.uuidIndex) core.uuidIndex.set(k, v);
  for (const c of s.calendars) core.calendarsById.set(c.calendarId, c);
  for (const e of s.calendarEvents) core.eventsById.set(e.eventId, e);
  for (const [k, v] of s.eventIdempotency) core.eventIdempotency.set(k, v);
  for (const [openId, chats] of s.readCounts) core.readCounts.set(openId, new Map(chats));
  return true;
}

/** Loads every complete file in `filesDir` (bytes and description); returns their keys. */
function restoreFiles(core: EmulatorCore, filesDir: string): Set<string> {
  const keys = new Set<string>();
  for (const name of readdirSync(filesDir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const meta = JSON.parse(readFileSync(path.join(filesDir, name), 'utf8')) as Omit<UploadedFile, 'bytes'>;
      const bytes = readFileSync(path.join(filesDir, fileName(meta.key)));
      core.files.set(meta.key, { ...meta, bytes });
      keys.add(meta.key);
    } catch {
      // Half written (a crash between the bytes and the description): skipped.
    }
  }
  return keys;
}
