// Cards about group chats: which unit a newly joined group belongs to (a coordinator confirms).
import { bold, card, escapeMarkdown, form, formButton, markdown, note, select, type CardJson } from './kit.ts';
import { groupActions } from './actions.ts';

export interface GroupBindView {
  chatId: string;
  chatName: string;
  units: { id: string; name: string }[];
  guessedUnitId?: string;
  error?: string;
}

export function buildGroupBindCard(v: GroupBindView): CardJson {
  const guessed = v.units.find((u) => u.id === v.guessedUnitId);
  return card({
    title: '这个群属于哪个单位？',
    template: 'turquoise',
    subtitle: v.chatName,
    elements: [
      markdown(guessed ? `根据群名，这个群应是 ${bold(guessed.name)} 的工作群。请协调人确认，或在下方选择其他单位。` : '主题日助手已加入本群。请协调人在下方选择本群所属的单位，以便向本群发送申报通知和提醒。'),
      form('group_bind_form', [
        select('unit', { placeholder: '选择单位', options: v.units.map((u) => ({ label: u.name, value: u.id })), value: guessed?.id }),
        ...(v.error ? [markdown(`<font color='red'>${escapeMarkdown(v.error)}</font>`, { text_size: 'notation' })] : []),
        formButton('btn_bind_unit', guessed ? '确认' : '绑定到所选单位', groupActions.bind.value({ chatId: v.chatId })),
        formButton('btn_bind_coord', '这是协调人工作群', groupActions.bind.value({ chatId: v.chatId, asCoordinator: true }), { type: 'default' }),
      ]),
      note('仅协调人可以确认；单位联系人可在绑定后发送“@主题日助手 我是联系人”。'),
    ],
  });
}

export function buildGroupBoundCard(v: { chatName: string; unitName: string | null; byName: string }): CardJson {
  return card({
    title: v.unitName ? `已绑定：${v.unitName}` : '已设为协调人工作群',
    template: 'green',
    subtitle: v.chatName,
    elements: [
      markdown(
        v.unitName
          ? `本群已绑定为 ${bold(v.unitName)} 的工作群（${escapeMarkdown(v.byName)} 确认）。负责填报的同事请发送“@主题日助手 我是联系人”，备用联系人发送“@主题日助手 我是备用联系人”。`
          : `本群已设为县政务公开办协调人工作群（${escapeMarkdown(v.byName)} 确认），申报进度和导出文件会发到这里。`,
      ),
    ],
  });
}
