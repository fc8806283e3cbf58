// The query compiler's JavaScript glue has no types of its own; the plan cache uses its class only.
declare module '@prisma/client/runtime/query_compiler_bg.sqlite.mjs' {
  export const QueryCompiler: { prototype: { compile(json: string): unknown; compileBatch(json: string): unknown } };
}
declare module '@prisma/client/runtime/query_compiler_bg.postgresql.mjs' {
  export const QueryCompiler: { prototype: { compile(json: string): unknown; compileBatch(json: string): unknown } };
}
