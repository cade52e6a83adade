// The admin function: the admin web page's API behind CloudBase's HTTP access service
// (`/admin-api/*`). Its own login (HTTP-access calls carry no WeChat identity), one permission
// table (typings/admin.ts), and a row of {schema, handler} per route.
import { z } from 'zod';
import { accountHandlers } from './accounts';
import { activityHandlers } from './activities';
import { database } from './cloudbase';
import { codeHandlers } from './codes';
import { type AdminContext, authenticate, envOf } from './context';
import { customerHandlers } from './customers';
import { dashboardHandlers } from './dashboard';
import { exportHandlers } from './exports';
import { clientAddress, createHttpRouter, type HttpEvent } from './http';
import { insightHandlers } from './insight';
import { leadHandlers } from './leads';
import { pipelineHandlers } from './pipeline';
import { staffHandlers } from './staff';
import { storeHandlers } from './stores';
import { wecomHandlers } from './wecom';

z.config(z.locales.zhCN());

export const main = createHttpRouter<AdminContext>({
  handlers: {
    ...accountHandlers,
    ...leadHandlers,
    ...exportHandlers,
    ...dashboardHandlers,
    ...activityHandlers,
    ...codeHandlers,
    ...staffHandlers,
    ...storeHandlers,
    ...pipelineHandlers,
    ...wecomHandlers,
    ...customerHandlers,
    ...insightHandlers,
  },
  authenticate: (token) => authenticate(database(), token, new Date()),
  context: (caller, event: HttpEvent) => ({
    db: database(),
    now: new Date(),
    caller,
    envId: envOf(event),
    clientAddress: clientAddress(event),
  }),
  corsOrigin: process.env.LEADPOOL_ADMIN_ORIGIN,
});
