/**
 * The shape of a database schema (enums, tables and columns, indexes, foreign keys) read two ways:
 * from schema.prisma as Prisma understands it (its DMMF), and from a live PostgreSQL catalog. Equal
 * shapes mean the migrations build exactly the model. Prisma's own `migrate diff` needs the schema
 * engine binary, which cannot be fetched offline; this does the comparison with Prisma's rules
 * (default names of keys and indexes, default referential actions, default native types).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';

export type SchemaShape = {
  enums: Record<string, string[]>;
  /** table -> column -> "type [NOT NULL] [DEFAULT x]" */
  tables: Record<string, Record<string, string>>;
  indexes: string[];
  foreignKeys: string[];
};

const ROOT = path.resolve(import.meta.dirname, '../..');
const GENERATOR = path.join(import.meta.dirname, 'dumpDatamodelGenerator.cjs');

type DmmfField = {
  name: string;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  dbName?: string | null;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[] | null;
  relationToFields?: string[] | null;
  relationOnDelete?: string | null;
  relationOnUpdate?: string | null;
};
type DmmfModel = { name: string; dbName: string | null; fields: DmmfField[] };
type DmmfIndex = { model: string; type: 'id' | 'unique' | 'normal' | 'fulltext'; dbName?: string | null; fields: Array<{ name: string; sortOrder?: 'asc' | 'desc' }> };
export type Datamodel = {
  enums: Array<{ name: string; dbName?: string | null; values: Array<{ name: string; dbName?: string | null }> }>;
  models: DmmfModel[];
  indexes: DmmfIndex[];
  /**
   * Partial indexes' predicates by index name, read from the schema's `where: raw("…")`: the DMMF
   * leaves them out. Written as PostgreSQL prints them back (pg_get_expr), so that both sides compare.
   */
  predicates?: Record<string, string>;
};

/** Runs `prisma generate` on a copy of the schema whose only generator dumps the datamodel. */
export async function loadDatamodel(schemaPath = path.join(ROOT, 'prisma/schema.prisma')): Promise<Datamodel> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-dmmf-'));
  try {
    const source = await readFile(schemaPath, 'utf8');
    const output = path.join(dir, 'datamodel.json');
    const withoutGenerators = source.replace(/^generator\s+\w+\s*\{[\s\S]*?^\}/gm, '');
    // The client generator's preview features (partialIndexes) decide what the schema may say.
    const preview = /^\s*previewFeatures\s*=\s*(\[[^\]]*\])/m.exec(source)?.[1];
    const schema = `generator dump {\n  provider = ${JSON.stringify(`"${process.execPath}" "${GENERATOR}"`)}\n  output = ${JSON.stringify(output)}\n${preview ? `  previewFeatures = ${preview}\n` : ''}}\n${withoutGenerators}`;
    await writeFile(path.join(dir, 'schema.prisma'), schema);
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/prisma/build/index.js'), 'generate', '--schema', path.join(dir, 'schema.prisma')], {
      cwd: dir,
      encoding: 'utf8',
      // generate asks for a schema-engine path but never runs it (see scripts/prisma-generate.mjs).
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1', NODE_PATH: path.join(ROOT, 'node_modules') },
    });
    if (result.status !== 0) throw new Error(`prisma generate failed:\n${result.stdout}\n${result.stderr}`);
    const predicates: Record<string, string> = {};
    for (const m of source.matchAll(/@@index\(.*\bwhere: raw\("((?:[^"\\]|\\.)*)"\).*\bmap: "([^"]+)"/g)) predicates[m[2]!] = m[1]!.replace(/\\(.)/g, '$1');
    return { ...(JSON.parse(await readFile(output, 'utf8')) as Datamodel), predicates };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SCALAR_TYPES: Record<string, string> = {
  Int: 'int4',
  BigInt: 'int8',
  Float: 'float8',
  Decimal: 'numeric(65,30)',
  String: 'text',
  Boolean: 'bool',
  DateTime: 'timestamp(3)',
  Json: 'jsonb',
  Bytes: 'bytea',
};

const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Text: () => 'text',
  Integer: () => 'int4',
  SmallInt: () => 'int2',
  BigInt: () => 'int8',
  DoublePrecision: () => 'float8',
  Real: () => 'float4',
  Boolean: () => 'bool',
  Uuid: () => 'uuid',
  Json: () => 'json',
  JsonB: () => 'jsonb',
  ByteA: () => 'bytea',
  Inet: () => 'inet',
  Date: () => 'date',
  Timestamptz: (a) => `timestamptz(${a[0] ?? 6})`,
  Timestamp: (a) => `timestamp(${a[0] ?? 6})`,
  Timetz: (a) => `timetz(${a[0] ?? 6})`,
  Time: (a) => `time(${a[0] ?? 6})`,
  VarChar: (a) => (a[0] ? `varchar(${a[0]})` : 'varchar'),
  Char: (a) => `bpchar(${a[0] ?? 1})`,
  Decimal: (a) => `numeric(${a[0] ?? 65},${a[1] ?? 30})`,
};

const ACTIONS: Record<string, string> = { Cascade: 'CASCADE', Restrict: 'RESTRICT', SetNull: 'SET NULL', NoAction: 'NO ACTION', SetDefault: 'SET DEFAULT' };

function column(type: string, nullable: boolean, defaultValue: string | null): string {
  return `${type}${nullable ? '' : ' NOT NULL'}${defaultValue === null ? '' : ` DEFAULT ${defaultValue}`}`;
}

/** A column default as PostgreSQL prints it, reduced to its value: casts and quotes removed. */
function normalizeDefault(expression: string | null): string | null {
  if (expression === null) return null;
  if (expression.startsWith('nextval(')) return 'autoincrement()';
  if (expression === 'CURRENT_TIMESTAMP' || expression === 'now()') return 'now()';
  let value = expression;
  for (let previous = ''; previous !== value; ) {
    previous = value;
    value = value.replace(/::(?:"[^"]+"|[a-z_][a-z0-9_ ]*)(?:\(\d+(?:,\d+)?\))?(?:\[\])?$/i, '');
  }
  const quoted = /^'(.*)'$/s.exec(value);
  return quoted ? quoted[1]!.replaceAll("''", "'") : value;
}

function prismaDefault(field: DmmfField): string | null {
  const d = field.default;
  if (d === undefined || d === null) return null;
  if (typeof d === 'object' && !Array.isArray(d)) {
    const fn = d as { name: string; args: unknown[] };
    if (fn.name === 'autoincrement') return 'autoincrement()';
    if (fn.name === 'now') return 'now()';
    if (fn.name === 'dbgenerated') return normalizeDefault(String(fn.args[0]));
    // uuid(), cuid(), nanoid() … are made by the client, not by the database.
    return null;
  }
  if (Array.isArray(d)) return `{${d.map(String).join(',')}}`;
  return String(d);
}

export function shapeFromDatamodel(dm: Datamodel): SchemaShape {
  const tableOf = new Map(dm.models.map((m) => [m.name, m.dbName ?? m.name]));
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`${model.name}.${fieldName} not found`);
    return field.dbName ?? field.name;
  };
  const enumNames = new Map(dm.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const shape: SchemaShape = { enums: {}, tables: {}, indexes: [], foreignKeys: [] };
  for (const e of dm.enums) shape.enums[e.dbName ?? e.name] = e.values.map((v) => v.dbName ?? v.name);
  for (const model of dm.models) {
    const table = tableOf.get(model.name)!;
    const columns: Record<string, string> = {};
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (!field.relationFromFields?.length) continue;
        const from = field.relationFromFields.map((f) => columnOf(model, f));
        const target = dm.models.find((m) => m.name === field.type)!;
        const to = field.relationToFields!.map((f) => columnOf(target, f));
        const required = field.relationFromFields.every((f) => model.fields.find((x) => x.name === f)!.isRequired);
        const onDelete = ACTIONS[field.relationOnDelete ?? (required ? 'Restrict' : 'SetNull')];
        const onUpdate = ACTIONS[field.relationOnUpdate ?? 'Cascade'];
        shape.foreignKeys.push(`${table}_${from.join('_')}_fkey: ${table} (${from.join(', ')}) -> ${tableOf.get(target.name)} (${to.join(', ')}) ON DELETE ${onDelete} ON UPDATE ${onUpdate}`);
        continue;
      }
      if (field.kind === 'unsupported') throw new Error(`${model.name}.${field.name}: Unsupported types are not compared`);
      let type: string;
      if (field.kind === 'enum') type = `enum ${enumNames.get(field.type)}`;
      else if (field.nativeType) {
        const native = NATIVE_TYPES[field.nativeType[0]];
        if (!native) throw new Error(`${model.name}.${field.name}: native type @db.${field.nativeType[0]} is not known to this comparison; add it`);
        type = native(field.nativeType[1]);
      } else type = SCALAR_TYPES[field.type] ?? `unknown ${field.type}`;
      if (field.isList) type += '[]';
      columns[field.dbName ?? field.name] = column(type, !field.isRequired, prismaDefault(field));
    }
    shape.tables[table] = columns;
  }
  for (const index of dm.indexes) {
    const model = dm.models.find((m) => m.name === index.model)!;
    const table = tableOf.get(model.name)!;
    const cols = index.fields.map((f) => columnOf(model, f.name));
    const rendered = index.fields.map((f, i) => `${cols[i]}${f.sortOrder === 'desc' ? ' DESC' : ''}`).join(', ');
    const [kind, suffix] = index.type === 'id' ? ['PRIMARY KEY', 'pkey'] : index.type === 'unique' ? ['UNIQUE', `${cols.join('_')}_key`] : ['INDEX', `${cols.join('_')}_idx`];
    if (index.type === 'fulltext') throw new Error('fulltext indexes are not compared');
    const name = index.dbName ?? `${table}_${suffix}`;
    const predicate = dm.predicates?.[name];
    shape.indexes.push(`${kind} ${name} ON ${table} (${rendered})${predicate ? ` WHERE ${predicate}` : ''}`);
  }
  shape.indexes.sort();
  shape.foreignKeys.sort();
  return shape;
}

/** The same shape, read from the catalog of the database the pool connects to (schema public). */
export async function shapeFromDatabase(pool: pg.Pool): Promise<SchemaShape> {
  const shape: SchemaShape = { enums: {}, tables: {}, indexes: [], foreignKeys: [] };
  const enums = await pool.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  for (const e of enums.rows) shape.enums[e.name] = e.labels;

  const columns = await pool.query(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, c.column_default,
            c.datetime_precision, c.character_maximum_length, c.numeric_precision, c.numeric_scale,
            (SELECT et.typname FROM pg_type at JOIN pg_type et ON et.oid = at.typelem WHERE at.typname = c.udt_name LIMIT 1) AS element_type
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  for (const c of columns.rows) {
    let type: string;
    if (c.data_type === 'USER-DEFINED') type = `enum ${c.udt_name}`;
    else if (c.data_type === 'ARRAY') type = `${shape.enums[c.element_type] ? `enum ${c.element_type}` : c.element_type}[]`;
    else if (['timestamptz', 'timestamp', 'time', 'timetz'].includes(c.udt_name)) type = `${c.udt_name}(${c.datetime_precision})`;
    else if (['varchar', 'bpchar'].includes(c.udt_name)) type = c.character_maximum_length === null ? c.udt_name : `${c.udt_name}(${c.character_maximum_length})`;
    else if (c.udt_name === 'numeric') type = `numeric(${c.numeric_precision},${c.numeric_scale})`;
    else type = c.udt_name;
    (shape.tables[c.table_name] ??= {})[c.column_name] = column(type, c.is_nullable === 'YES', normalizeDefault(c.column_default));
  }

  const indexes = await pool.query<{ name: string; table: string; unique: boolean; primary: boolean; cols: string[]; predicate: string | null }>(
    `SELECT i.relname AS name, t.relname AS table, ix.indisunique AS unique, ix.indisprimary AS primary,
            array_agg(coalesce(a.attname, '<expression>') || CASE WHEN ix.indoption[k.ord - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                      ORDER BY k.ord)::text[] AS cols,
            pg_get_expr(ix.indpred, ix.indrelid) AS predicate
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
      GROUP BY i.relname, t.relname, ix.indisunique, ix.indisprimary, ix.indpred, ix.indrelid`,
  );
  for (const ix of indexes.rows) {
    const kind = ix.primary ? 'PRIMARY KEY' : ix.unique ? 'UNIQUE' : 'INDEX';
    // pg_get_expr wraps a predicate in parentheses that the schema leaves out.
    const predicate = ix.predicate?.replace(/^\((.*)\)$/s, '$1');
    shape.indexes.push(`${kind} ${ix.name} ON ${ix.table} (${ix.cols.join(', ')})${predicate ? ` WHERE ${predicate}` : ''}`);
  }

  const fks = await pool.query<{ name: string; table: string; cols: string[]; ref: string; refcols: string[]; del: string; upd: string }>(
    `SELECT c.conname AS name, t.relname AS table, r.relname AS ref,
            (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols,
            (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS refcols,
            c.confdeltype AS del, c.confupdtype AS upd
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_class r ON r.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  const action: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
  for (const fk of fks.rows) {
    shape.foreignKeys.push(`${fk.name}: ${fk.table} (${fk.cols.join(', ')}) -> ${fk.ref} (${fk.refcols.join(', ')}) ON DELETE ${action[fk.del]} ON UPDATE ${action[fk.upd]}`);
  }
  shape.indexes.sort();
  shape.foreignKeys.sort();
  return shape;
}
