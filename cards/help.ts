// 帮助: the campaign's stage and the commands that matter now, then every command the asker may
// use in workflow order, grouped for coordinators and liaisons, with examples.
import { bold, card, escapeMarkdown, field, markdown, note, type CardElement, type CardJson } from './kit.ts';

export interface HelpCommand {
  name: string;
  summary: string;
  example: string;
}

export interface HelpView {
  coordinator?: HelpCommand[];
  liaison: HelpCommand[];
  /** shown first, e.g. "没听懂“xxx”" */
  intro?: string;
  /** names only (the short answer to text nobody understood) */
  compact?: boolean;
  /** where the campaign stands and the commands that matter now (listed first) */
  stage?: { title: string; strip: string; next: string; now: HelpCommand[] };
}

function section(title: string, list: HelpCommand[], compact = false): CardElement[] {
  if (list.length === 0) return [];
  if (compact) return [markdown(field(title, list.map((c) => escapeMarkdown(c.name)).join('、')))];
  return [markdown(bold(title)), markdown(list.map((c) => `· ${bold(c.name)} — ${escapeMarkdown(c.summary)}\n\u3000例：${escapeMarkdown(c.example)}`).join('\n'))];
}

export function buildHelpCard(v: HelpView): CardJson {
  const elements: CardElement[] = [];
  if (v.intro) elements.push(markdown(escapeMarkdown(v.intro)));
  if (v.stage) {
    elements.push(markdown(`${v.stage.title ? `${escapeMarkdown(v.stage.title)}\n` : ''}${field('当前阶段', v.stage.strip)}\n下一步：${escapeMarkdown(v.stage.next)}`));
    // Names only: each is described, with its example, in the full list below.
    elements.push(...section('现在常用', v.stage.now, true));
  }
  if (v.coordinator) elements.push(...section('协调人（县政务公开办）可用', v.coordinator, v.compact));
  // Besides the liaisons' commands this list holds what anyone may send (帮助, and 评分 for the judges).
  elements.push(...section(v.coordinator ? '单位联系人、评委可用' : '可用指令', v.liaison, v.compact));
  elements.push(note(v.compact ? '发送“@主题日助手 帮助”查看每条指令的说明和示例。' : '在群里使用时请先 @主题日助手；在与主题日助手的私聊中可直接发送指令。'));
  return card({ title: '主题日助手 · 指令帮助', template: 'indigo', elements });
}
