// Before the evaluation's results are published: is the evidence behind them complete enough?
// Each warning states its counts; none blocks (the coordinator decides), all are shown first.

export interface ReadinessFacts {
  judges: number;
  /** judges who have scored every activity they may score */
  judgesDone: number;
  /** activities in the published plan (approved) */
  planned: number;
  /** of those, activities with a submitted summary (the ones that can be scored) */
  summarised: number;
  /** summarised activities without any complete score */
  unscored: number;
}

/** The plan's trimming rule needs five judges (highest and lowest dropped). */
export const MIN_JUDGES = 5;

export function resultsReadiness(f: ReadinessFacts): string[] {
  const out: string[] = [];
  if (f.judges < MIN_JUDGES) out.push(`只有 ${f.judges} 位评委（建议至少 ${MIN_JUDGES} 位：评委不少于 ${MIN_JUDGES} 人时才去掉一个最高分和一个最低分）。`);
  if (f.judgesDone < f.judges) out.push(`${f.judges - f.judgesDone} 位评委尚未评完（${f.judgesDone}/${f.judges} 位已评完）。`);
  if (f.summarised < f.planned) out.push(`${f.planned} 项入选活动中只有 ${f.summarised} 项提交了总结，其余 ${f.planned - f.summarised} 项不参加评选。`);
  if (f.unscored > 0) out.push(`${f.unscored} 项已总结的活动还没有完整评分。`);
  return out;
}
