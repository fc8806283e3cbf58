// Liaison changes need a yes from someone already trusted (issue 14): the request card sent
// privately to the unit's current liaisons and the coordinators, and what it turns into.
import { bold, button, buttonRow, card, escapeMarkdown, markdown, note, type CardJson } from './kit.ts';
import { liaisonActions } from './actions.ts';

export interface LiaisonRequestView {
  requestId: string;
  unitName: string;
  /** who asks (their name in the group) */
  name: string;
  role: 'primary' | 'backup';
  /** the unit's current primary liaison, if any */
  currentName?: string;
  atText: string;
}

const roleLabel = (role: 'primary' | 'backup') => (role === 'primary' ? '联系人' : '备用联系人');

export function liaisonRequestCard(v: LiaisonRequestView): CardJson {
  const change = v.role === 'primary' && v.currentName ? `确认后，原联系人 ${bold(v.currentName)} 改为备用联系人。` : '';
  return card({
    title: `${v.unitName}：联系人变更待确认`,
    template: 'orange',
    summary: `${v.name}申请成为${v.unitName}的${roleLabel(v.role)}`,
    elements: [
      markdown(`${bold(v.name)} 在${escapeMarkdown(v.unitName)}工作群中申请成为本单位的${bold(roleLabel(v.role))}（${escapeMarkdown(v.atText)}）。${change}`),
      note('联系人可以填写、修改和撤回本单位的申报。请确认申请人确实是本单位指定的人员；本单位联系人或协调人任一人确认即可。'),
      buttonRow([
        button('同意', liaisonActions.decide.value({ requestId: v.requestId, accept: true }), { type: 'primary' }),
        button('拒绝', liaisonActions.decide.value({ requestId: v.requestId, accept: false }), { type: 'danger', confirm: { title: '拒绝申请', text: `拒绝${v.name}成为${v.unitName}的${roleLabel(v.role)}？` } }),
      ]),
    ],
  });
}

export function liaisonDecidedCard(v: { unitName: string; name: string; role: 'primary' | 'backup'; approved: boolean; byName: string; atText: string }): CardJson {
  return card({
    title: `${v.unitName}：联系人变更${v.approved ? '已确认' : '未通过'}`,
    template: v.approved ? 'green' : 'grey',
    elements: [markdown(`${escapeMarkdown(v.byName)}于 ${escapeMarkdown(v.atText)} ${v.approved ? '同意' : '拒绝'}了 ${bold(v.name)} 成为${escapeMarkdown(v.unitName)}的${roleLabel(v.role)}。`)],
  });
}
