import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Role } from '../../api.ts';

export interface PageMeta {
  title: string;
  /** roles that may open the page (the server checks again) */
  roles: Role[];
}

declare module 'vue-router' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RouteMeta extends Partial<PageMeta> {}
}

const C: Role[] = ['coordinator'];

export const pages: (RouteRecordRaw & { meta: PageMeta; name: string })[] = [
  { path: '/', name: 'overview', component: () => import('./pages/OverviewPage.vue'), meta: { title: '概览', roles: C } },
  { path: '/submissions', name: 'submissions', component: () => import('./pages/SubmissionsPage.vue'), meta: { title: '申报表', roles: C } },
  { path: '/review', name: 'review', component: () => import('./pages/ReviewPage.vue'), meta: { title: '审核', roles: ['coordinator', 'reviewer'] } },
  { path: '/schedule', name: 'schedule', component: () => import('./pages/SchedulePage.vue'), meta: { title: '计划安排', roles: C } },
  { path: '/summaries', name: 'summaries', component: () => import('./pages/SummariesPage.vue'), meta: { title: '总结与佐证', roles: C } },
  { path: '/evaluation', name: 'evaluation', component: () => import('./pages/EvaluationPage.vue'), meta: { title: '评选', roles: ['coordinator', 'judge'] } },
  { path: '/units', name: 'units', component: () => import('./pages/UnitsPage.vue'), meta: { title: '单位名录', roles: C } },
  { path: '/settings', name: 'settings', component: () => import('./pages/SettingsPage.vue'), meta: { title: '设置', roles: C } },
  { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { title: '审计日志', roles: C } },
];

export const router = createRouter({
  history: createWebHistory('/desk/'),
  routes: [...pages, { path: '/:rest(.*)*', redirect: '/' }],
});
