// A query-plan cache for Prisma 6.19's query compiler (issue 17 goal 4). The client compiles every
// request afresh (`compile(JSON.stringify(query))` in its ClientEngine), although a campaign year
// runs ~27,000 statements of ~260 shapes: the same queries with other values. Here the values in
// `where` / `data` / `create` / `update` / `cursor` become named parameters
// (`{ "$type": "Param" }` in Prisma's JSON protocol), the parameterised query is the cache key, and
// a cached plan gets this request's values put back in, in the form the literal compile writes
// them (the client hands the executor no placeholder values).
//
// Safe by construction: a shape is served from the cache only after its parameterised plan, with
// the values of two requests of the shape substituted in turn, equals the literal plan of each
// (anything the compiler baked a value into, such as a LIKE pattern, or planned differently for
// literal values, such as a native upsert, fails this). The first request is compiled literally
// and its plan kept; the parameterised query is compiled when a second request brings other
// values (a shape seen once costs one compile, as without the cache: the first request of every
// query after a start is on the path of whoever is waiting for it). Until then, and for ever once
// a comparison failed, the request is compiled literally.
// Raw SQL ($queryRaw / $executeRaw) is keyed by its text and the kind of each parameter; its plan
// is checked the same way, against the literal plans of two requests with other parameters.
// Values whose kind could change the plan or its validation stay in the key: null, booleans,
// list lengths, ints outside 32 bits, floats, non-canonical dates; and every parameter must land
// on a typed parameter of the plan whose type matches the value (a string never stands in for a
// DateTime, an int never for a String).

/** The compiler class of `@prisma/client/runtime/query_compiler_bg.<provider>.mjs`. */
export interface QueryCompilerRuntime {
  QueryCompiler: { prototype: QueryCompilerMethods };
}
interface QueryCompilerMethods {
  compile(json: string): unknown;
  compileBatch(json: string): unknown;
}

export interface PlanCacheStats {
  /** requests answered from a verified plan */
  hits: number;
  /** requests compiled literally while their shape was new or being verified */
  misses: number;
  /** requests compiled literally because their shape cannot be cached */
  uncacheable: number;
}

/** Shapes kept per compiler instance; least recently used leave first. */
export const PLAN_CACHE_SIZE = 1000;

const PARAM_PREFIX = 'planCache$';
const INSTALLED = Symbol.for('themeday.planCache');
const caches = new WeakMap<object, Map<string, Entry>>();
const counters = { hits: 0, misses: 0, uncacheable: 0 };
/** Keys whose parameterised query the compiler threw on, for every compiler instance. */
const refused = new Set<string>();
let enabled = true;

/**
 * Wraps the runtime's `compile` and `compileBatch` (once per runtime module; every client of the
 * provider shares it, each compiler instance keeps its own cache). `PRISMA_PLAN_CACHE=0` leaves
 * the compiler untouched.
 */
export function installPlanCache(runtime: QueryCompilerRuntime, env: NodeJS.ProcessEnv = process.env): void {
  if (env.PRISMA_PLAN_CACHE === '0') return;
  const proto = runtime.QueryCompiler.prototype as QueryCompilerMethods & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const compile = proto.compile;
  const compileBatch = proto.compileBatch;
  proto.compile = function (this: object, json: string) {
    return enabled ? cachedCompile(this, json, false, (text) => compile.call(this, text)) : compile.call(this, json);
  };
  proto.compileBatch = function (this: object, json: string) {
    return enabled ? cachedCompile(this, json, true, (text) => compileBatch.call(this, text)) : compileBatch.call(this, json);
  };
}

/** Turns the installed cache off and on (tests compare both; the bench reports both). */
export function setPlanCacheEnabled(on: boolean): void {
  enabled = on;
}

export function planCacheStats(): PlanCacheStats {
  return { ...counters };
}

// ---------------------------------------------------------------- parameterising a query

/** Keys of a query's `arguments` whose values are data; the rest (take, orderBy, …) stay literal. */
const VALUE_ARGUMENTS = new Set(['where', 'data', 'create', 'update', 'cursor']);
/**
 * Keys inside a filter or data whose values stay literal: they choose the SQL (mode, sort, nulls,
 * a JSON path), or the compiler writes them into a LIKE pattern, which a parameter cannot fill
 * (it prints the parameter's name into the pattern).
 */
const STRUCTURAL_KEYS = new Set(['mode', 'sort', 'nulls', 'path', 'contains', 'startsWith', 'endsWith', 'search']);
/** Raw SQL is compiled as it comes: nothing to plan, and its keys would crowd the shapes out. */
const RAW_ACTIONS = new Set(['queryRaw', 'executeRaw', 'runCommandRaw', 'findRaw', 'aggregateRaw']);
const CANONICAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CANONICAL_BIGINT = /^-?(0|[1-9]\d{0,18})$/;

/** What a parameter's value is, as far as the plan could depend on it. */
type Kind = 'string' | 'int' | 'datetime' | 'bigint';

interface QueryShape {
  /** the query (or batch) with the values replaced by params: the compiler's input and the key */
  json: string;
  values: unknown[];
  kinds: Kind[];
  raw?: undefined;
}
/** Raw SQL: the parameters are the values, and a plan is checked against literal plans only. */
interface RawShape {
  /** the query without its parameters (the key) */
  json: string;
  values: unknown[];
  kinds: RawKind[];
  raw: true;
}
type Parameterised = QueryShape | RawShape;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function kindOf(value: Json): Kind | undefined {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? 'int' : undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.value === 'string' && Object.keys(value).length === 2) {
    if (value.$type === 'DateTime' && CANONICAL_DATETIME.test(value.value)) return 'datetime';
    if (value.$type === 'BigInt' && CANONICAL_BIGINT.test(value.value)) return 'bigint';
  }
  return undefined;
}

/** The query's shape, or undefined for raw SQL. */
function parameterise(input: Json, batch: boolean): QueryShape | undefined {
  const values: unknown[] = [];
  const kinds: Kind[] = [];
  // Equal values share a parameter, so the compiler still sees what it compares (a native upsert
  // needs the `where` value to be the `create` value); the key then records which values were equal.
  const seen = new Map<string, number>();
  const param = (value: Json, kind: Kind): Json => {
    const id = `${kind}:${typeof value === 'object' ? (value as { value: string }).value : String(value)}`;
    let index = seen.get(id);
    if (index === undefined) {
      index = values.length;
      seen.set(id, index);
      values.push(value);
      kinds.push(kind);
    }
    return { $type: 'Param', value: `${PARAM_PREFIX}${index}` };
  };
  const inValue = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(inValue);
    const kind = kindOf(node);
    if (kind) return param(node, kind);
    if (node === null || typeof node !== 'object' || typeof node.$type === 'string') return node;
    const out: Record<string, Json> = {};
    for (const [key, child] of Object.entries(node)) out[key] = STRUCTURAL_KEYS.has(key) ? child : inValue(child);
    return out;
  };
  // A query is { modelName, action, query: { arguments, selection } }; a selection's relations
  // carry their own { arguments, selection }.
  const inFieldQuery = (node: Json): Json => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
    const out: Record<string, Json> = { ...node };
    const args = node.arguments;
    if (args !== null && typeof args === 'object' && !Array.isArray(args)) {
      const a: Record<string, Json> = {};
      for (const [key, child] of Object.entries(args)) a[key] = VALUE_ARGUMENTS.has(key) ? inValue(child) : child;
      out.arguments = a;
    }
    const selection = node.selection;
    if (selection !== null && typeof selection === 'object' && !Array.isArray(selection)) {
      const s: Record<string, Json> = {};
      for (const [key, child] of Object.entries(selection)) s[key] = child !== null && typeof child === 'object' ? inFieldQuery(child) : child;
      out.selection = s;
    }
    return out;
  };
  let raw = false;
  const inQuery = (q: Json): Json => {
    if (q === null || typeof q !== 'object' || Array.isArray(q)) return q;
    if (typeof q.action === 'string' && RAW_ACTIONS.has(q.action)) raw = true;
    return { ...q, query: inFieldQuery(q.query ?? null) };
  };
  let output: Json;
  if (batch && input !== null && typeof input === 'object' && !Array.isArray(input) && Array.isArray(input.batch)) output = { ...input, batch: input.batch.map(inQuery) };
  else output = inQuery(input);
  return raw ? undefined : { json: JSON.stringify(output), values, kinds };
}

/** What a raw query's parameter is: the plan's argument type follows it. */
type RawKind = 'raw:string' | 'raw:int' | 'raw:null' | 'raw:bool' | 'raw:date' | 'raw:bigint';

function rawKindOf(value: Json): RawKind | undefined {
  if (value === null) return 'raw:null';
  if (typeof value === 'string') return 'raw:string';
  if (typeof value === 'boolean') return 'raw:bool';
  if (typeof value === 'number') return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? 'raw:int' : undefined;
  if (typeof value === 'object' && !Array.isArray(value) && typeof value.prisma__value === 'string' && Object.keys(value).length === 2) {
    if (value.prisma__type === 'date' && CANONICAL_DATETIME.test(value.prisma__value)) return 'raw:date';
    if (value.prisma__type === 'bigint' && CANONICAL_BIGINT.test(value.prisma__value)) return 'raw:bigint';
  }
  return undefined;
}

/**
 * A raw query's shape ($queryRaw / $executeRaw: the outbox's and the inbox's row writes, thousands
 * a year): its SQL and the kind of each parameter. The compiler only copies the parameters into
 * its plan, but it is still a compile per statement. Parameters of other kinds (floats, bytes,
 * JSON) leave the query to a literal compile.
 */
function rawShape(input: Json): RawShape | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  if (input.action !== 'queryRaw' && input.action !== 'executeRaw') return undefined;
  const query = input.query;
  if (query === null || typeof query !== 'object' || Array.isArray(query)) return undefined;
  const args = query.arguments;
  if (args === null || typeof args !== 'object' || Array.isArray(args) || typeof args.query !== 'string' || typeof args.parameters !== 'string') return undefined;
  if (!sameKeys(args, { query: 0, parameters: 0 })) return undefined;
  const values = JSON.parse(args.parameters) as Json;
  if (!Array.isArray(values)) return undefined;
  const kinds: RawKind[] = [];
  for (const value of values) {
    const kind = rawKindOf(value);
    if (!kind) return undefined;
    kinds.push(kind);
  }
  return { json: JSON.stringify({ ...input, query: { ...query, arguments: { query: args.query } } }), values, kinds, raw: true };
}

/**
 * A raw query's literal plan with a Slot at each parameter it copied (the rawSql node's `args`,
 * one per parameter, a date as its ISO text). Throws NotCacheable for any other plan.
 */
function rawTemplate(plan: unknown, values: unknown[]): Template {
  const template = buildTemplate(plan, plan, [], []);
  if (!isObject(template) || !isObject(template.args) || template.args.type !== 'rawSql') throw new NotCacheable('not a raw plan');
  const args = template.args.args;
  if (!Array.isArray(args) || args.length !== values.length) throw new NotCacheable('arguments differ from the parameters');
  template.args.args = args.map((arg, i) => {
    const encoding: Encoding = isObject(values[i]) ? 'prismaValue' : 'same';
    if (!deepEqual(encode(values[i], encoding), arg)) throw new NotCacheable('argument written in an unknown form');
    return new Slot(i, encoding);
  });
  return template;
}

// ---------------------------------------------------------------- templates

/** How a parameter's value is written where the literal plan has it. */
type Encoding = 'same' | 'string' | 'inner' | 'prismaValue';

/** A hole in a cached plan, filled with the request's value `index`. */
class Slot {
  constructor(
    readonly index: number,
    readonly encoding: Encoding,
  ) {}
}

type Template = Slot | null | boolean | number | string | Template[] | { [key: string]: Template };

function encode(value: unknown, encoding: Encoding): unknown {
  switch (encoding) {
    case 'same':
      return typeof value === 'object' && value !== null ? { ...value } : value;
    case 'string':
      return String(value);
    case 'inner':
      return (value as { value: string }).value;
    case 'prismaValue':
      return (value as { prisma__value: string }).prisma__value;
  }
}

/** Parameter types of the plan a value of each kind may fill ('Any': the compacted batch's keys). */
const COMPATIBLE: Record<Kind, ReadonlySet<string>> = {
  string: new Set(['String', 'Any']),
  int: new Set(['Int', 'BigInt', 'Float', 'Any']),
  datetime: new Set(['DateTime', 'Any']),
  bigint: new Set(['BigInt', 'Any']),
};

class NotCacheable extends Error {}

/** A plain object: plans are JSON-like; anything else (a Map, a class) makes a plan uncacheable. */
function isObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Our parameter's index if `node` is a plan's param node for it. */
function paramIndex(node: unknown): number | undefined {
  if (!isObject(node) || node.prisma__type !== 'param' || !isObject(node.prisma__value)) return undefined;
  const name = node.prisma__value.name;
  if (typeof name !== 'string' || !name.startsWith(PARAM_PREFIX)) return undefined;
  return Number(name.slice(PARAM_PREFIX.length));
}

/**
 * The parameterised plan with a Slot at each of our params, checked against the literal plan of
 * the same request: the two must be identical apart from the params, and the declared argument
 * type beside a param (an int is a `bigint` argument in the literal plan, an `int` param in the
 * other), which is taken from the literal plan. Throws NotCacheable otherwise.
 */
function buildTemplate(paramPlan: unknown, literalPlan: unknown, values: unknown[], kinds: Kind[]): Template {
  const typed = new Set<number>();
  const walk = (p: unknown, l: unknown): Template => {
    const index = paramIndex(p);
    if (index !== undefined) {
      const kind = kinds[index];
      const type = String((p as { prisma__value: { type?: unknown } }).prisma__value.type);
      if (kind === undefined || !COMPATIBLE[kind].has(type)) throw new NotCacheable(`param of type ${type} for a ${kind}`);
      if (type !== 'Any') typed.add(index);
      for (const encoding of ['same', 'string', 'inner'] as const) {
        if (encoding === 'inner' && (kind === 'string' || kind === 'int')) continue;
        if (encoding === 'string' && kind !== 'int') continue;
        if (deepEqual(encode(values[index], encoding), l)) return new Slot(index, encoding);
      }
      throw new NotCacheable('value written in an unknown form');
    }
    if (Array.isArray(p)) {
      if (!Array.isArray(l) || l.length !== p.length) throw new NotCacheable('plans differ');
      return p.map((x, i) => walk(x, l[i]));
    }
    if (isObject(p)) {
      if (!isObject(l) || !sameKeys(p, l)) throw new NotCacheable('plans differ');
      // copied as `out[key] = …`, a `__proto__` key would set the copy's prototype instead
      if (Object.hasOwn(p, '__proto__')) throw new NotCacheable('a __proto__ key');
      const out: Record<string, Template> = {};
      for (const key of Object.keys(p)) {
        if (key === 'argTypes' && Array.isArray(p.argTypes) && Array.isArray(p.args) && Array.isArray(l.argTypes)) {
          const args = p.args;
          const literal = l.argTypes;
          if (literal.length !== p.argTypes.length) throw new NotCacheable('plans differ');
          out.argTypes = p.argTypes.map((t, i) => (paramIndex(args[i]) !== undefined ? (literal[i] as Template) : walk(t, literal[i])));
        } else out[key] = walk(p[key], l[key]);
      }
      return out;
    }
    if (p !== l || (p !== null && typeof p === 'object') || typeof p === 'undefined' || typeof p === 'bigint' || typeof p === 'function' || typeof p === 'symbol') throw new NotCacheable('plans differ');
    return p as Template;
  };
  const template = walk(paramPlan, literalPlan);
  if (typed.size !== values.length) throw new NotCacheable('a value the plan does not take as a typed parameter');
  return template;
}

/**
 * Marks the SQL templates that chunking cannot split as not chunkable. The executor walks a
 * chunkable template's fragments twice more per request to find where an IN list could be split
 * across statements (the database's parameter limit); a template of plain parameters, one per
 * argument, always comes out as one statement with the arguments in order, which is exactly what
 * the unchunked path runs. Templates with list fragments (IN, multi-row VALUES) keep chunking.
 */
function withoutNeedlessChunking(template: Template): Template {
  const walk = (node: Template): void => {
    if (node instanceof Slot || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (node.type === 'templateSql' && node.chunkable === true && Array.isArray(node.fragments) && Array.isArray(node.args)) {
      const fragments = node.fragments as { type?: unknown }[];
      const plain = fragments.every((f) => f.type === 'stringChunk' || f.type === 'parameter');
      if (plain && fragments.filter((f) => f.type === 'parameter').length === node.args.length) node.chunkable = false;
    }
    Object.values(node).forEach(walk);
  };
  walk(template);
  return template;
}

/** Nodes that check a result after a write and rely on the transaction to undo it when they throw. */
const CHECKS_AFTER_WRITE = new Set(['validate', 'required', 'transaction']);

/**
 * A plan that wraps a single statement in a transaction (updateMany, createMany) runs the statement
 * alone: one statement is atomic by itself, and the wrapper costs a BEGIN and a COMMIT (two more
 * round trips on PostgreSQL). Plans with more statements, or with checks after a write, keep it.
 */
function withoutSingleStatementTransaction(template: Template): Template {
  if (template instanceof Slot || template === null || typeof template !== 'object' || Array.isArray(template)) return template;
  if (template.type !== 'transaction' || template.args === null || typeof template.args !== 'object') return template;
  let statements = 0;
  let checks = false;
  const walk = (node: Template): void => {
    if (node instanceof Slot || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (node.type === 'query' || node.type === 'execute') statements++;
    if (typeof node.type === 'string' && CHECKS_AFTER_WRITE.has(node.type)) checks = true;
    Object.values(node).forEach(walk);
  };
  walk(template.args);
  return statements === 1 && !checks ? template.args : template;
}

/** What a cached plan is served as: the compiler's plan without the costs above. */
function simplified(template: Template): Template {
  return withoutSingleStatementTransaction(withoutNeedlessChunking(template));
}

/** A fresh plan: the template deep-copied with the values in its slots. */
function fill(template: Template, values: unknown[]): unknown {
  if (template === null || typeof template !== 'object') return template;
  const build = builders.get(template);
  if (typeof build === 'function') return build(values, encode);
  // Built on the second fill: most templates of a verification are filled once and dropped.
  if (build === undefined) {
    builders.set(template, 1);
    return walkFill(template, values);
  }
  const built = builderOf(template);
  builders.set(template, built);
  return built(values, encode);
}

function walkFill(template: Template, values: unknown[]): unknown {
  if (template instanceof Slot) return encode(values[template.index], template.encoding);
  if (Array.isArray(template)) return template.map((t) => walkFill(t, values));
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(template)) out[key] = walkFill(template[key]!, values);
    return out;
  }
  return template;
}

type Builder = (values: unknown[], encodeValue: typeof encode) => unknown;
/** A template's builder, or 1 once it was filled without one. */
const builders = new WeakMap<object, Builder | 1>();

/**
 * A template's copy as one function of object and array literals (built once per template): a
 * verified plan is filled on every request of its shape, and walking the template generically
 * (its keys, a type test per node) cost more than the rest of the cache together. The source holds
 * only JSON literals of the template's own keys and constants, and reads of `values`.
 */
function builderOf(template: Template): Builder {
  const expr = (t: Template): string => {
    if (t instanceof Slot) return `e(v[${t.index}],${JSON.stringify(t.encoding)})`;
    if (Array.isArray(t)) return `[${t.map(expr).join(',')}]`;
    if (t !== null && typeof t === 'object') {
      return `{${Object.keys(t)
        .map((k) => `${JSON.stringify(k)}:${expr(t[k]!)}`)
        .join(',')}}`;
    }
    if (typeof t === 'number') return Object.is(t, -0) ? '-0' : String(t);
    return JSON.stringify(t);
  };
  return new Function('v', 'e', `"use strict";return ${expr(template)};`) as Builder;
}

function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a)) return isObject(b) && sameKeys(a, b) && Object.keys(a).every((k) => deepEqual(a[k], b[k]));
  return false;
}

// ---------------------------------------------------------------- the cache

/** Compiled once, literally: its plan is served again for the same values, and checks the parameterised plan when other values come. */
interface Seen {
  state: 'seen';
  values: unknown[];
  /** the first request's literal plan, as a template without slots (a copy made before the client used it) */
  literal: Template;
}
interface Verified {
  state: 'verified';
  template: Template;
}
interface Uncacheable {
  state: 'uncacheable';
}
type Entry = Seen | Verified | Uncacheable;

/**
 * What raw plans taught about this compiler: a raw plan is `{ type, args: { type: 'rawSql', sql,
 * args, argTypes } }`, its `args` the parameters as written for their kind and `argTypes` one entry
 * per kind. Once a verified raw template (two literal plans) has shown the plan's frame for an
 * action and a kind's argType and encoding, a raw statement of new text whose kinds are all known
 * is planned from them without a compile: the inbox's intake inserts come in eight row counts, each
 * a new text, and compiled in the middle of a burst of acknowledgements.
 */
interface RawLessons {
  /** per action (queryRaw / executeRaw): the plan's `type` */
  types: Map<string, string>;
  kinds: Map<RawKind, { argType: Json; encoding: Encoding }>;
  /** two verified plans disagreed about a kind: plan nothing from lessons */
  conflicted: boolean;
}
const rawLessons = new WeakMap<object, RawLessons>();

function lessonsOf(compiler: object): RawLessons {
  let l = rawLessons.get(compiler);
  if (!l) rawLessons.set(compiler, (l = { types: new Map(), kinds: new Map(), conflicted: false }));
  return l;
}

/** Records what a verified raw template shows (its frame was checked by rawTemplate). */
function learnRaw(compiler: object, action: string, template: Template, kinds: RawKind[]): void {
  const l = lessonsOf(compiler);
  if (!isObject(template) || typeof template.type !== 'string' || !isObject(template.args) || !sameKeys(template, { type: 0, args: 0 }) || !sameKeys(template.args, { type: 0, sql: 0, args: 0, argTypes: 0 })) return;
  const args = template.args.args;
  const argTypes = template.args.argTypes;
  if (!Array.isArray(args) || !Array.isArray(argTypes) || args.length !== kinds.length || argTypes.length !== kinds.length) return;
  const known = l.types.get(action);
  if (known !== undefined && known !== template.type) l.conflicted = true;
  l.types.set(action, template.type);
  kinds.forEach((kind, i) => {
    const slot = args[i];
    if (!(slot instanceof Slot) || slot.index !== i) return;
    const lesson = { argType: argTypes[i] as Json, encoding: slot.encoding };
    const before = l.kinds.get(kind);
    if (before && (before.encoding !== lesson.encoding || !deepEqual(before.argType, lesson.argType))) l.conflicted = true;
    l.kinds.set(kind, lesson);
  });
}

/** A raw statement's template from the lessons, or undefined when something is not known yet. */
function taughtRawTemplate(compiler: object, input: Json, kinds: RawKind[]): Template | undefined {
  const l = rawLessons.get(compiler);
  if (!l || l.conflicted || !isObject(input) || typeof input.action !== 'string') return undefined;
  const type = l.types.get(input.action);
  const sql = isObject(input.query) && isObject(input.query.arguments) ? input.query.arguments.query : undefined;
  if (type === undefined || typeof sql !== 'string') return undefined;
  const args: Template[] = [];
  const argTypes: Template[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const lesson = l.kinds.get(kinds[i]!);
    if (!lesson) return undefined;
    args.push(new Slot(i, lesson.encoding));
    argTypes.push(structuredClone(lesson.argType) as Template);
  }
  return { type, args: { type: 'rawSql', sql, args, argTypes } };
}

function cacheOf(compiler: object): Map<string, Entry> {
  let cache = caches.get(compiler);
  if (!cache) caches.set(compiler, (cache = new Map()));
  return cache;
}

function remember(cache: Map<string, Entry>, key: string, entry: Entry): void {
  if (cache.has(key)) cache.delete(key);
  else if (cache.size >= PLAN_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, entry);
}

function cachedCompile(compiler: object, json: string, batch: boolean, compile: (json: string) => unknown): unknown {
  let shape: Parameterised | undefined;
  let input: Json = null;
  try {
    input = JSON.parse(json) as Json;
    shape = parameterise(input, batch) ?? (batch ? undefined : rawShape(input));
  } catch {
    shape = undefined;
  }
  if (!shape) return compile(json);
  const key = `${batch ? 'B' : 'Q'}${shape.kinds.join(',')}|${shape.json}`;
  const cache = cacheOf(compiler);
  const entry = cache.get(key);
  if (entry) {
    // least recently used first: a hit moves the shape to the end
    cache.delete(key);
    cache.set(key, entry);
  }
  switch (entry?.state) {
    case 'verified':
      counters.hits++;
      return fill(entry.template, shape.values);
    case 'uncacheable':
      counters.uncacheable++;
      return compile(json);
    case 'seen': {
      if (deepEqual(shape.values, entry.values)) {
        counters.hits++;
        return fill(entry.literal, []);
      }
      counters.misses++;
      const literal = compile(json);
      const next = secondSight(key, shape, literal, entry, compile);
      remember(cache, key, next);
      if (shape.raw && next.state === 'verified' && isObject(input) && typeof input.action === 'string') learnRaw(compiler, input.action, next.template, shape.kinds);
      return literal;
    }
    case undefined: {
      if (shape.raw) {
        const taught = taughtRawTemplate(compiler, input, shape.kinds);
        if (taught) {
          counters.hits++;
          remember(cache, key, { state: 'verified', template: taught });
          return fill(taught, shape.values);
        }
      }
      counters.misses++;
      // a query the compiler rejects throws here and leaves nothing behind
      const literal = compile(json);
      remember(cache, key, firstSight(key, shape, literal));
      return literal;
    }
  }
}

function firstSight(key: string, shape: Parameterised, literal: unknown): Entry {
  if (shape.values.length === 0) return copyAsTemplate(literal);
  if (refused.has(key)) return { state: 'uncacheable' };
  try {
    return { state: 'seen', values: shape.values, literal: simplified(buildTemplate(literal, literal, [], [])) };
  } catch {
    return { state: 'uncacheable' };
  }
}

/** Other values than the first request's: the parameterised plan must give both literal plans. */
function secondSight(key: string, shape: Parameterised, literal: unknown, first: Seen, compile: (json: string) => unknown): Entry {
  if (shape.raw) {
    try {
      const template = rawTemplate(literal, shape.values);
      if (!deepEqual(fill(template, shape.values), literal) || !deepEqual(fill(template, first.values), fill(first.literal, []))) return { state: 'uncacheable' };
      return { state: 'verified', template };
    } catch {
      return { state: 'uncacheable' };
    }
  }
  let paramPlan: unknown;
  try {
    paramPlan = compile(shape.json);
  } catch {
    // The compiler refused or panicked on the parameterised query. A panic still fails this
    // request (the client discards the compiler when it sees one) but, remembered across compiler
    // instances, never a second.
    if (refused.size >= PLAN_CACHE_SIZE) refused.delete(refused.values().next().value!);
    refused.add(key);
    return { state: 'uncacheable' };
  }
  try {
    // Both sides simplified alike (the first request's literal plan already is).
    const template = simplified(buildTemplate(paramPlan, literal, shape.values, shape.kinds));
    const expected = simplified(buildTemplate(literal, literal, [], []));
    if (!deepEqual(fill(template, shape.values), fill(expected, [])) || !deepEqual(fill(template, first.values), fill(first.literal, []))) return { state: 'uncacheable' };
    return { state: 'verified', template };
  } catch {
    return { state: 'uncacheable' };
  }
}

/** A plan without values of ours (the same query text always compiles to it) as a template. */
function copyAsTemplate(plan: unknown): Entry {
  try {
    return { state: 'verified', template: simplified(buildTemplate(plan, plan, [], [])) };
  } catch {
    return { state: 'uncacheable' };
  }
}
