// The query-plan cache (src/adapters/db/plan-cache.ts): a cached plan with this request's values put
// back must do exactly what a fresh compile does. The app's kinds of queries run three rounds with
// other values (first sight, verification, hits) on one database with the cache and on another
// without it; every result must be equal. Then the rules that keep plans apart (list lengths, null
// against a value) and, on a stand-in compiler, the checks that keep a plan out of the cache.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/database.ts';
import { PLAN_CACHE_SIZE, installPlanCache, planCacheStats, setPlanCacheEnabled } from '../../src/adapters/db/plan-cache.ts';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';
import type { Provider } from '../../src/adapters/db/schema/providers.ts';

/** Drops what differs between two databases by construction (generated ids, now()) and names ids. */
function normalise(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') return ids.get(value) ?? value;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => normalise(v, ids));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'id' && k !== 'createdAt' && k !== 'updatedAt') out[k] = normalise(v, ids);
    return out;
  }
  return value;
}

async function outcome<T>(run: () => Promise<T>): Promise<{ ok: T } | { error: string }> {
  try {
    return { ok: await run() };
  } catch (error) {
    const e = error as { code?: string; name?: string };
    return { error: `${e.name ?? 'Error'} ${e.code ?? ''}` };
  }
}

/** One round of the app's kinds of queries; `r` changes every value. Returns each step's result. */
async function round(c: Db, r: number, provider: Provider): Promise<Record<string, unknown>> {
  const $ = (i: number) => (provider === 'postgresql' ? `$${i}` : '?');
  const ids = new Map<string, string>();
  const at = (day: number) => new Date(Date.UTC(2023, 2, day + r, 1, 30));
  const steps: Record<string, unknown> = {};
  const step = async (name: string, run: () => Promise<unknown>) => {
    steps[name] = await outcome(run);
  };

  await step('createMany', () =>
    c.unit.createMany({
      data: [0, 1, 2].map((i) => ({ name: `单位${r}-${i}`, kind: i === 1 ? 'street' : 'town', sortOrder: r * 10 + i, active: i !== 2 })),
    }),
  );
  const units = await c.unit.findMany({ where: { name: { startsWith: `单位${r}-` } }, orderBy: { sortOrder: 'asc' } });
  units.forEach((u) => ids.set(u.id, u.name));
  const [a, b, d] = units.map((u) => u.id) as [string, string, string];
  await step('nested create', async () => {
    const u = await c.unit.create({
      data: {
        name: `嵌套${r}`,
        kind: 'department',
        liaisons: {
          create: [
            { name: `联系人${r}`, openId: `ou_${r}`, role: 'primary' },
            { name: `备用${r}`, role: 'backup' },
          ],
        },
      },
      include: { liaisons: { orderBy: { name: 'asc' } } },
    });
    ids.set(u.id, u.name);
    u.liaisons.forEach((l) => ids.set(l.id, l.name));
    return u;
  });
  await step('findUnique by id', () => c.unit.findUnique({ where: { id: b } }));
  await step('findUnique by name', () => c.unit.findUnique({ where: { name: `单位${r}-2` }, select: { name: true, sortOrder: true, active: true } }));
  await step('findUniqueOrThrow missing', () => c.unit.findUniqueOrThrow({ where: { id: `missing-${r}` } }));
  await step('in, two', () => c.unit.findMany({ where: { id: { in: [a, d] } }, orderBy: { sortOrder: 'desc' }, take: 2 }));
  await step('in, three', () => c.unit.findMany({ where: { id: { in: [a, b, d] } }, orderBy: [{ kind: 'asc' }, { sortOrder: 'asc' }], skip: 1 }));
  await step('in, empty', () => c.unit.findMany({ where: { id: { in: [] } } }));
  await step('notIn and boolean', () => c.unit.findMany({ where: { id: { notIn: [a] }, active: r % 2 === 0, name: { startsWith: `单位${r}` } }, orderBy: { sortOrder: 'asc' } }));
  await step('count', () => c.unit.count({ where: { kind: 'town', sortOrder: { gte: r * 10 } } }));
  await step('update, increment and null', () => c.unit.update({ where: { id: a }, data: { sortOrder: { increment: r + 1 }, leaderName: null } }));
  await step('update, value', () => c.unit.update({ where: { id: b }, data: { leaderName: `领导${r}`, shortName: `简${r}` } }));
  await step('null filter', () => c.unit.findMany({ where: { leaderName: null, name: { startsWith: `单位${r}` } }, orderBy: { sortOrder: 'asc' }, select: { name: true } }));
  await step('value filter', () => c.unit.findMany({ where: { leaderName: `领导${r}` }, select: { name: true } }));
  await step('not null filter', () => c.unit.findMany({ where: { leaderName: { not: null }, sortOrder: { lt: r * 10 + 5 } }, select: { name: true } }));
  await step('updateMany, increment', () => c.unit.updateMany({ where: { kind: 'town', name: { startsWith: `单位${r}` } }, data: { sortOrder: { increment: 100 } } }));
  await step('upsert creates', () => c.unit.upsert({ where: { name: `插改${r}` }, create: { name: `插改${r}`, kind: 'town', sortOrder: r }, update: { kind: 'street' } }));
  await step('upsert updates', () => c.unit.upsert({ where: { name: `插改${r}` }, create: { name: `插改${r}`, kind: 'town' }, update: { kind: 'street', sortOrder: { increment: 1 } } }));
  await step('unique violation', () => c.unit.create({ data: { name: `单位${r}-0`, kind: 'town' } }));
  await step('nested read', () =>
    c.unit.findUnique({
      where: { name: `嵌套${r}` },
      select: { name: true, liaisons: { where: { role: 'primary', openId: `ou_${r}` }, select: { name: true, role: true } }, _count: { select: { liaisons: true } } },
    }),
  );
  await step('relation filter', () => c.unit.findMany({ where: { liaisons: { some: { openId: `ou_${r}` } } }, select: { name: true } }));
  await step('batched findUnique', () => Promise.all([c.unit.findUnique({ where: { id: a } }), c.unit.findUnique({ where: { id: d } }), c.unit.findUnique({ where: { id: `missing-${r}` } })]));
  await step('transaction batch', () =>
    c.$transaction([
      c.unit.count({ where: { active: true, name: { startsWith: `单位${r}` } } }),
      c.unit.findFirst({ where: { sortOrder: { gt: r * 10 } }, orderBy: { sortOrder: 'asc' }, select: { name: true } }),
      c.unit.update({ where: { id: d }, data: { leaderOpenId: `ou_leader_${r}` }, select: { leaderOpenId: true } }),
    ]),
  );

  // DateTime, BigInt (beyond 32 bits too), Int and null on the outbox's rows
  await step('outbox rows', async () => {
    for (let i = 0; i < 3; i++)
      await c.outboxMessage.create({
        data: { idempotencyKey: `k${r}-${i}`, op: 'send', target: `oc_${r}`, payload: '{}', nextAttemptAt: at(i), seq: BigInt(r) * 2n ** 40n + BigInt(i), lastErrorCode: i === 1 ? null : 230020 + r },
      });
    return c.outboxMessage.count({ where: { target: `oc_${r}` } });
  });
  await step('DateTime and BigInt filters', () =>
    c.outboxMessage.findMany({
      where: { target: `oc_${r}`, nextAttemptAt: { lt: at(2) }, seq: { gte: BigInt(r) * 2n ** 40n } },
      orderBy: { seq: 'desc' },
      select: { idempotencyKey: true, seq: true, nextAttemptAt: true, lastErrorCode: true },
    }),
  );
  await step('DateTime update', () => c.outboxMessage.updateMany({ where: { target: `oc_${r}`, lastErrorCode: null }, data: { sentAt: at(5), status: 'sent', attempts: { increment: 1 } } }));
  await step('DateTime read back', () => c.outboxMessage.findMany({ where: { sentAt: { gte: at(5) } }, select: { idempotencyKey: true, sentAt: true, attempts: true } }));

  // Float: an int-valued and a fractional weight
  await step('floats', async () => {
    const campaign = await c.campaign.create({
      data: { year: 2030 + r, title: `第${r}年`, noticeDate: '2030-03-23', deadline: '2030-04-07', contactName: '张三', contactPhone: '0731', contactEmail: 'a@b.cn' },
    });
    ids.set(campaign.id, `campaign ${r}`);
    await c.evaluationCriterion.createMany({
      data: [
        { campaignId: campaign.id, key: 'a', name: '甲', weight: 1, maxScore: 10 },
        { campaignId: campaign.id, key: 'b', name: '乙', weight: 0.25 + r, maxScore: 20, sortOrder: 1 },
      ],
    });
    return [
      await c.evaluationCriterion.findMany({ where: { campaignId: campaign.id, weight: { gte: 0.5 } }, orderBy: { sortOrder: 'asc' } }),
      await c.evaluationCriterion.findMany({ where: { campaignId: campaign.id, weight: 1 }, select: { key: true } }),
      await c.evaluationCriterion.findUnique({ where: { campaignId_key: { campaignId: campaign.id, key: 'b' } }, select: { weight: true } }),
    ];
  });
  // Raw SQL (the outbox's and the inbox's row writes): string, int, null, boolean, DateTime and BigInt parameters
  await step('raw write', () => c.$executeRawUnsafe(`UPDATE "Unit" SET "leaderName" = ${$(1)}, "shortName" = ${$(2)} WHERE "name" = ${$(3)} AND "sortOrder" >= ${$(4)}`, `原始${r}`, null, `单位${r}-1`, r * 10));
  await step('raw read', () => c.$queryRawUnsafe(`SELECT "name", "leaderName", "shortName" FROM "Unit" WHERE "name" LIKE ${$(1)} AND "active" = ${$(2)} ORDER BY "sortOrder"`, `单位${r}-%`, true));
  await step('raw read, DateTime and BigInt', () =>
    c.$queryRawUnsafe<{ idempotencyKey: string }[]>(
      `SELECT "idempotencyKey" FROM "OutboxMessage" WHERE "target" = ${$(1)} AND "nextAttemptAt" < ${$(2)} AND "seq" >= ${$(3)} ORDER BY "idempotencyKey"`,
      `oc_${r}`,
      at(2),
      BigInt(r) * 2n ** 40n,
    ),
  );
  // A new text every round with kinds the earlier rounds' verified raw plans taught (string, int,
  // DateTime, BigInt): from round 2 on planned from those lessons, not compiled (inbox inserts of a new row count).
  await step('raw read, new text each round', () =>
    c.$queryRawUnsafe<{ idempotencyKey: string }[]>(
      `SELECT "idempotencyKey" FROM "OutboxMessage" WHERE "target" = ${$(1)} AND "attempts" >= ${$(2)} AND "nextAttemptAt" < ${$(3)} AND "seq" >= ${$(4)} ORDER BY "idempotencyKey" LIMIT ${r + 2}`,
      `oc_${r}`,
      0,
      at(2),
      BigInt(r) * 2n ** 40n,
    ),
  );
  await step('delete', () => c.unit.delete({ where: { id: a }, select: { name: true } }));
  await step('deleteMany', () => c.unit.deleteMany({ where: { name: { startsWith: `单位${r}` } } }));
  await step('after', () => c.unit.findMany({ where: { name: { endsWith: `${r}` } }, orderBy: { name: 'asc' }, select: { name: true, kind: true, sortOrder: true, leaderName: true } }));
  return normalise(steps, ids) as Record<string, unknown>;
}

describe.each(PROVIDERS_UNDER_TEST)('query plan cache on %s', (provider) => {
  let withCache: TestDatabase;
  let without: TestDatabase;
  beforeEach(async () => {
    [withCache, without] = await Promise.all([createTestDatabase(provider), createTestDatabase(provider)]);
  });
  afterEach(async () => {
    setPlanCacheEnabled(true);
    await Promise.all([withCache?.destroy(), without?.destroy()]);
  });

  it('answers every kind of query as a fresh compile does, round after round with other values', async () => {
    for (const r of [0, 1, 2, 3]) {
      setPlanCacheEnabled(false);
      const expected = await round(without.client, r, provider);
      // the raw steps ran (not failed alike on both sides)
      for (const step of ['raw write', 'raw read', 'raw read, DateTime and BigInt', 'raw read, new text each round']) expect(expected[step], step).toHaveProperty('ok');
      setPlanCacheEnabled(true);
      const before = planCacheStats();
      const actual = await round(withCache.client, r, provider);
      const after = planCacheStats();
      expect(actual).toEqual(expected);
      // the same shapes with new values: from the third round on, plans come from the cache
      if (r >= 2) expect(after.hits - before.hits).toBeGreaterThan(30);
    }
  });

  it('keeps plans apart for other list lengths and for null against a value', async () => {
    const c = withCache.client;
    await c.unit.createMany({ data: ['甲', '乙', '丙', '丁'].map((name, i) => ({ name, kind: 'town', sortOrder: i, leaderName: i % 2 ? null : `领导${name}` })) });
    const id = new Map((await c.unit.findMany()).map((u) => [u.name, u.id]));
    const names = async (ids: string[]) => (await c.unit.findMany({ where: { id: { in: ids } }, orderBy: { sortOrder: 'asc' } })).map((u) => u.name);
    for (let i = 0; i < 3; i++) {
      expect(await names([id.get('甲')!])).toEqual(['甲']);
      expect(await names([id.get('乙')!])).toEqual(['乙']);
      expect(await names([id.get('乙')!, id.get('丁')!])).toEqual(['乙', '丁']);
      expect(await names([id.get('甲')!, id.get('丙')!, id.get('丁')!])).toEqual(['甲', '丙', '丁']);
      expect(await names([])).toEqual([]);
      expect(await names([id.get('丙')!, id.get('丙')!])).toEqual(['丙']);
      const byLeader = async (leaderName: string | null) => (await c.unit.findMany({ where: { leaderName }, orderBy: { sortOrder: 'asc' } })).map((u) => u.name);
      expect(await byLeader(null)).toEqual(['乙', '丁']);
      expect(await byLeader('领导甲')).toEqual(['甲']);
      expect(await byLeader('领导丙')).toEqual(['丙']);
    }
  });

  it('a plan handed out is the caller’s own: changing it changes no later plan', async () => {
    const c = withCache.client;
    await c.unit.createMany({ data: ['甲', '乙', '丙'].map((name, i) => ({ name, kind: 'town', sortOrder: i })) });
    for (const name of ['甲', '乙', '丙', '甲', '乙', '丙']) expect((await c.unit.findUnique({ where: { name } }))?.name).toBe(name);
  });
});

// ---------------------------------------------------------------- a stand-in compiler

const P = (name: string) => ({ prisma__type: 'param', prisma__value: { name, type: 'String' } });

/** Compiles `{ where: { id } }` to a plan holding the id (or the param) the way `plan` says. */
function fakeRuntime(plan: (id: unknown) => unknown, modelName = 'Unit') {
  let compiles = 0;
  class QueryCompiler {
    compile(json: string): unknown {
      compiles++;
      const id = Object.values((JSON.parse(json) as { query: { arguments: { where: Record<string, unknown> } } }).query.arguments.where)[0];
      const value = typeof id === 'object' && id !== null ? P((id as { value: string }).value) : id;
      return plan(value);
    }
    compileBatch(): unknown {
      throw new Error('not used');
    }
  }
  installPlanCache({ QueryCompiler }, {});
  const compiler = new QueryCompiler();
  return {
    compile: (id: string, field = 'id') => compiler.compile(JSON.stringify({ modelName, action: 'findUnique', query: { arguments: { where: { [field]: id } }, selection: { $scalars: true } } })),
    compiles: () => compiles,
  };
}

/** A stand-in for the compiler's raw plans (rawSql, the arguments as written, one argType each), installed. */
function rawStandIn(argType: (value: unknown) => unknown) {
  let compiles = 0;
  class QueryCompiler {
    compile(json: string): unknown {
      compiles++;
      const { action, query } = JSON.parse(json) as { action: string; query: { arguments: { query: string; parameters: string } } };
      const values = (JSON.parse(query.arguments.parameters) as unknown[]).map((v) => (v !== null && typeof v === 'object' ? (v as { prisma__value: string }).prisma__value : v));
      return { type: action === 'executeRaw' ? 'execute' : 'query', args: { type: 'rawSql', sql: query.arguments.query, args: values, argTypes: values.map(argType) } };
    }
    compileBatch(): unknown {
      throw new Error('not used');
    }
  }
  installPlanCache({ QueryCompiler }, {});
  return { QueryCompiler, compiles: () => compiles };
}

describe('query plan cache on a stand-in compiler', () => {
  it('reuses a plan that takes the value as a parameter, after a second request agreed', () => {
    const rt = fakeRuntime((id) => ({ type: 'query', args: [id], argTypes: ['string'], nested: { keep: [1, 2] } }));
    expect(rt.compile('a')).toEqual({ type: 'query', args: ['a'], argTypes: ['string'], nested: { keep: [1, 2] } });
    expect(rt.compiles()).toBe(1); // literal only: a shape seen once costs what it costs without the cache
    const first = rt.compile('a') as { args: unknown[] };
    expect(rt.compiles()).toBe(1); // the same values: the first plan again, a copy
    first.args[0] = 'changed';
    expect(rt.compile('b')).toEqual({ type: 'query', args: ['b'], argTypes: ['string'], nested: { keep: [1, 2] } });
    expect(rt.compiles()).toBe(3); // other values: literal + parameterised, checked against both requests
    const plan = rt.compile('c') as { args: unknown[]; nested: { keep: number[] } };
    expect(plan).toEqual({ type: 'query', args: ['c'], argTypes: ['string'], nested: { keep: [1, 2] } });
    expect(rt.compiles()).toBe(3);
    plan.nested.keep.push(3);
    plan.args[0] = 'changed';
    expect(rt.compile('d')).toEqual({ type: 'query', args: ['d'], argTypes: ['string'], nested: { keep: [1, 2] } });
  });

  it('a plan served again and again is an exact copy of what the compiler would give', () => {
    const plan = (id: unknown) => ({ type: 'query', args: [id], sql: 'SELECT "a"\u2028\'b\' -- `${x}`', zero: -0, big: 1e300, nothing: null, yes: true, odd: { constructor: 'c', toString: 1 }, list: [[], {}] });
    const rt = fakeRuntime(plan, 'OddConstants');
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      const served = rt.compile(id) as { zero: number; odd: object };
      expect(served).toEqual(plan(id));
      expect(Object.is(served.zero, -0)).toBe(true);
      expect(Object.getPrototypeOf(served.odd)).toBe(Object.prototype);
    }
    expect(rt.compiles()).toBe(3); // from the cache from the third request on (copied, then built)
  });

  it('never caches a plan with a __proto__ key (a copy could not keep it)', () => {
    const plan = (id: unknown) => ({ type: 'query', args: [id], odd: JSON.parse('{"__proto__": {"x": 1}}') as unknown });
    const rt = fakeRuntime(plan, 'ProtoKey');
    for (const id of ['a', 'b', 'c', 'd']) {
      const served = rt.compile(id) as { odd: object };
      expect(Object.hasOwn(served.odd, '__proto__')).toBe(true);
    }
    expect(rt.compiles()).toBe(4); // uncacheable from the first sight: one literal compile each
  });

  it('checks the parameterised plan against the first request too, not only the one that brought it', () => {
    // only the first request's value is planned differently: the second agrees, the first does not
    const rt = fakeRuntime((id) => ({ type: 'query', args: [id], special: id === 'a' }), 'FirstDiffers');
    expect(rt.compile('a')).toEqual({ type: 'query', args: ['a'], special: true });
    expect(rt.compile('b')).toEqual({ type: 'query', args: ['b'], special: false });
    expect(rt.compile('a')).toEqual({ type: 'query', args: ['a'], special: true });
    expect(rt.compiles()).toBe(1 + 2 + 1);
  });

  it('never reuses a plan the value was baked into', () => {
    const rt = fakeRuntime((id) => ({ type: 'query', pattern: `%${typeof id === 'string' ? id : 'var(p0: Any)'}%` }));
    for (const id of ['a', 'b', 'c', 'd']) expect(rt.compile(id)).toEqual({ type: 'query', pattern: `%${id}%` });
    expect(rt.compiles()).toBe(2 + 3);
  });

  it('drops a shape when a later request’s literal plan differs from the cached one filled in', () => {
    // plans for ids starting with 'x' differ: the parameterised plan is not good for them
    const rt = fakeRuntime((id) => (typeof id === 'string' && id.startsWith('x') ? { type: 'special', args: [id] } : { type: 'query', args: [id] }));
    expect(rt.compile('a')).toEqual({ type: 'query', args: ['a'] });
    expect(rt.compile('x1')).toEqual({ type: 'special', args: ['x1'] });
    expect(rt.compile('b')).toEqual({ type: 'query', args: ['b'] });
    expect(rt.compile('x2')).toEqual({ type: 'special', args: ['x2'] });
    expect(rt.compiles()).toBe(2 + 3);
  });

  it('a shape whose parameterised query the compiler throws on is compiled literally, by later compilers too', () => {
    const plan = (id: unknown) => {
      if (typeof id !== 'string') throw new Error('unreachable'); // as a WebAssembly trap would
      return { args: [id] };
    };
    const first = fakeRuntime(plan, 'Refused');
    for (const id of ['a', 'b', 'c']) expect(first.compile(id)).toEqual({ args: [id] });
    expect(first.compiles()).toBe(2 + 2);
    // a new compiler instance (the client replaces one that panicked) does not try again
    const second = fakeRuntime(plan, 'Refused');
    for (const id of ['d', 'e']) expect(second.compile(id)).toEqual({ args: [id] });
    expect(second.compiles()).toBe(2);
  });

  it(`keeps at most ${PLAN_CACHE_SIZE} shapes, the least recently used leaving first`, () => {
    const rt = fakeRuntime((id) => ({ args: [id] }), 'Bounded');
    const fields = Array.from({ length: PLAN_CACHE_SIZE + 1 }, (_, i) => `f${i}`);
    for (const field of fields.slice(0, PLAN_CACHE_SIZE)) rt.compile('a', field);
    rt.compile('a', 'f1'); // f1 is used again; f0 is now the least recently used
    expect(rt.compiles()).toBe(PLAN_CACHE_SIZE);
    rt.compile('a', fields[PLAN_CACHE_SIZE]); // a new shape pushes f0 out
    expect(rt.compiles()).toBe(PLAN_CACHE_SIZE + 1);
    rt.compile('a', 'f1');
    expect(rt.compiles()).toBe(PLAN_CACHE_SIZE + 1);
    rt.compile('a', 'f0');
    expect(rt.compiles()).toBe(PLAN_CACHE_SIZE + 2);
  });

  it('reuses a raw query’s plan after a second request’s literal plan agreed, one shape per kind of each parameter', () => {
    const { QueryCompiler, compiles } = rawStandIn((v) => (v === null ? 'unknown' : typeof v));
    const compiler = new QueryCompiler();
    const raw = (sql: string, ...parameters: unknown[]) => compiler.compile(JSON.stringify({ action: 'executeRaw', query: { arguments: { query: sql, parameters: JSON.stringify(parameters) }, selection: {} } }));
    const date = (iso: string) => ({ prisma__type: 'date', prisma__value: iso });
    const plan = (sql: string, args: unknown[]) => ({ type: 'execute', args: { type: 'rawSql', sql, args, argTypes: args.map((v) => (v === null ? 'unknown' : typeof v)) } });
    const sql = 'UPDATE t SET a = ?, b = ? WHERE c = ?';
    expect(raw(sql, 'x', 1, date('2023-01-01T00:00:00.000Z'))).toEqual(plan(sql, ['x', 1, '2023-01-01T00:00:00.000Z']));
    expect(raw(sql, 'y', 2, date('2023-01-02T00:00:00.000Z'))).toEqual(plan(sql, ['y', 2, '2023-01-02T00:00:00.000Z']));
    expect(compiles()).toBe(2); // literal twice: the second checks the template against both
    const handedOut = raw(sql, 'z', 3, date('2023-01-03T00:00:00.000Z')) as { args: { args: unknown[] } };
    expect(handedOut).toEqual(plan(sql, ['z', 3, '2023-01-03T00:00:00.000Z']));
    expect(compiles()).toBe(2);
    handedOut.args.args[0] = 'changed';
    expect(raw(sql, 'w', 4, date('2023-01-04T00:00:00.000Z'))).toEqual(plan(sql, ['w', 4, '2023-01-04T00:00:00.000Z']));
    // null where a string was: another shape (its argument type differs), compiled literally first
    expect(raw(sql, null, 5, date('2023-01-05T00:00:00.000Z'))).toEqual(plan(sql, [null, 5, '2023-01-05T00:00:00.000Z']));
    expect(compiles()).toBe(3);
    // a float is not cached: every request compiled
    expect(raw(sql, 'v', 1.5, date('2023-01-06T00:00:00.000Z'))).toEqual(plan(sql, ['v', 1.5, '2023-01-06T00:00:00.000Z']));
    expect(raw(sql, 'u', 2.5, date('2023-01-07T00:00:00.000Z'))).toEqual(plan(sql, ['u', 2.5, '2023-01-07T00:00:00.000Z']));
    expect(compiles()).toBe(5);
  });

  it('plans a raw statement of new text from what verified raw plans taught, with no compile', () => {
    const { QueryCompiler, compiles } = rawStandIn((v) => ({ scalarType: v === null ? 'unknown' : typeof v }));
    const compiler = new QueryCompiler();
    const request = (action: string, sql: string, parameters: unknown[]) => JSON.stringify({ action, query: { arguments: { query: sql, parameters: JSON.stringify(parameters) }, selection: {} } });
    const uncached = new QueryCompiler();
    const literal = (action: string, sql: string, parameters: unknown[]) => {
      setPlanCacheEnabled(false);
      try {
        return uncached.compile(request(action, sql, parameters));
      } finally {
        setPlanCacheEnabled(true);
      }
    };
    const date = (iso: string) => ({ prisma__type: 'date', prisma__value: iso });
    const insert = (rows: number) => `INSERT INTO t (a, b, c) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?)').join(', ')}`;
    const params = (rows: number, seed: number) => Array.from({ length: rows }, (_, i) => [`k${seed}-${i}`, seed + i, date(`2023-01-0${(i % 9) + 1}T00:00:00.000Z`)]).flat();

    // one row, twice: compiled twice, verified, and it teaches string, int and DateTime for executeRaw
    for (const seed of [1, 2]) expect(compiler.compile(request('executeRaw', insert(1), params(1, seed)))).toEqual(literal('executeRaw', insert(1), params(1, seed)));
    expect(compiles()).toBe(2 + 2);
    // 8, 64 and 2 rows: new texts, planned without the compiler, each what the compiler would give
    for (const rows of [8, 64, 2]) {
      const before = compiles();
      const plan = compiler.compile(request('executeRaw', insert(rows), params(rows, rows)));
      expect(compiles()).toBe(before);
      expect(plan).toEqual(literal('executeRaw', insert(rows), params(rows, rows)));
    }
    // another action (its plan type not yet seen) and a kind not yet seen (null) are compiled
    let before = compiles();
    compiler.compile(request('queryRaw', insert(1), params(1, 3)));
    expect(compiles()).toBe(before + 1);
    const withNull = [null, 1, date('2023-01-01T00:00:00.000Z')];
    const expected = literal('executeRaw', insert(1), withNull);
    before = compiles();
    expect(compiler.compile(request('executeRaw', insert(1), withNull))).toEqual(expected);
    expect(compiles()).toBe(before + 1);
  });

  it('serves a single statement without its transaction, and keeps one around several or around a check', () => {
    const singlePlan = (id: unknown) => ({ type: 'transaction', args: { type: 'dataMap', args: { expr: { type: 'execute', args: [id] } } } });
    const single = fakeRuntime(singlePlan, 'Single');
    expect(single.compile('a')).toEqual(singlePlan('a')); // a fresh compile, as it comes
    expect(single.compile('a')).toEqual(singlePlan('a').args);
    expect(single.compile('b')).toEqual(singlePlan('b'));
    expect(single.compile('c')).toEqual(singlePlan('c').args);
    const twoPlan = (id: unknown) => ({
      type: 'transaction',
      args: {
        type: 'seq',
        args: [
          { type: 'execute', args: [id] },
          { type: 'query', args: [id] },
        ],
      },
    });
    const checkedPlan = (id: unknown) => ({ type: 'transaction', args: { type: 'validate', args: { expr: { type: 'execute', args: [id] } } } });
    const two = fakeRuntime(twoPlan, 'Two');
    const checked = fakeRuntime(checkedPlan, 'Checked');
    for (const id of ['a', 'b', 'c']) {
      expect(two.compile(id)).toEqual(twoPlan(id));
      expect(checked.compile(id)).toEqual(checkedPlan(id));
    }
  });

  it('does not take a value for a parameter of another type', () => {
    const rt = fakeRuntime((id) => ({ args: [typeof id === 'string' ? id : { prisma__type: 'param', prisma__value: { name: (id as { prisma__value: { name: string } }).prisma__value.name, type: 'DateTime' } }] }));
    for (const id of ['2023-01-01T00:00:00.000Z', '2023-01-02T00:00:00.000Z', '2023-01-03T00:00:00.000Z']) expect(rt.compile(id)).toEqual({ args: [id] });
    expect(rt.compiles()).toBe(2 + 2);
  });
});
