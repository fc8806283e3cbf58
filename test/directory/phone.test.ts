import { describe, expect, it } from 'vitest';
import { isMobile, isValidPhone, maskPhone, normalizePhone } from '../../src/domain/phone.ts';

describe('phone numbers', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['19900001111', '19900001111'],
    [' 138 1234 5678 ', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
    ['0731-84872387', '0731-84872387'],
    ['073184872387', '073184872387'],
    ['0731－84872387', '0731-84872387'],
    ['84872387', '84872387'],
    ['010-6552345', '010-6552345'],
    ['0731-84872387-801', '0731-84872387-801'],
  ])('%j is valid as %j', (input, normalized) => {
    expect(isValidPhone(input)).toBe(true);
    expect(normalizePhone(input)).toBe(normalized);
  });

  it.each(['', '12345', '12812345678', '1381234567', '138123456789', '1234567', 'abc', '0731-123', '13812345678a', '0731-84872387-', '十三八'])('%j is not a phone', (input) => {
    expect(isValidPhone(input)).toBe(false);
    expect(normalizePhone(input)).toBeNull();
  });

  it('tells mobiles from landlines', () => {
    expect(isMobile('+86 13812345678')).toBe(true);
    expect(isMobile('0731-84872387')).toBe(false);
  });

  it.each([
    ['13812345678', '138****5678'],
    ['+86 138 1234 5678', '138****5678'],
    ['0731-84872387', '0731-****2387'],
    ['84872387', '****2387'],
    ['0731-84872387-801', '0731-****2387-801'],
    ['12345', '*2345'],
    ['123', '***'],
  ])('masks %j as %j', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });
});
