// Types for card-logic.js (used by the Node tests).
export interface FieldState {
  tag: string;
  name: string;
  required?: boolean;
  value: unknown;
}
export interface WorkspaceAction {
  tag: string;
  value: Record<string, unknown>;
  name?: string;
  formValue?: Record<string, unknown>;
  option?: string;
  options?: string[];
  inputValue?: string;
  checked?: boolean;
}
export const HEADER_TEMPLATES: string[];
export const FORM_FIELD_TAGS: string[];
export function headerTemplate(name: unknown): string;
export function textOf(text: unknown): string;
export function isMarkdownText(text: unknown): boolean;
export function spacingPx(value: unknown, fallback?: number): number;
export function boxCss(value: unknown): string | null;
export function textSizePx(size: unknown): number;
export function callbackValue(component: unknown): Record<string, unknown> | undefined;
export function openUrlOf(component: unknown): string | null;
export function hasCallback(component: unknown): boolean;
export function formActionType(button: unknown): 'submit' | 'reset' | null;
export function isRequired(component: unknown): boolean;
export function formatPickerValue(tag: string, raw: unknown): string | null;
export function isEmptyValue(tag: string, raw: unknown): boolean;
export function collectFormValue(fields: FieldState[]): Record<string, unknown>;
export function missingRequired(fields: FieldState[]): string[];
export function formNameProblems(fields: { name: string }[]): string[];
export function buildAction(component: Record<string, unknown>, extra?: { formValue?: Record<string, unknown>; option?: string; options?: string[]; inputValue?: string; checked?: boolean }): WorkspaceAction;
export function initialOption(component: unknown): string;
export function tablePage<T>(rows: T[], pageSize: unknown, page: number): { rows: T[]; page: number; pages: number; size: number };
export function formatNumber(value: unknown, format?: { precision?: number; symbol?: string; separator?: boolean }): string;
export function formatTableDate(ms: unknown, pattern?: string): string;
export function columnFlex(column: unknown): { kind: 'fixed'; px: number } | { kind: 'weighted'; weight: number } | { kind: 'auto' };
export function avatarText(name: unknown): string;
export function avatarColorIndex(id: unknown, count?: number): number;
export function callbackErrorText(code?: string): string;
export function chartBoxSize(component: unknown, mobile: boolean): { height: number } | { aspectRatio: string };
export function chartSpecFor(component: unknown): Record<string, unknown>;
export function tableCellLines(rowHeight: unknown, rowMaxHeight?: unknown): { lines: number } | { maxHeight: number };
export function chartSpecProblems(spec: unknown): string[];
