import {
  CalendarIcon,
  ChartBarIcon,
  ChartPieIcon,
  FileSafetyIcon,
  FolderIcon,
  ImageIcon,
  QrcodeIcon,
  SendIcon,
  ShopIcon,
  SwapIcon,
  TagIcon,
  TimeIcon,
  UserAddIcon,
  UserCircleIcon,
  UsergroupIcon,
  UserListIcon,
  UserSafetyIcon,
} from 'tdesign-icons-vue-next';
import type { Component } from 'vue';
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import type { Permission } from '../../typings/admin';
import { whenSignedOut } from './api';
import { can, forgetSession, restoreSession, session } from './session';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    /** Shown in the menu and reachable only with this permission. */
    permission?: Permission;
    icon?: Component;
  }
}

/** The menu, in order. Each page is its own file under pages/, loaded when first opened. */
export const pages: RouteRecordRaw[] = [
  {
    path: '/dashboard',
    component: () => import('./pages/DashboardPage.vue'),
    meta: { title: '数据看板', permission: 'dashboard.read', icon: ChartBarIcon },
  },
  {
    path: '/leads',
    component: () => import('./pages/LeadsPage.vue'),
    meta: { title: '线索', permission: 'leads.read', icon: UserListIcon },
  },
  {
    path: '/customers',
    component: () => import('./pages/CustomersPage.vue'),
    meta: { title: '客户', permission: 'customers.read', icon: UserCircleIcon },
  },
  {
    path: '/persona',
    component: () => import('./pages/PersonaPage.vue'),
    meta: { title: '用户画像', permission: 'insight.read', icon: ChartPieIcon },
  },
  {
    path: '/segments',
    component: () => import('./pages/SegmentsPage.vue'),
    meta: { title: '人群', permission: 'insight.read', icon: UserAddIcon },
  },
  {
    path: '/sop',
    component: () => import('./pages/SopPage.vue'),
    meta: { title: '旅程 SOP', permission: 'sop.read', icon: TimeIcon },
  },
  {
    path: '/library',
    component: () => import('./pages/LibraryPage.vue'),
    meta: { title: '话术与素材', permission: 'library.read', icon: FolderIcon },
  },
  {
    path: '/activities',
    component: () => import('./pages/ActivitiesPage.vue'),
    meta: { title: '活动', permission: 'activities.read', icon: CalendarIcon },
  },
  {
    path: '/codes',
    component: () => import('./pages/CodesPage.vue'),
    meta: { title: '渠道与活码', permission: 'codes.read', icon: QrcodeIcon },
  },
  {
    path: '/posters',
    component: () => import('./pages/PostersPage.vue'),
    meta: { title: '导购海报', permission: 'codes.read', icon: ImageIcon },
  },
  {
    path: '/rules',
    component: () => import('./pages/RulesPage.vue'),
    meta: { title: '标签与规则', permission: 'rules.read', icon: TagIcon },
  },
  {
    path: '/assignment',
    component: () => import('./pages/AssignmentPage.vue'),
    meta: { title: '分配', permission: 'staff.read', icon: SwapIcon },
  },
  {
    path: '/staff',
    component: () => import('./pages/StaffPage.vue'),
    meta: { title: '员工与邀请', permission: 'staff.read', icon: UsergroupIcon },
  },
  {
    path: '/stores',
    component: () => import('./pages/StoresPage.vue'),
    meta: { title: '门店', permission: 'stores.read', icon: ShopIcon },
  },
  {
    path: '/deliveries',
    component: () => import('./pages/DeliveriesPage.vue'),
    meta: { title: '投递', permission: 'deliveries.read', icon: SendIcon },
  },
  {
    path: '/audit',
    component: () => import('./pages/AuditPage.vue'),
    meta: { title: '审计日志', permission: 'audit.read', icon: FileSafetyIcon },
  },
  {
    path: '/accounts',
    component: () => import('./pages/AccountsPage.vue'),
    meta: { title: '账号', permission: 'accounts.manage', icon: UserSafetyIcon },
  },
];

/** The first page the signed-in role may open (sales start at their leads). */
export function homePath(): string {
  const first = pages.find((page) => !page.meta?.permission || can(page.meta.permission));
  return first?.path ?? '/login';
}

export const router = createRouter({
  // Hash URLs: static hosting serves index.html for every page without rewrite rules.
  history: createWebHashHistory(),
  routes: [
    { path: '/login', component: () => import('./pages/LoginPage.vue'), meta: { title: '登录' } },
    { path: '/forbidden', component: () => import('./pages/ForbiddenPage.vue'), meta: { title: '没有权限' } },
    ...pages,
    { path: '/:rest(.*)*', redirect: () => homePath() },
  ],
});

router.beforeEach(async (to) => {
  await restoreSession();
  if (to.path === '/login') return session.me ? homePath() : true;
  if (!session.me) return { path: '/login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.meta.permission && !can(to.meta.permission))
    return { path: '/forbidden', query: { from: to.fullPath } };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title ? `${to.meta.title} · ` : ''}LeadPool 私域线索池`;
});

whenSignedOut(() => {
  forgetSession();
  if (router.currentRoute.value.path !== '/login')
    void router.push({ path: '/login', query: { next: router.currentRoute.value.fullPath, expired: '1' } });
});
