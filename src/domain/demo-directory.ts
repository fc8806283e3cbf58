// The built-in directory for local (demo) mode: 长沙县's 5 streets and 13 towns, county
// departments, and the coordinating office. Units are real; every person, open_id, chat id and
// phone number is invented (phones in the county office's 0731-8487 block, never a real
// person's mobile), deterministic so a reseed yields the same ids.
import type { DirectoryUnit, LiaisonRole, UnitKind } from './directory.ts';

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

const SEEDS: Seed[] = [
  { key: 'xingsha', name: '星沙街道', kind: 'street', primary: '周晓燕', backup: '陈浩', leader: '刘建华' },
  { key: 'xianglong', name: '湘龙街道', kind: 'street', primary: '黄丽君', leader: '张卫东' },
  { key: 'quantang', name: '泉塘街道', kind: 'street', primary: '彭志强', backup: '罗敏' },
  { key: 'songyahu', name: '松雅湖街道', kind: 'street', primary: '谭静', leader: '易国平' },
  { key: 'langli', name: '榔梨街道', kind: 'street', primary: '汤文斌' },
  { key: 'huangxing', name: '黄兴镇', kind: 'town', primary: '曾雅琴', backup: '龙小军', leader: '邓振宇' },
  { key: 'jiangbei', name: '江背镇', kind: 'town', primary: '杨帆' },
  { key: 'huanghua', name: '黄花镇', kind: 'town', primary: '朱丽萍', leader: '胡德明' },
  { key: 'chunhua', name: '春华镇', kind: 'town', primary: '贺亮' },
  { key: 'guoyuan', name: '果园镇', kind: 'town', primary: '蒋慧', backup: '钟磊' },
  { key: 'lukou', name: '路口镇', kind: 'town', primary: '廖志刚' },
  { key: 'gaoqiao', name: '高桥镇', kind: 'town', primary: '万小红', leader: '姚立新' },
  { key: 'jinjing', name: '金井镇', kind: 'town', primary: '欧阳琳' },
  { key: 'fulin', name: '福临镇', kind: 'town', primary: '戴永清' },
  { key: 'qingshanpu', name: '青山铺镇', kind: 'town', primary: '孙倩', backup: '毛宇' },
  { key: 'ansha', name: '安沙镇', kind: 'town', primary: '雷春燕' },
  { key: 'beishan', name: '北山镇', kind: 'town', primary: '石勇' },
  { key: 'kaihui', name: '开慧镇', kind: 'town', primary: '杨秀英', leader: '柳长青' },
  { key: 'fagai', name: '县发展和改革局', kind: 'department', primary: '王晨', backup: '李娟', leader: '陈志远' },
  { key: 'jiaoyu', name: '县教育局', kind: 'department', primary: '刘芳', leader: '赵国强' },
  { key: 'caizheng', name: '县财政局', kind: 'department', primary: '张敏' },
  { key: 'renshe', name: '县人力资源和社会保障局', kind: 'department', primary: '吴婷', backup: '徐斌' },
  { key: 'ziran', name: '县自然资源局', kind: 'department', primary: '何建军' },
  { key: 'zhujian', name: '县住房和城乡建设局', kind: 'department', primary: '郭艳', leader: '宋立群' },
  { key: 'nongye', name: '县农业农村局', kind: 'department', primary: '马骏' },
  { key: 'weijian', name: '县卫生健康局', kind: 'department', primary: '高琴', backup: '林涛' },
  { key: 'shijian', name: '县市场监督管理局', kind: 'department', primary: '梁伟' },
  { key: 'shenpi', name: '县行政审批服务局', kind: 'department', primary: '谢丹', leader: '唐海波' },
  { key: 'yibao', name: '县医疗保障局', kind: 'department', primary: '韩雪' },
  { key: 'minzheng', name: '县民政局', kind: 'department', primary: '冯磊' },
  { key: 'sifa', name: '县司法局', kind: 'department', primary: '曹玉洁' },
  { key: 'jiaotong', name: '县交通运输局', kind: 'department', primary: '邹鹏' },
  { key: 'shuili', name: '县水利局', kind: 'department', primary: '夏冰' },
  { key: 'shangwu', name: '县商务局', kind: 'department', primary: '田甜', backup: '潘超' },
  { key: 'wenlv', name: '县文化旅游广电体育局', kind: 'department', primary: '董思雨' },
  { key: 'yingji', name: '县应急管理局', kind: 'department', primary: '袁峰' },
  { key: 'chengguan', name: '县城市管理和综合执法局', kind: 'department', primary: '蔡明' },
  { key: 'tuiyi', name: '县退役军人事务局', kind: 'department', primary: '程刚' },
  { key: 'tongji', name: '县统计局', kind: 'department', primary: '邱佳' },
  { key: 'shenji', name: '县审计局', kind: 'department', primary: '熊燕' },
];

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
