// Local mode seeds the demo county once: on an empty directory or when the built-in directory
// changed (its hash), never again on a plain restart (issue 17: cold start).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OFFICE, DEMO_UNITS } from '../../src/domain/demo-directory.ts';
import { DEMO_SEED_HASH_KEY, demoDirectoryHash, seedDemoDirectory, seedDemoDirectoryOnce } from '../../src/usecases/seed-demo-directory.ts';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { STORY } from '../support/kit.ts';

const NOW = new Date('2024-03-20T02:00:00Z');

async function snapshot(db: TestDatabase) {
  const [units, liaisons, chats, coordinators, audits] = await Promise.all([
    db.client.unit.findMany({ orderBy: { name: 'asc' }, select: { name: true, chatId: true, kind: true, sortOrder: true } }),
    db.client.liaison.count(),
    db.client.groupChat.findMany({ orderBy: { chatId: 'asc' }, select: { chatId: true, name: true, status: true } }),
    db.client.coordinator.count(),
    db.client.auditLog.count({ where: { action: 'directory.seed_demo' } }),
  ]);
  return { units, liaisons, chats, coordinators, audits };
}

describe.each(PROVIDERS_UNDER_TEST)('seeding the demo directory once (%s)', (provider) => {
  // A story of one database's starts: the first start seeds it, a restart leaves it alone, a start with a
  // changed built-in directory seeds again; each start finds what the previous one left.
  describe('one database started again and again', STORY, () => {
    let fresh: TestDatabase;
    let reference: TestDatabase;
    beforeAll(async () => {
      [fresh, reference] = await Promise.all([createTestDatabase(provider), createTestDatabase(provider)]);
    });
    afterAll(async () => {
      await Promise.all([fresh?.destroy(), reference?.destroy()]);
    });

    it('seeds a fresh database exactly as the full seed does, and stores the hash', async () => {
      const once = await seedDemoDirectoryOnce(fresh.client, { actorOpenId: 'system', now: NOW });
      const full = await seedDemoDirectory(reference.client, { actorOpenId: 'system', now: NOW });
      expect(once).toEqual(full);
      expect(once?.units.created).toBe(DEMO_UNITS.length);
      expect(await snapshot(fresh)).toEqual(await snapshot(reference));
      const stored = await fresh.client.keyValue.findUnique({ where: { key: DEMO_SEED_HASH_KEY } });
      expect(stored?.value).toBe(demoDirectoryHash());
    });

    it('does nothing on a restart with the same directory', async () => {
      const before = await snapshot(fresh);
      // A coordinator's change to a seeded chat stays: a restart no longer overwrites it.
      await fresh.client.groupChat.update({ where: { chatId: DEMO_OFFICE.chatId }, data: { name: '改过的群名' } });
      expect(await seedDemoDirectoryOnce(fresh.client, { actorOpenId: 'system', now: NOW })).toBeUndefined();
      const after = await snapshot(fresh);
      expect(after.chats.find((c) => c.chatId === DEMO_OFFICE.chatId)?.name).toBe('改过的群名');
      expect({ ...after, chats: before.chats }).toEqual(before);
    });

    it('seeds again when the built-in directory changed (another hash)', async () => {
      const result = await seedDemoDirectoryOnce(fresh.client, { actorOpenId: 'system', now: NOW, hash: 'changed' });
      expect(result?.chats.updated).toBe(1); // the office chat's name restored
      expect((await snapshot(fresh)).audits).toBe(2);
      expect((await fresh.client.keyValue.findUnique({ where: { key: DEMO_SEED_HASH_KEY } }))?.value).toBe('changed');
      // and not again after that
      expect(await seedDemoDirectoryOnce(fresh.client, { actorOpenId: 'system', now: NOW, hash: 'changed' })).toBeUndefined();
    });
  });

  it('seeds again when the directory was emptied, even with the same hash', async () => {
    const db = await createTestDatabase(provider);
    try {
      await db.client.keyValue.create({ data: { key: DEMO_SEED_HASH_KEY, value: demoDirectoryHash() } });
      const result = await seedDemoDirectoryOnce(db.client, { actorOpenId: 'system', now: NOW });
      expect(result?.units.created).toBe(DEMO_UNITS.length);
      expect(await db.client.unit.count()).toBe(DEMO_UNITS.length);
    } finally {
      await db.destroy();
    }
  });

  it('hashes the content: another directory gives another hash', () => {
    expect(demoDirectoryHash()).toBe(demoDirectoryHash(DEMO_OFFICE, DEMO_UNITS));
    expect(demoDirectoryHash(DEMO_OFFICE, DEMO_UNITS.slice(1))).not.toBe(demoDirectoryHash());
  });
});
