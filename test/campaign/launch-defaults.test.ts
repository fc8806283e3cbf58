// The launch card's defaults (found trying local mode in December 2026: the 2027 notice, launched
// early, arrived dated 2027年3月23日).
import { describe, expect, it } from 'vitest';
import { defaultLaunchValues } from '../../src/usecases/campaign/launch.ts';

describe('launch defaults', () => {
  it('date the notice the plan’s day (3月23日), or today when launching earlier', () => {
    expect(defaultLaunchValues(2023, '2023-03-23')).toMatchObject({ noticeDate: '2023-03-23', deadline: '2023-04-07' });
    expect(defaultLaunchValues(2023, '2023-03-27')).toMatchObject({ noticeDate: '2023-03-23' });
    expect(defaultLaunchValues(2027, '2026-12-06')).toMatchObject({ noticeDate: '2026-12-06', deadline: '2027-04-07' });
    expect(defaultLaunchValues(2027, '2026-12-06', '2027-01-08')).toMatchObject({ noticeDate: '2026-12-06', deadline: '2027-01-08' });
  });
});
