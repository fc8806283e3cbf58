// The 评选结果通报 as Word: a draft until the coordinator confirms the results, and the scoring rule
// stated as src/domain/evaluation.ts applies it (the highest and lowest totals dropped only with
// five judges or more).
import { describe, expect, it } from 'vitest';
import { writeEvaluationDocx, type EvaluationDocInput } from '../../src/adapters/files/docx/documents.ts';
import { docxText, unzipEntry } from './support.ts';

const rows: EvaluationDocInput['rows'] = [
  { rank: 1, tied: false, unitName: '星沙街道', title: '政策面对面', final: 92.5, winner: true },
  { rank: 2, tied: false, unitName: '黄兴镇', title: '营商环境座谈', final: 88, winner: false },
];

async function text(input: Omit<EvaluationDocInput, 'year' | 'dateText' | 'rows'>): Promise<string> {
  return docxText(await unzipEntry(await writeEvaluationDocx({ year: 2023, dateText: '2023年12月5日', rows, ...input }), 'word/document.xml'));
}

describe('评选结果通报 (.docx)', () => {
  it('confirmed, five judges: names the winners, drops the highest and lowest totals', async () => {
    const t = await text({ judges: 5, confirmed: true });
    expect(t).toContain('星沙街道：政策面对面。');
    expect(t).toContain('评委不少于5人的活动去掉一个最高分和一个最低分后取平均分');
    expect(t).toContain('希望受表扬的单位再接再厉');
    expect(t).not.toContain('草稿');
  });

  it('not confirmed, three judges: a draft that averages every judge and praises nobody', async () => {
    const t = await text({ judges: 3, confirmed: false });
    expect(t).toContain('（草稿：评选结果尚未确认');
    expect(t).toContain('取各评委评分的平均分');
    expect(t).not.toContain('去掉一个最高分');
    expect(t).toContain('一、最佳政务公开主题日活动\n评选结果尚未确认。');
    expect(t).toContain('评选结果经确认后另行通报。');
    expect(t).not.toContain('希望受表扬');
  });
});
