// 帮助: the commands the asker may use, grouped for coordinators and liaisons, with examples.
import { card, escapeMarkdown, markdown, note, type CardElement, type CardJson } from './kit.ts';

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
}

function section(title: string, list: HelpCommand[]): CardElement[] {
  if (list.length === 0) return [];
  return [markdown(`**${title}**`), markdown(list.map((c) => `· **${escapeMarkdown(c.name)}** — ${escapeMarkdown(c.summary)}\n\u3000例：${escapeMarkdown(c.example)}`).join('\n'))];
}

export function buildHelpCard(v: HelpView): CardJson {
  const elements: CardElement[] = [];
  if (v.intro) elements.push(markdown(escapeMarkdown(v.intro)));
  if (v.coordinator) elements.push(...section('协调人（县政务公开办）可用', v.coordinator));
  elements.push(...section(v.coordinator ? '单位联系人可用' : '可用指令', v.liaison));
  elements.push(note('在群里使用时请先 @主题日助手；在与主题日助手的私聊中可直接发送指令。'));
  return card({ title: '主题日助手 · 指令帮助', template: 'indigo', elements });
}
