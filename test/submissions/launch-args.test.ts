// `发起申报` without a year: the plan's deadline is 04-07, so from 04-08 on the card is for next year
// (in November the coordinator prepares next year's campaign; this year's defaults could not be launched).
import { describe, expect, it } from 'vitest';
import { parseLaunchArgs } from '../../src/usecases/campaign/launch.ts';

describe('parseLaunchArgs', () => {
  it.each([
    ['2026-01-05', 2026],
    ['2026-04-07', 2026],
    ['2026-04-08', 2027],
    ['2026-11-28', 2027],
    ['2026-12-31', 2027],
  ])('on %s defaults to %i', (today, year) => {
    expect(parseLaunchArgs('', today)).toEqual({ year });
  });

  it('keeps a typed year and deadline', () => {
    expect(parseLaunchArgs('2026', '2026-11-28')).toEqual({ year: 2026 });
    expect(parseLaunchArgs('2027 截止 2027-04-09', '2026-11-28')).toEqual({ year: 2027, deadline: '2027-04-09' });
  });
});
