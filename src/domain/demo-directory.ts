// The built-in directory for local (demo) mode: 长沙县's 5 streets and 13 towns, county
// departments, and the coordinating office. Units are real; every person, open_id, chat id and
// phone number is invented (phones in the county office's 0731-8487 block, never a real
// person's mobile), deterministic so a reseed yields the same ids.
import type { DirectoryUnit, LiaisonRole, UnitKind } from './directory.ts';
import seedRows from './demo-directory.json' with { type: 'json' };

export interface DemoUnit extends DirectoryUnit {
  /** stable key: ids derive from it (ou_demo_<key>_1, oc_demo_<key>) */
  key: string;
  chatId: string;
  chatName: string;
}

export interface DemoOffice {
  name: string;
  fullName: string;
  chatId: string;
  chatName: string;
  coordinator: { name: string; openId: string; phone: string; email: string };
}

/** 县政务公开办 and its coordinator; contact details as printed in the 2023 plan. */
export const DEMO_OFFICE: DemoOffice = {
  name: '县政务公开办',
  fullName: '长沙县政务公开和政务服务工作领导小组办公室',
  chatId: 'oc_demo_office',
  chatName: '县政务公开办工作群',
  coordinator: { name: '李成英', openId: 'ou_demo_coordinator', phone: '0731-84872387', email: 'CSX84872387@163.com' },
};

interface Seed {
  key: string;
  name: string;
  kind: UnitKind;
  primary: string;
  backup?: string;
  leader?: string;
}

// The units and their (invented) people, one row each, in line order: data, kept as JSON.
const SEEDS = seedRows as Seed[];

function demoPhone(n: number): string {
  return `0731-8487${String(5000 + n).padStart(4, '0')}`;
}

function liaison(seed: Seed, index: number, role: LiaisonRole, n: number) {
  const name = role === 'primary' ? seed.primary : (seed.backup ?? '');
  return { line: index + 1, name, phone: demoPhone(n), openId: `ou_demo_${seed.key}_${role === 'primary' ? 1 : 2}`, role };
}

/** Streets first, then towns, then departments; sortOrder in steps of 10 leaves room to insert. */
export const DEMO_UNITS: DemoUnit[] = SEEDS.map((seed, index) => ({
  key: seed.key,
  line: index + 1,
  name: seed.name,
  kind: seed.kind,
  sortOrder: (index + 1) * 10,
  leaderName: seed.leader ?? null,
  leaderOpenId: seed.leader ? `ou_demo_${seed.key}_leader` : null,
  liaisons: seed.backup ? [liaison(seed, index, 'primary', index * 2), liaison(seed, index, 'backup', index * 2 + 1)] : [liaison(seed, index, 'primary', index * 2)],
  chatId: `oc_demo_${seed.key}`,
  chatName: `${seed.name}主题日工作群`,
}));
