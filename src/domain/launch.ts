// Launching a year's 申报: the launch card's fields and their validation. Pure: today is a parameter.
import { z } from 'zod';
import { charCount, collapse, CONTACT_NAME_MAX, parseTypedDate, type Validated } from './submission.ts';
import { isValidPhone, normalizePhone } from './phone.ts';
import { compareDates, yearOf, type CivilDate } from './time.ts';

export interface LaunchInput {
  year: number;
  title: string;
  noticeDate: CivilDate;
  deadline: CivilDate;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
}

export const LAUNCH_FIELD = {
  title: 'launch_title',
  noticeDate: 'launch_notice_date',
  deadline: 'launch_deadline',
  contactName: 'launch_contact_name',
  contactPhone: 'launch_contact_phone',
  contactEmail: 'launch_contact_email',
} as const;
export type LaunchFieldName = (typeof LAUNCH_FIELD)[keyof typeof LAUNCH_FIELD];
export type LaunchRaw = Record<keyof typeof LAUNCH_FIELD, string>;
export type LaunchErrors = Partial<Record<LaunchFieldName, string>>;

/** date_picker sends 'yyyy-MM-dd +0800'; typed text may use other separators. */
export function pickerDate(value: string, defaultYear: number): CivilDate | null {
  const head = value.trim().split(/\s+/)[0] ?? '';
  return parseTypedDate(head, defaultYear);
}

export function validateLaunch(year: number, raw: LaunchRaw, today: CivilDate): Validated<LaunchInput> & { errors?: LaunchErrors } {
  const errors: LaunchErrors = {};
  const title = collapse(raw.title);
  if (!title) errors[LAUNCH_FIELD.title] = '请填写活动名称';
  else if (charCount(title) > 60) errors[LAUNCH_FIELD.title] = '活动名称不能超过 60 个字';
  const noticeDate = pickerDate(raw.noticeDate, year);
  if (!noticeDate) errors[LAUNCH_FIELD.noticeDate] = '请选择发文日期（格式 YYYY-MM-DD）';
  const deadline = pickerDate(raw.deadline, year);
  if (!deadline) errors[LAUNCH_FIELD.deadline] = '请选择申报截止日期（格式 YYYY-MM-DD）';
  else if (noticeDate && compareDates(deadline, noticeDate) < 0) errors[LAUNCH_FIELD.deadline] = '截止日期不能早于发文日期';
  else if (compareDates(deadline, today) < 0) errors[LAUNCH_FIELD.deadline] = `截止日期 ${deadline} 已经过去，请选择今天或以后的日期`;
  else if (yearOf(deadline) !== year) errors[LAUNCH_FIELD.deadline] = `截止日期应在 ${year} 年内`;
  const contactName = collapse(raw.contactName);
  if (!contactName) errors[LAUNCH_FIELD.contactName] = '请填写联系人';
  else if (charCount(contactName) > CONTACT_NAME_MAX) errors[LAUNCH_FIELD.contactName] = `联系人不能超过 ${CONTACT_NAME_MAX} 个字`;
  const phone = raw.contactPhone.trim();
  if (!isValidPhone(phone)) errors[LAUNCH_FIELD.contactPhone] = '联系电话格式不正确：请填写手机号或带区号的座机号';
  const email = raw.contactEmail.trim();
  if (!z.email().safeParse(email).success) errors[LAUNCH_FIELD.contactEmail] = '邮箱格式不正确，例如 CSX84872387@163.com';
  if (Object.keys(errors).length > 0 || !noticeDate || !deadline) return { ok: false, errors };
  return { ok: true, value: { year, title, noticeDate, deadline, contactName, contactPhone: normalizePhone(phone) ?? phone, contactEmail: email } };
}
