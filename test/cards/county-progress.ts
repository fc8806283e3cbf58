// A county-scale 申报进度 (60 units, every fourth one not yet submitted) and its card, for the tests
// that check the card's chart (test/cards/chart.test.ts) and how the workspace draws it.
import { summarizeProgress } from '../../src/domain/submission-progress.ts';
import { buildProgressCard } from '../../cards/progress.ts';

const KINDS = ['town', 'street', 'department'];

export function countyProgress() {
  const rows = Array.from({ length: 60 }, (_, i) => ({
    unitId: `u${i}`,
    unitName: `单位${i}`,
    kind: KINDS[i % 3]!,
    sortOrder: i,
    status: i % 4 === 0 ? 'pending' : 'submitted',
    late: false,
    submittedAt: null,
    deadlineOverride: null,
    reopenedUntil: null,
    themes: [{ month: 1 + (i % 12), forms: ['policy'] }],
  }));
  const snap = summarizeProgress({ id: 'c1', year: 2026, title: '2026年政务公开主题日', status: 'collecting', deadline: '2026-04-07' }, rows);
  return { snap, card: buildProgressCard(snap, { updatedAtText: '2026-04-01 10:00', deadlineText: '2026年4月7日' }) };
}
